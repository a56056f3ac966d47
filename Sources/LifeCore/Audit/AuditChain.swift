import Crypto
import Foundation

/// The hash chain over audit records: each record's hash covers the previous hash, its sequence
/// number and every field, so editing, deleting or inserting a record breaks the chain at a
/// place `verify` names.
public enum AuditChain {
    /// The outcome of checking a chain.
    public enum Verification: Sendable, Hashable {
        case intact(records: Int)
        /// The first record (by sequence) where the chain does not hold, and why.
        case broken(sequence: Int64, reason: String)
    }

    /// SHA-256, lower-case hex, over `previousHash`, `sequence` and the event's fields, each
    /// length-prefixed so no two different records encode alike.
    public static func hash(previousHash: String, sequence: Int64, event: AuditEvent) -> String {
        var bytes: [UInt8] = []
        func append(_ text: String) {
            let utf8 = Array(text.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        }
        append(previousHash)
        append(String(sequence))
        append(String(Int64((event.time.timeIntervalSince1970 * 1_000_000).rounded())))
        for field in [
            event.facility, event.loginID, event.certificateFingerprint, event.localPeer, event.method, event.target, event.result,
            event.reason,
        ] {
            append(field)
        }
        return SHA256.hash(data: bytes).lowerHex
    }

    /// Checks records given in storage order (ascending sequence).
    public static func verify(_ records: some Sequence<AuditRecord>) -> Verification {
        var previousHash = ""
        var expected: Int64 = 1
        var count = 0
        for record in records {
            if record.sequence != expected {
                let reason =
                    record.sequence > expected
                    ? "records \(expected)…\(record.sequence - 1) are missing"
                    : "record \(record.sequence) appears twice or out of order"
                return .broken(sequence: record.sequence, reason: reason)
            }
            if record.previousHash != previousHash {
                return .broken(sequence: record.sequence, reason: "previous hash does not match record \(record.sequence - 1)")
            }
            if hash(previousHash: record.previousHash, sequence: record.sequence, event: record.event) != record.hash {
                return .broken(sequence: record.sequence, reason: "record \(record.sequence) was altered (hash does not match its fields)")
            }
            previousHash = record.hash
            expected += 1
            count += 1
        }
        return .intact(records: count)
    }
}
