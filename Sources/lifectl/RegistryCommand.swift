import ArgumentParser
import Foundation
import LifeClient
import LifeProto
import SwiftProtobuf

/// `lifectl registry …`: the qualification registry (被保険者証情報) and participating insurers.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Import qualification records, manage participating insurers, follow re-checks.",
        discussion: """
            Recipients are checked against the registry only for insurers that participate. Every \
            change (an import that changes records, an insurer joining or leaving) starts a bulk \
            re-check of the recipients it can affect, in every facility; `registry status` shows it.
            """,
        subcommands: [Import.self, Insurer.self, Status.self, Jobs.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a CSV file of qualification records.",
            discussion: """
                lifed reads the file itself, so its user (lifed under systemd) must be able to read \
                it, and it must lie outside /home, /root and /tmp, which the systemd unit hides from \
                the daemon: /var/lib/lifed/import/ is made for it. Columns (header line, any order): \
                insurer_number, insured_number, birth_date (YYYY-MM-DD), sex (1 or 2), and optionally \
                valid_from, valid_until (YYYY-MM-DD, empty = open). For each insurer in the file, its \
                records are replaced by the file's; an insurer whose records are unchanged is left \
                alone, so importing the same file again changes nothing. Without --skip-invalid one \
                invalid row imports nothing. Exit status: 0 imported, 1 failed, 2 imported with rows \
                skipped.
                """
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The CSV file (made absolute for the daemon).") var file: String
        @Flag(help: "Import the valid rows and list the invalid ones.") var skipInvalid = false
        @Flag(help: "Only check the file; store nothing.") var validateOnly = false
        @Flag(help: "Print the result as JSON, and no progress.") var json = false

        func run() async throws {
            var request = Life_V1_ImportQualificationRecordsRequest()
            request.path = URL(fileURLWithPath: file).standardizedFileURL.path
            request.format = .csv
            request.skipInvalid = skipInvalid
            request.validateOnly = validateOnly
            var bar = ProgressBar(label: "import", json: json)
            let done = try await AdminSession.run(connection) { [request, bar] client in
                var bar = bar
                defer { bar.finish() }
                var last = Life_V1_ImportQualificationRecordsResponse()
                for try await update in try await client.admin.importQualificationRecords(request) {
                    if !update.done { bar.update(done: update.bytesRead, total: update.totalBytes, count: update.rowCount, unit: "rows") }
                    last = update
                }
                return last
            }
            bar.finish()
            guard done.done else { throw ExitCode(1) }
            if json {
                print(try done.jsonString())
            } else {
                for row in done.invalidRows {
                    print("line \(row.line)\(row.column.isEmpty ? "" : " \(row.column)"): \(row.reason)")
                }
                let verb = validateOnly ? "checked" : "imported"
                print(
                    "\(verb) \(done.rowCount) row(s): \(done.invalidCount) invalid; \(done.importedCount) record(s) stored for "
                        + "\(done.insurerNumbers.count) changed insurer(s); \(done.unchangedInsurerNumbers.count) insurer(s) unchanged")
                if done.hasJob {
                    print("re-check job \(done.job.id) queued for insurer(s) \(done.job.insurerNumbers.joined(separator: ", "))")
                }
            }
            if done.invalidCount > 0 { throw ExitCode(2) }
        }
    }

    struct Insurer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Insurers participating in the eligibility platform.", subcommands: [Join.self, Leave.self, List.self])

        struct Join: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that an insurer joined; its recipients are re-checked in every facility.")
            @OptionGroup var connection: ConnectionOptions
            @Argument(help: "保険者番号, 6 digits with check digit.") var number: String
            @Option(help: "Insurer name.") var name = ""
            @Option(help: "Day it joined, YYYY-MM-DD (default: today).") var joinedOn: String?

            func run() async throws {
                var request = Life_V1_CreateParticipatingInsurerRequest()
                request.insurer.insurerNumber = number
                request.insurer.name = name
                if let joinedOn { request.insurer.joinedOn = try RecipientFieldOptions.date(joinedOn, "--joined-on") }
                let response = try await AdminSession.run(connection) { [request] client in
                    try await client.admin.createParticipatingInsurer(request)
                }
                print(
                    "\(response.insurer.insurerNumber) participates from \(RecipientPrinter.text(response.insurer.joinedOn)); re-check job \(response.job.id) queued"
                )
            }
        }

        struct Leave: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that an insurer left; its recipients become not checked.")
            @OptionGroup var connection: ConnectionOptions
            @Argument(help: "保険者番号.") var number: String
            @Option(help: "First day it no longer participates, YYYY-MM-DD (default: today).") var leftOn: String?

            func run() async throws {
                var request = Life_V1_LeaveParticipatingInsurerRequest()
                request.insurerNumber = number
                if let leftOn { request.leftOn = try RecipientFieldOptions.date(leftOn, "--left-on") }
                let response = try await AdminSession.run(connection) { [request] client in
                    try await client.admin.leaveParticipatingInsurer(request)
                }
                print(
                    "\(response.insurer.insurerNumber) left on \(RecipientPrinter.text(response.insurer.leftOn)); re-check job \(response.job.id) queued"
                )
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List insurers that joined (and left).")
            @OptionGroup var connection: ConnectionOptions

            func run() async throws {
                try await AdminSession.run(connection) { client in
                    var request = Life_V1_ListParticipatingInsurersRequest()
                    request.page.pageSize = 500
                    repeat {
                        let page = try await client.admin.listParticipatingInsurers(request)
                        for insurer in page.insurers {
                            let left = insurer.hasLeftOn ? "  left \(RecipientPrinter.text(insurer.leftOn))" : ""
                            print("\(insurer.insurerNumber)  joined \(RecipientPrinter.text(insurer.joinedOn))\(left)  \(insurer.name)")
                        }
                        request.page.pageToken = page.page.nextPageToken
                    } while !request.page.pageToken.isEmpty
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show registry counts and the re-check jobs queued or running.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let status = try await AdminSession.run(connection) { client in try await client.admin.getRegistryStatus(.init()) }
            if json {
                print(try status.jsonString())
                return
            }
            print("participating insurers: \(status.participatingInsurerCount) (left: \(status.leftInsurerCount))")
            print("qualification records:  \(status.qualificationRecordCount) of \(status.insurerWithRecordsCount) insurer(s)")
            print("registry revision:      \(status.registryRevision)")
            if status.hasLastImportAt { print("last import:            \(status.lastImportAt.date.lifectlText)") }
            print(status.activeJobs.isEmpty ? "no re-check job queued or running" : "re-check jobs:")
            status.activeJobs.forEach { print("  " + Jobs.line($0)) }
        }
    }

    struct Jobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List re-check jobs, newest first.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only jobs of this facility.") var facility = ""
        @Option(help: "At most this many jobs.") var limit = 20

        func run() async throws {
            var request = Life_V1_ListVerificationJobsRequest()
            request.facilityNumber = facility
            request.page.pageSize = Int32(max(1, min(limit, 500)))
            let jobs = try await AdminSession.run(connection) { [request] client in
                try await client.admin.listVerificationJobs(request).jobs
            }
            jobs.forEach { print(Self.line($0)) }
        }

        static func line(_ job: Life_V1_VerificationJob) -> String {
            let state = [Life_V1_VerificationJobState.queued: "QUEUED", .running: "RUNNING", .succeeded: "SUCCEEDED", .failed: "FAILED"][
                job.state, default: "?"]
            let trigger = [
                Life_V1_VerificationJobTrigger.requested: "requested by staff", .insurerJoined: "insurer joined",
                .insurerLeft: "insurer left", .registryImported: "records imported",
            ][job.trigger, default: "?"]
            let scope =
                (job.facilityNumber.isEmpty ? "all facilities" : job.facilityNumber)
                + (job.insurerNumbers.isEmpty ? "" : ", insurers " + job.insurerNumbers.joined(separator: ","))
            return
                "\(job.id)  \(state)  \(job.processedCount)/\(job.totalCount)  matched \(job.matchedCount), mismatched \(job.mismatchedCount), "
                + "not found \(job.notFoundCount), not checked \(job.notCheckedCount)  (\(scope); \(trigger))"
        }
    }
}
