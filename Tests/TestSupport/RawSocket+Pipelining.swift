import LifeProto
import LifeWire
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// What a client that pipelines calls needs: sending while the server takes the bytes, and
/// reading the answers of many calls without keeping every frame.
extension RawSocket {
    /// Sends `bytes` while the peer takes them; stops when all are sent or when nothing more
    /// could be sent for `patience` (the socket buffers are full). Returns how many were sent.
    public func sendWhileTaken(_ bytes: [UInt8], from start: Int = 0, patience: Duration) -> Int {
        var offset = start
        let waitMilliseconds = Int32(patience.components.seconds * 1000 + patience.components.attoseconds / 1_000_000_000_000_000)
        while offset < bytes.count {
            var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&ready, 1, waitMilliseconds) > 0 else { return offset }
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if sent > 0 {
                offset += sent
            } else if errno != EAGAIN && errno != EWOULDBLOCK {
                return offset
            }
        }
        return offset
    }

    /// The end of each call, as the server answered it.
    public struct CallEnds: Sendable {
        /// Trailer code per call id (a second trailer for one id would be counted in `duplicates`).
        public var codes: [UInt32: Life_V1_StatusCode] = [:]
        /// MESSAGE frames received.
        public var messages = 0
        /// Trailers for an id that had one already.
        public var duplicates = 0
        /// A GOAWAY, if the server sent one.
        public var goAway: Life_V1_GoAway?
    }

    /// Reads the server's preface and frames until `count` calls have their trailer, the server
    /// closes, or a read times out.
    public func readCallEnds(count: Int) -> CallEnds {
        var ends = CallEnds()
        var buffer = ByteBuffer()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var prefaceSeen = false
        while ends.codes.count < count {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { return ends }
            buffer.writeBytes(chunk[..<received])
            if !prefaceSeen {
                guard buffer.readableBytes >= Preface.length else { continue }
                buffer.moveReaderIndex(forwardBy: Preface.length)
                prefaceSeen = true
            }
            while let frame = try? FrameDecoder.readFrame(from: &buffer, maxFrameSize: 1 << 24) {
                switch frame.type {
                case .message: ends.messages += 1
                case .trailer:
                    let code = frame.callStatus?.code ?? .unknown
                    if ends.codes.updateValue(code, forKey: frame.callID) != nil { ends.duplicates += 1 }
                case .goAway: ends.goAway = frame.goAway
                default: break
                }
            }
            buffer.discardReadBytes()
        }
        return ends
    }
}
