import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Plays systemd's side of sd_notify: a datagram socket whose path goes into NOTIFY_SOCKET.
public final class NotifyListener: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Every message that arrives while `body` runs, with the time it arrived.
    public func recording<T: Sendable>(while body: () async throws -> T) async rethrows
        -> (result: T, messages: [(at: ContinuousClock.Instant, text: String)])
    {
        let running = Flag()
        let recorder = Task {
            await offPool { [fd] in
                var messages: [(at: ContinuousClock.Instant, text: String)] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while running.isSet {
                    let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    guard count > 0 else { continue }
                    messages.append((.now, String(decoding: buffer[..<count], as: UTF8.self)))
                }
                return messages
            }
        }
        do {
            let result = try await body()
            running.clear()
            return (result, await recorder.value)
        } catch {
            running.clear()
            _ = await recorder.value
            throw error
        }
    }

    /// A flag the recording thread polls (at least once a second: the socket's receive timeout).
    private final class Flag: Sendable {
        private let state = Mutex(true)
        var isSet: Bool { state.withLock { $0 } }
        func clear() { state.withLock { $0 = false } }
    }

    /// Collects messages until one contains `needle` or `timeout` passes; returns all collected.
    public func waitFor(_ needle: String, timeout: Duration = .seconds(20)) async -> [String] {
        await offPool { [fd] in
            var messages: [String] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
            while Date() < deadline {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { continue }
                let message = String(decoding: buffer[..<count], as: UTF8.self)
                messages.append(message)
                if message.contains(needle) { break }
            }
            return messages
        }
    }
}
