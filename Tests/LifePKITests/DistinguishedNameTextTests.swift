import LifePKI
import Testing

/// Issue 13 item 7: a subject is chosen by whoever made the certificate; in a log line it must
/// not forge lines, steer a terminal or reorder text.
@Suite("Subjects in logs")
struct DistinguishedNameTextTests {
    @Test("control, format and bidirectional characters of a subject are escaped, and a long one is cut")
    func logSafe() throws {
        let subject = try TestCertificates.name("Evil\n2026-11-30 lifed: login OK\u{1B}[2J\u{202E}cba")
        let text = DistinguishedNameText.logSafe(subject)
        #expect(text == "CN=Evil\\u{a}2026-11-30 lifed: login OK\\u{1b}[2J\\u{202e}cba")
        #expect(!text.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format })
        let long = DistinguishedNameText.logSafe(try TestCertificates.name(String(repeating: "x", count: 1000)))
        #expect(long.count == 257)
        #expect(long.hasSuffix("…"))
    }
}
