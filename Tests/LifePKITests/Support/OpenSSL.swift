import Foundation

/// Runs the `openssl` command line tool for interoperability tests, when it is installed.
enum OpenSSL {
    /// The path of `openssl` on PATH, or nil.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":")
            .map { "\($0)/openssl" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isAvailable: Bool { executable != nil }

    struct Result {
        var status: Int32
        /// stdout and stderr together.
        var output: String
    }

    /// Runs `openssl arguments…` in `directory` and waits for it. Its output goes to a file,
    /// not a pipe: a pipe's end-of-file waits for every copy of its write end, and a program
    /// another test starts at the same moment may hold one for as long as it runs.
    static func run(_ arguments: [String], in directory: URL) throws -> Result {
        guard let executable else { throw CocoaError(.fileNoSuchFile) }
        let outputPath = directory.appendingPathComponent("openssl-output-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath)
        else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
