import NIOCore

/// The 8 bytes each side sends first: the magic `LRPC\r\n` and the protocol version (UInt16 BE).
public enum Preface {
    /// `L R P C \r \n`
    public static let magic: [UInt8] = [0x4C, 0x52, 0x50, 0x43, 0x0D, 0x0A]
    /// The only version this implementation speaks.
    public static let version: UInt16 = 1
    /// Magic plus version.
    public static let length = 8

    /// Appends this side's preface.
    public static func write(to buffer: inout ByteBuffer) {
        buffer.writeBytes(magic)
        buffer.writeInteger(version)
    }

    /// The preface as bytes.
    public static var bytes: [UInt8] {
        var buffer = ByteBuffer()
        write(to: &buffer)
        return Array(buffer.readableBytesView)
    }
}
