import Foundation
import LifeProto
import LifeWire
import NIOCore

/// Issue 15's memory goal: a client pipelines Health.Check calls on the Unix socket and never
/// reads an answer. lifed must stop reading from it once its unsent answers pass the watermark,
/// so its memory stays bounded (goal: under +32 MiB RSS for 200,000 calls) and is given back
/// once the client is gone (goal: within 10% of the start). Each round sends until the socket
/// has taken nothing for `patience`, samples lifed's RSS meanwhile, closes, and reads the RSS
/// again after `settle`.
enum NoReadAttack {
    struct Round {
        /// Bytes of the calls lifed's socket took, and how many calls that is.
        var takenBytes = 0
        var takenCalls = 0
        var peakKiB = 0
        var afterKiB = 0
    }

    static func run(
        socket path: String, daemon: Int32, calls: Int, rounds: Int, patience: Duration = .seconds(3), settle: Duration = .seconds(5)
    ) async throws -> (startKiB: Int, rounds: [Round]) {
        let (bytes, callBytes) = try stream(calls: calls)
        let start = ProcessMemory.read(daemon).rss
        var results: [Round] = []
        for round in 1...rounds {
            var result = Round()
            let (taken, peak) = try await ProcessMemory.sampling(daemon) {
                try await Task.detached { try attack(bytes, to: path, patience: patience) }.value
            }
            result.takenBytes = taken
            result.takenCalls = max(0, taken - Preface.length) / callBytes
            result.peakKiB = peak
            try await Task.sleep(for: settle)
            result.afterKiB = ProcessMemory.read(daemon).rss
            FileHandle.standardError.write(
                Data(
                    "round \(round): \(result.takenCalls) calls taken, peak \(peak / 1024) MiB, after \(result.afterKiB / 1024) MiB\n".utf8)
            )
            results.append(result)
        }
        return (start, results)
    }

    /// The preface, then `calls` Health.Check calls; and the bytes of one call.
    private static func stream(calls: Int) throws -> ([UInt8], Int) {
        var header = Life_V1_CallHeader()
        header.method = "/life.v1.Health/Check"
        var buffer = ByteBuffer(bytes: Preface.bytes)
        var one = 0
        for id in 1...UInt32(calls) {
            let before = buffer.writerIndex
            try Frame.writeHeaders(callID: id, header: header, to: &buffer)
            Frame.writeMessage(callID: id, bytes: [], flags: .endStream, to: &buffer)
            one = buffer.writerIndex - before
        }
        return (Array(buffer.readableBytesView), one)
    }

    /// Writes `bytes` to the Unix socket at `path` until all are taken or none were for
    /// `patience`, then closes it. Returns the bytes taken. Blocking: runs off the pool.
    private static func attack(_ bytes: [UInt8], to path: String, patience: Duration) throws -> Int {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ValidationFailure("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw ValidationFailure("connect \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        var lastProgress = ContinuousClock.now
        while offset < bytes.count, lastProgress.duration(to: .now) < patience {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, 65_536), Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
                lastProgress = .now
            } else if written < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                break  // the server closed the connection
            }
        }
        return offset
    }
}
