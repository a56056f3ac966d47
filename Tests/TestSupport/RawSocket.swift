import Foundation
import LifeProto
import LifeWire
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking Unix-socket client that sends arbitrary bytes, for tests of what the server does
/// with malformed input. Every read has a timeout, so a test never hangs.
public final class RawSocket {
    let fd: Int32

    public init(path: String, timeout: Duration = .seconds(5)) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        let seconds = timeout.components.seconds
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    public func send(_ buffer: ByteBuffer) { send(Array(buffer.readableBytesView)) }

    /// Stops sending (the server sees end of stream) but keeps reading.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until the server closes the connection or the timeout passes. Returns the bytes and
    /// whether the server closed.
    public func readToEnd() -> (bytes: [UInt8], closed: Bool) {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                all += chunk[..<count]
            } else {
                return (all, count == 0 || errno == ECONNRESET)
            }
        }
    }

    /// Reads frames until `predicate` matches one or the timeout passes.
    public func readFrames(until predicate: (Frame) -> Bool) -> [Frame] {
        var buffer = ByteBuffer()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var frames: [Frame] = []
        var prefaceSeen = false
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return frames }
            buffer.writeBytes(chunk[..<count])
            if !prefaceSeen {
                guard buffer.readableBytes >= Preface.length else { continue }
                buffer.moveReaderIndex(forwardBy: Preface.length)
                prefaceSeen = true
            }
            while let frame = try? FrameDecoder.readFrame(from: &buffer, maxFrameSize: 1 << 24) {
                frames.append(frame)
                if predicate(frame) { return frames }
            }
        }
    }
}

/// Parses what a server sent: its preface, then frames.
public func parseServerBytes(_ bytes: [UInt8]) -> (preface: Bool, frames: [Frame]) {
    var buffer = ByteBuffer(bytes: bytes)
    guard buffer.readableBytesView.starts(with: Preface.bytes) else { return (false, []) }
    buffer.moveReaderIndex(forwardBy: Preface.length)
    var frames: [Frame] = []
    while let frame = try? FrameDecoder.readFrame(from: &buffer, maxFrameSize: 1 << 24) {
        frames.append(frame)
    }
    return (true, frames)
}

extension Frame {
    /// The GOAWAY payload of this frame, if it is one.
    public var goAway: Life_V1_GoAway? {
        type == .goAway ? try? decodePayload(as: Life_V1_GoAway.self) : nil
    }

    /// The trailer status of this frame, if it is one.
    public var callStatus: Life_V1_CallStatus? {
        type == .trailer ? try? decodePayload(as: Life_V1_CallStatus.self) : nil
    }
}

/// Builders of raw client bytes.
public enum RawFrames {
    public static func headers(callID: UInt32, method: String, timeoutMs: UInt64 = 0, metadata: [String: String] = [:]) -> ByteBuffer {
        var header = Life_V1_CallHeader()
        header.method = method
        header.timeoutMs = timeoutMs
        header.metadata = metadata
        var buffer = ByteBuffer()
        try! Frame.writeHeaders(callID: callID, header: header, to: &buffer)
        return buffer
    }

    public static func healthCheck(callID: UInt32) -> ByteBuffer {
        var buffer = headers(callID: callID, method: "/life.v1.Health/Check")
        Frame.writeMessage(callID: callID, bytes: [], flags: .endStream, to: &buffer)
        return buffer
    }
}

extension RawSocket {
    /// `readToEnd` on a thread of its own, so the blocking read never holds a thread of the
    /// cooperative pool that the in-process daemon needs.
    public func readToEndOffPool() async -> (bytes: [UInt8], closed: Bool) {
        await offPool { self.readToEnd() }
    }

    /// `readFrames(until:)` on a thread of its own.
    public func readFramesOffPool(until predicate: @escaping @Sendable (Frame) -> Bool) async -> [Frame] {
        await offPool { self.readFrames(until: predicate) }
    }
}

extension RawSocket: @unchecked Sendable {}

/// Runs blocking work on a new thread and waits for it without blocking the caller's thread.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.start()
    }
}
