import Foundation
import TestSupport
import Testing

/// A Unix socket peer admitted by a supplementary group only: the daemon looks the group up in
/// the group database off its event loops (a debug build stops if it ever does so on one).
@Suite("Unix peers admitted by group")
struct UnixGroupAdmissionTests {
    @Test(
        "a peer whose supplementary group is in unix.allow_groups is served; one outside it is refused",
        // Root only: lifed runs in a mount namespace of its own where /etc/group lists nobody in
        // a test group, and lifectl runs as other uids. Scripts/test.sh runs it in its privileged pass.
        .enabled(
            if: Privileges.canChangeUser && Privileges.canMount && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
            "needs root (CAP_SYS_ADMIN, CAP_SETUID): Scripts/test.sh runs it in its privileged pass"))
    func admittedBySupplementaryGroup() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        chmod(folder.path, 0o755)
        let groups = try String(contentsOfFile: "/etc/group", encoding: .utf8)
        try folder.write(groups + (groups.hasSuffix("\n") ? "" : "\n") + "lifedtestgroup:x:4242:nobody\n", to: "group")
        let lifed = ChildProcess(
            "/usr/bin/unshare",
            [
                "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "mount --bind \"$1\" /etc/group && shift && exec \"$@\"",
                "sh",
                folder.file("group"), Products.path("lifed"), "--dev", "--dev-dir", folder.file("dev"), "--dev-port", "0",
                "--set", "unix.allow_groups=4242", "--set", "unix.mode=0666",
            ],
            directory: folder.path)
        try lifed.start()
        let socket = folder.file("dev/lifed.sock")
        #expect(await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: socket) }, "\(lifed.standardError)")
        chmod(folder.file("dev"), 0o711)  // lifed --dev makes its folder private; the socket itself is 0666.

        // nobody (65534): its primary group is not allowed, its supplementary group 4242 is.
        let member = try await ChildProcess.run(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", Products.path("lifectl"), "probe", "--json", "--socket", socket])
        #expect(member.status == 0, "stdout: \(member.stdout) stderr: \(member.stderr)")
        // A uid with no entry in the user database has no supplementary groups.
        let stranger = try await ChildProcess.run(
            "/usr/bin/setpriv",
            ["--reuid=65533", "--regid=65533", "--clear-groups", Products.path("lifectl"), "probe", "--json", "--socket", socket])
        #expect(stranger.status == 2, "stdout: \(stranger.stdout) stderr: \(stranger.stderr)")
        #expect(stranger.stdout.contains("may not use the lifed socket"))

        lifed.signal(SIGTERM)
        #expect(await lifed.waitForExit() == 0, "stderr: \(lifed.standardError)")
    }
}
