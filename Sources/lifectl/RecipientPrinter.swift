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
                ("性別", recipient.sex == .male ? "男" : "女"), ("生年月日", text(recipient.birthDate)),
                ("認定日", text(recipient.certificationDate)),
                ("認定有効期間", "\(text(recipient.certificationValidFrom)) – \(text(recipient.certificationValidUntil))"),
                ("要介護状態区分", String(format: "%02d", recipient.careLevel.rawValue)), ("サービス種類", recipient.serviceTypeCode),
                ("障害自立度", "\(recipient.physicalIndependence.rawValue)"), ("認知症自立度", "\(recipient.dementiaIndependence.rawValue)"),
                ("更新", "\(recipient.updatedAt.date.lifectlText) by \(recipient.updatedBy)"),
                ("資格確認", verification(recipient.verification)),
            ]
            for (label, value) in rows { Swift.print("\(label)\t\(value)") }
            return
        }
        for recipient in recipients {
            Swift.print(
                [
                    recipient.id, "v\(recipient.version)", recipient.insurerNumber, recipient.insuredNumber, recipient.fullNameKana,
                    recipient.fullName, text(recipient.birthDate), String(format: "%02d", recipient.careLevel.rawValue),
                    recipient.serviceTypeCode, status(recipient.verification.status),
                ].joined(separator: "\t"))
        }
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

    static func text(_ date: Life_V1_Date) -> String {
        date.year == 0 ? "-" : String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
    }
}
