import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// glibc's (2.34 and later); Swift's Glibc module does not import its declaration.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
func spawnActionsAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: CInt) -> CInt

/// glibc's (2.29 and later), not imported either.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
func spawnActionsAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> CInt

/// Runs `body` with a NULL-terminated C array of `strings`.
func withCStrings<Result>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> Result) -> Result {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}

/// Starts `executable` with `actions` applied in the child; throws the spawn's error.
func spawn(_ executable: String, _ arguments: [String], environment: [String: String], actions: inout posix_spawn_file_actions_t) throws
    -> pid_t
{
    let argv = [executable] + arguments
    let envp = environment.map { "\($0.key)=\($0.value)" }
    var pid: pid_t = 0
    let result = withCStrings(argv) { argvPointers in
        withCStrings(envp) { envpPointers in posix_spawn(&pid, executable, &actions, nil, argvPointers, envpPointers) }
    }
    guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
    return pid
}
