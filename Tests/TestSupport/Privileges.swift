import Foundation

/// What this test process may do beyond an ordinary user. `Scripts/test.sh` runs the suite with
/// every capability dropped (so the daemon under test runs the way its systemd unit runs it, and
/// a call that needs a privilege fails here as it would there), then runs the few tests that need
/// root in a second pass.
public enum Privileges {
    /// The effective capability set of this process (`CapEff` in /proc/self/status); 0 when
    /// unknown.
    public static var effectiveCapabilities: UInt64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let value = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return 0 }
        return value
    }

    /// Whether this process can switch to another uid and gid (CAP_SETUID and CAP_SETGID), as
    /// `setpriv --reuid` needs.
    public static var canChangeUser: Bool {
        let setgid: UInt64 = 1 << 6
        let setuid: UInt64 = 1 << 7
        return effectiveCapabilities & (setgid | setuid) == setgid | setuid
    }

    /// Whether this process can mount filesystems and make mount namespaces (CAP_SYS_ADMIN).
    public static var canMount: Bool {
        let sysAdmin: UInt64 = 1 << 21
        return effectiveCapabilities & sysAdmin != 0
    }

    /// Set by `Scripts/test.sh` when it dropped every capability for the run.
    public static var runExpectsNoCapabilities: Bool {
        ProcessInfo.processInfo.environment["LIFED_TESTS_UNPRIVILEGED"] == "1"
    }
}
