import Foundation
import LifeApp
import LifeCore
import Testing

/// RFC 4180 as import files come: BOM, CRLF, quotes, fields spanning lines, blank lines.
@Suite("CSV reader")
struct CSVRecordReaderTests {
    static func records(_ text: String, maximum: Int = 65_536) throws -> [CSVRecordReader.Record] {
        let path = NSTemporaryDirectory() + "csv-\(UUID().uuidString).csv"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reader = CSVRecordReader(handle: try FileHandle(forReadingFrom: URL(fileURLWithPath: path)), maximumRecordBytes: maximum)
        var all: [CSVRecordReader.Record] = []
        while let record = try reader.next() { all.append(record) }
        return all
    }

    @Test("BOM, CRLF, quoted commas, doubled quotes, a field over two lines, blank lines; lines counted from the file")
    func details() throws {
        let all = try Self.records("\u{FEFF}a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n\"two\r\nlines\",z\r\nlast,\"\"\n")
        #expect(all.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\""], ["two\r\nlines", "z"], ["last", ""]])
        #expect(all.map(\.line) == [1, 2, 4, 6])
    }

    @Test("no line end at the end of the file; unclosed quote and overlong record are errors naming the line")
    func errors() throws {
        #expect(try Self.records("a,b\n1,2").map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(throws: DomainError.self) { try Self.records("a\n\"open\n") }
        #expect(throws: DomainError.self) { try Self.records("a\n\"x\"y\n") }
        do {
            _ = try Self.records("a\n" + String(repeating: "x", count: 100) + "\n", maximum: 50)
            Issue.record("an overlong record was read")
        } catch DomainError.failedPrecondition(let message) {
            #expect(message.contains("line 2"))
        }
    }
}
