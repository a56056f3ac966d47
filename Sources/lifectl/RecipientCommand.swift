import ArgumentParser
import Foundation
import LifeClient
import LifeProto

/// `lifectl recipient …`: a facility's care recipients, as its staff see them, over TLS.
struct RecipientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipient",
        abstract: "Create, read, list, update, delete and watch the recipients (利用者) of your facility.",
        discussion: """
            Needs `lifectl login` first. Output is a table, or JSON with --json. A record imported \
            from the old LIFE that today's rules refuse is marked 要修正 with the fields to correct \
            (docs/MIGRATION.md); an update whose fields are all valid clears the mark.
            """,
        subcommands: [Create.self, Get.self, List.self, Update.self, Delete.self, Watch.self, Verify.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a recipient.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var fields: RecipientFieldOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var recipient = Life_V1_Recipient()
            try fields.apply(to: &recipient, requireAll: true)
            let request = Life_V1_CreateRecipientRequest.with { $0.recipient = recipient }
            let created = try await StaffSession.run(connection, session) { client, metadata in
                try await client.recipients.createRecipient(request, metadata: metadata).recipient
            }
            RecipientPrinter.print([created], json: json)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one recipient.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var session: SessionOptions
        @Argument(help: "Recipient id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let request = Life_V1_GetRecipientRequest.with { $0.id = id }
            let recipient = try await StaffSession.run(connection, session) { client, metadata in
                try await client.recipients.getRecipient(request, metadata: metadata).recipient
            }
            RecipientPrinter.print([recipient], json: json, detailed: true)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List recipients, ordered by kana; every page unless --page-size.",
            discussion: """
                Columns: id, version, 保険者番号, 被保険者番号, 氏名カナ, 氏名, 生年月日, 要介護状態区分, サービス種類, \
                要修正 (- or the fields to correct), the old LIFE's id (- when none), and last the eligibility result.
                """)
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var session: SessionOptions
        @Option(help: "Only names whose kana starts with this.") var kanaPrefix = ""
        @Option(help: "Only this insurer number.") var insurer = ""
        @Option(help: "Only this service type code.") var service = ""
        @Option(
            help: "Only these eligibility results (repeatable): matched, mismatched, not-found, not-checked, unverified (never checked).")
        var verification: [String] = []
        @Flag(help: "Only records imported from the old LIFE that need correction (要修正).") var needsCorrection = false
        @Flag(help: "Only records that need no correction.") var valid = false
        @Option(help: "One page of this size (1…500) instead of every page.") var pageSize: Int32?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if needsCorrection && valid { throw ValidationError("--needs-correction and --valid exclude each other") }
        }

        func run() async throws {
            var request = Life_V1_ListRecipientsRequest()
            request.fullNameKanaPrefix = kanaPrefix
            request.insurerNumber = insurer
            request.serviceTypeCode = service
            request.verificationStatuses = try verification.map(Verify.status)
            request.correction = needsCorrection ? .needsCorrection : valid ? .valid : .unspecified
            request.page.pageSize = pageSize ?? 500
            let onePage = pageSize != nil
            let (recipients, sequence) = try await StaffSession.run(connection, session) { [request] client, metadata in
                var request = request
                var all: [Life_V1_Recipient] = []
                var sequence: Int64 = 0
                repeat {
                    let page = try await client.recipients.listRecipients(request, metadata: metadata)
                    if sequence == 0 { sequence = page.changeSequence }
                    all += page.recipients
                    request.page.pageToken = page.page.nextPageToken
                } while !request.page.pageToken.isEmpty && !onePage
                return (all, sequence)
            }
            RecipientPrinter.print(recipients, json: json)
            if !json { FileHandle.standardError.write(Data("\(recipients.count) recipient(s); change sequence \(sequence)\n".utf8)) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change fields of a recipient, if it is still at the version you read (else ABORTED).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var session: SessionOptions
        @Argument(help: "Recipient id.") var id: String
        @Option(help: "The version you read (lifectl recipient get).") var version: Int64
        @OptionGroup var fields: RecipientFieldOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (id, version, fields) = (id, version, fields)
            let updated = try await StaffSession.run(connection, session) { client, metadata in
                var recipient = try await client.recipients.getRecipient(.with { $0.id = id }, metadata: metadata).recipient
                try fields.apply(to: &recipient, requireAll: false)
                let request = Life_V1_UpdateRecipientRequest.with {
                    $0.recipient = recipient
                    $0.expectedVersion = version
                }
                return try await client.recipients.updateRecipient(request, metadata: metadata).recipient
            }
            RecipientPrinter.print([updated], json: json, detailed: true)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a recipient, if it is still at the version you read.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var session: SessionOptions
        @Argument(help: "Recipient id.") var id: String
        @Option(help: "The version you read.") var version: Int64

        func run() async throws {
            let request = Life_V1_DeleteRecipientRequest.with {
                $0.id = id
                $0.expectedVersion = version
            }
            _ = try await StaffSession.run(connection, session) { client, metadata in
                try await client.recipients.deleteRecipient(request, metadata: metadata)
            }
            print("deleted \(id)")
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every change to your facility's recipients as it happens, until interrupted.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var session: SessionOptions
        @Option(help: "Resume after this change sequence (from `recipient list`); 0 = from now on.") var after: Int64 = 0
        @Flag(help: "One JSON object per line.") var json = false

        func run() async throws {
            let request = Life_V1_WatchRecipientsRequest.with { $0.afterSequence = after }
            let json = json
            try await StaffSession.run(connection, session) { client, metadata in
                FileHandle.standardError.write(Data("watching (Ctrl-C to stop)\n".utf8))
                for try await change in try await client.recipients.watchRecipients(request, metadata: metadata) {
                    RecipientPrinter.printChange(change, json: json)
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a recipient against the qualification registry now and print the stored result.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var session: SessionOptions
        @Argument(help: "Recipient id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let id = id
            let result = try await StaffSession.run(connection, session) { client, metadata in
                try await client.verification.verifyRecipient(.with { $0.recipientID = id }, metadata: metadata).result
            }
            print(json ? try result.jsonString() : RecipientPrinter.verification(result))
        }

        static func status(_ name: String) throws -> Life_V1_VerificationStatus {
            switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
            case "matched": .matched
            case "mismatched": .mismatched
            case "not-found": .notFound
            case "not-checked": .notChecked
            case "unverified": .unspecified
            default: throw ValidationError("--verification must be matched, mismatched, not-found, not-checked or unverified, not \(name)")
            }
        }
    }
}
