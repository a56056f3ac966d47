import NIOCore
import Synchronization

/// Records what the server writes, in order, as it is written. Sits at the head of the pipeline,
/// where every write passes last. Reading the bytes back from the testing channel instead would
/// cost a trip to its event loop's thread for each buffer, and those trips are most of a run's time.
final class OutboundRecorder: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let written = Mutex<[ByteBuffer]>([])

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A write once the channel is closed fails and reaches nobody (a protocol error the frame
        // decoder reports as the channel closes, say): it is not part of what the peer sees.
        if context.channel.isActive {
            let buffer = unwrapOutboundIn(data)
            written.withLock { $0.append(buffer) }
        }
        context.write(data, promise: promise)
    }

    /// What was written since the last call.
    func take() -> [ByteBuffer] {
        written.withLock { written in
            defer { written.removeAll() }
            return written
        }
    }
}
