import Foundation
import LifeProto
import SwiftProtobuf

/// Recipients as a table for people or JSON (the proto's JSON mapping) for programs.
enum RecipientPrinter {
    static func print(_ recipients: [Life_V1_Recipient], json: Bool, detailed: Bool = false) {
        if json {
            for recipient in recipients { Swift.print((try? recipient.jsonString()) ?? "{}") }
            return
        }
        if detailed, let recipient = recipients.first, recipients.count == 1 {
            let rows: [(String, String)] = [
                ("id", recipient.id), ("version", "\(recipient.version)"), ("保険者番号", recipient.insurerNumber),
                ("被保険者番号", recipient.insuredNumber), ("氏名", recipient.fullName), ("氏名カナ", recipient.fullNameKana),
                ("性別", sex(recipient.sex)), ("生年月日", text(recipient.birthDate)),
                ("認定日", text(recipient.certificationDate)),
                ("認定有効期間", "\(text(recipient.certificationValidFrom)) – \(text(recipient.certificationValidUntil))"),
                ("要介護状態区分", String(format: "%02d", recipient.careLevel.rawValue)), ("サービス種類", recipient.serviceTypeCode),
                ("障害自立度", "\(recipient.physicalIndependence.rawValue)"), ("認知症自立度", "\(recipient.dementiaIndependence.rawValue)"),
                ("更新", "\(recipient.updatedAt.date.lifectlText) by \(recipient.updatedBy)"),
                ("資格確認", verification(recipient.verification)),
            ]
            for (label, value) in rows + migration(recipient) { Swift.print("\(label)\t\(value)") }
            return
        }
        for recipient in recipients {
            Swift.print(
                [
                    recipient.id, "v\(recipient.version)", recipient.insurerNumber, recipient.insuredNumber, recipient.fullNameKana,
                    recipient.fullName, text(recipient.birthDate), String(format: "%02d", recipient.careLevel.rawValue),
                    recipient.serviceTypeCode, correction(recipient), recipient.legacyID.isEmpty ? "-" : recipient.legacyID,
                    status(recipient.verification.status),
                ].joined(separator: "\t"))
        }
    }

    /// The rows `recipient get` adds for a record imported from the old system: 要修正 and one
    /// line per field to correct (field: reason — description), and the old system's id.
    static func migration(_ recipient: Life_V1_Recipient) -> [(String, String)] {
        var rows: [(String, String)] = []
        if recipient.needsCorrection {
            rows.append(("要修正", "yes: \(recipient.corrections.count) field(s) to correct; not checked for eligibility until corrected"))
            for violation in recipient.corrections {
                rows.append(("修正項目", "\(violation.field): \(violation.reason) — \(violation.description_p)"))
            }
        }
        if !recipient.legacyID.isEmpty { rows.append(("旧システムID", recipient.legacyID)) }
        return rows
    }

    /// The correction column of `recipient list`: "-", or 要修正 and the fields to correct.
    static func correction(_ recipient: Life_V1_Recipient) -> String {
        guard recipient.needsCorrection else { return "-" }
        let fields = recipient.corrections.map { $0.field.hasPrefix("recipient.") ? String($0.field.dropFirst(10)) : $0.field }
        return "要修正" + (fields.isEmpty ? "" : "(\(fields.joined(separator: ",")))")
    }

    /// One line per change, flushed at once: a watch is read as it happens, often through a pipe.
    static func printChange(_ change: Life_V1_WatchRecipientsResponse, json: Bool) {
        defer { fflush(nil) }
        if json {
            Swift.print((try? change.jsonString()) ?? "{}")
            return
        }
        let kind = String(describing: change.kind).uppercased()
        Swift.print(
            "#\(change.sequence)\t\(change.changedAt.date.lifectlText)\t\(kind)\t\(change.recipient.id)\tv\(change.recipient.version)\t\(change.recipient.fullNameKana)\tby \(change.changedBy)"
        )
    }

    /// A stored eligibility check in one line: status, differing fields, when, against what.
    static func verification(_ result: Life_V1_VerificationResult) -> String {
        guard result.status != .unspecified else { return "UNVERIFIED (never checked)" }
        let names: [Life_V1_VerificationField: String] = [
            .insurerNumber: "INSURER_NUMBER", .insuredNumber: "INSURED_NUMBER", .birthDate: "BIRTH_DATE", .sex: "SEX",
        ]
        let fields = result.mismatchedFields.map { names[$0] ?? "\($0.rawValue)" }.joined(separator: ",")
        return status(result.status) + (fields.isEmpty ? "" : " (\(fields))")
            + " on \(text(result.checkedOn)), checked \(result.checkedAt.date.lifectlText), v\(result.recipientVersion), registry r\(result.registryRevision)"
    }

    static func status(_ status: Life_V1_VerificationStatus) -> String {
        switch status {
        case .matched: "MATCHED"
        case .mismatched: "MISMATCHED"
        case .notFound: "NOT_FOUND"
        case .notChecked: "NOT_CHECKED"
        default: "UNVERIFIED"
        }
    }

    /// 男 or 女; "-" when not given (a record imported needing correction may have none).
    static func sex(_ sex: Life_V1_Sex) -> String {
        switch sex {
        case .male: "男"
        case .female: "女"
        default: "-"
        }
    }

    static func text(_ date: Life_V1_Date) -> String {
        date.year == 0 ? "-" : String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
    }
}
