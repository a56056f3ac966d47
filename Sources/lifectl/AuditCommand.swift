import ArgumentParser
import Foundation
import LifeClient
import LifeProto
import LifeWire

/// `lifectl audit …`: the hash-chained audit log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show recent audit events; verify the hash chain.",
        subcommands: [Tail.self, Verify.self]
    )

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the most recent events, oldest first.")
        @OptionGroup var connection: ConnectionOptions
        @Option(name: [.customShort("n"), .customLong("count")], help: "How many events (1…500).") var count = 20

        func run() async throws {
            var request = Life_V1_ListAuditEventsRequest()
            request.page.pageSize = Int32(count)
            let events = try await AdminSession.run(connection) { [request] client in
                try await client.admin.listAuditEvents(request).events
            }
            for event in events.reversed() {
                let who = [event.facilityNumber, event.loginID].filter { !$0.isEmpty }.joined(separator: "/")
                let time = event.time.date.lifectlText
                let result = RPCError.Code(rawValue: event.result.rawValue)?.description ?? "\(event.result)"
                print(
                    "\(event.sequence)  \(time)  \(event.method)  \(result)  \(who.isEmpty ? "-" : who)  \(event.target)  \(event.reason)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the whole chain; exit 1 and name the first broken record if any was edited, inserted or deleted."
        )
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let result = try await AdminSession.run(connection) { client in try await client.admin.verifyAuditChain(.init()) }
            if result.intact {
                print("audit chain intact: \(result.checkedCount) events")
                if !result.headAnchored {
                    print("note: the head is not sealed (audit.anchor_key is none): deleting the newest events would not be detected")
                }
            } else {
                print("audit chain BROKEN at event \(result.firstBrokenSequence): \(result.problem)")
                throw ExitCode(1)
            }
        }
    }
}
