import ArgumentParser
import LifeProto

/// `lifectl mode show|set`: the operating mode through the switch-over from the old LIFE.
struct ModeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mode",
        abstract: "Show or set the operating mode: normal, migration-freeze or read-only.",
        discussion: """
            normal: everything is served. migration-freeze (while the old system's data is \
            transferred): deleting recipients, disabling facilities and creating facilities are \
            refused; everything else is served. read-only (reference only): every call that changes \
            data is refused; reads, Watch, login, logout and password changes are served. A refused \
            call is FAILED_PRECONDITION naming the mode. The mode survives restarts; every change is \
            audited with its reason; lifectl probe and the systemd status line show it.
            """,
        subcommands: [Show.self, Set.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the mode, its reason and when it was set.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let state = try await AdminSession.run(connection) { client in try await client.admin.getOperatingMode(.init()).state }
            print(ModeCommand.name(state.mode) + (state.hasChangedAt ? "  since \(state.changedAt.date.lifectlText): \(state.reason)" : ""))
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the mode; the reason goes into the audit log.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "normal, migration-freeze or read-only.") var mode: String
        @Option(help: "Why (required; 1…500 characters).") var reason: String

        func run() async throws {
            guard let wire = ModeCommand.modes.first(where: { $0.value == mode })?.key else {
                throw ValidationError("MODE must be normal, migration-freeze or read-only, not \(mode)")
            }
            var request = Life_V1_SetOperatingModeRequest()
            request.mode = wire
            request.reason = reason
            let state = try await AdminSession.run(connection) { [request] client in try await client.admin.setOperatingMode(request).state
            }
            print("mode \(ModeCommand.name(state.mode)) since \(state.changedAt.date.lifectlText)")
        }
    }

    static let modes: [Life_V1_OperatingMode: String] = [.normal: "normal", .migrationFreeze: "migration-freeze", .readOnly: "read-only"]

    static func name(_ mode: Life_V1_OperatingMode) -> String { modes[mode] ?? "unknown" }
}
