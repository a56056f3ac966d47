import Foundation
import LifeCore

/// Reads a UTF-8 CSV file (RFC 4180) one record at a time with bounded memory: fields separated
/// by commas, quoted with `"` (a quote inside doubled), records ended by LF or CRLF, a quoted
/// field may span lines. A byte-order mark at the start is skipped. Blank lines are skipped.
/// A record longer than `maximumRecordBytes` ends the reading with an error naming its line.
public struct CSVRecordReader {
    /// One record and the line it starts on (from 1).
    public struct Record {
        public var line: Int64
        public var fields: [String]
    }

    public private(set) var bytesRead: Int64 = 0
    private let handle: FileHandle
    private let maximumRecordBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var line: Int64 = 1
    private var atEnd = false
    private var atStart = true

    public init(handle: FileHandle, maximumRecordBytes: Int = 65_536) {
        self.handle = handle
        self.maximumRecordBytes = maximumRecordBytes
    }

    /// The next record, or nil at the end of the file.
    public mutating func next() throws -> Record? {
        while true {
            guard let record = try nextRecord() else { return nil }
            if record.fields.count == 1, record.fields[0].isEmpty { continue }  // a blank line
            return record
        }
    }

    private mutating func nextRecord() throws -> Record? {
        guard try fill() else { return nil }
        if atStart {
            atStart = false
            if buffer[position...].starts(with: [0xEF, 0xBB, 0xBF]) { position += 3 }
            guard try fill() else { return nil }
        }
        let start = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var size = 0
        while true {
            guard try fill() else {
                guard !quoted else { throw Self.error(start, "a quoted field is not closed before the end of the file") }
                fields.append(Self.text(field))
                return Record(line: start, fields: fields)
            }
            let byte = buffer[position]
            position += 1
            size += 1
            guard size <= maximumRecordBytes else {
                throw Self.error(start, "the record is longer than \(maximumRecordBytes) bytes")
            }
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if try fill(), buffer[position] == UInt8(ascii: "\"") {
                        position += 1
                        field.append(byte)
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fields.append(Self.text(field))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            case UInt8(ascii: "\n"):
                line += 1
                if field.last == UInt8(ascii: "\r"), !wasQuoted { field.removeLast() }
                fields.append(Self.text(field))
                return Record(line: start, fields: fields)
            case UInt8(ascii: "\"") where field.isEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
            default:
                // After a closing quote only the line end (or a comma) may come.
                guard !wasQuoted else {
                    guard byte == UInt8(ascii: "\r") else { throw Self.error(start, "characters follow a closing quote") }
                    continue
                }
                field.append(byte)
            }
        }
    }

    /// Makes sure a byte is buffered at `position`; false at the end of the file.
    private mutating func fill() throws -> Bool {
        if position < buffer.count { return true }
        guard !atEnd else { return false }
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        bytesRead += Int64(chunk.count)
        buffer = Array(chunk)
        position = 0
        atEnd = chunk.isEmpty
        return !atEnd
    }

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func error(_ line: Int64, _ message: String) -> DomainError {
        .failedPrecondition("the file cannot be read as CSV at line \(line): \(message)")
    }
}
