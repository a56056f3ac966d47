import ArgumentParser

@main
struct Lifectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifectl",
        abstract: "Probe and administer a running lifed.",
        discussion: """
            lifectl talks to lifed over its Unix socket (admin commands work only there) or, for \
            probe, login and recipient, over TLS with a facility certificate. Where to connect: \
            --socket, else $LIFED_SOCKET, else ./lifed-dev/lifectl.conf (written by `lifed --dev`), \
            else /run/lifed/lifed.sock; for TLS, --address/--ca/--cert/--key, else lifectl.conf.
            """,
        version: "0.1.0",
        subcommands: [
            ProbeCommand.self, FacilityCommand.self, CertificateCommand.self, StaffCommand.self, RegistryCommand.self, MigrateCommand.self,
            ModeCommand.self, AuditCommand.self, BackupCommand.self, DatabaseCommand.self, LoginCommand.self, RecipientCommand.self,
            DevCommand.self,
        ]
    )
}
