import Foundation
import LifeCore

/// A file an operator asked the daemon to import, opened for reading. The daemon reads it with
/// its own rights, so a file it cannot read is the operator's to fix: `failedPrecondition`.
struct ImportFile {
    let handle: FileHandle
    /// Its size when opened.
    let totalBytes: Int64

    init(path: String) throws {
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw DomainError.failedPrecondition("cannot read \(path): \(Self.reason(error)); the daemon's user must be able to read it")
        }
        totalBytes = Int64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0)
    }

    func close() { try? handle.close() }

    private static func reason(_ error: any Error) -> String {
        let cocoa = error as NSError
        if let posix = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        switch cocoa.code {
        case NSFileReadNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError: return "permission denied"
        default: return cocoa.localizedDescription
        }
    }
}
