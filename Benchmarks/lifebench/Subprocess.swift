import Foundation

/// Child processes of the benchmark: lifed and the echo server.
enum Subprocess {
    static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationFailure("no executable at \(executable) (build it first: swift build -c release)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = Pipe()
        try process.run()
        return process
    }

    /// Waits up to 60 s for `path` and returns its `key = value` lines.
    static func waitForFile(_ path: String) throws -> [String: String] {
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                var values: [String: String] = [:]
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2 { values[parts[0]] = parts[1] }
                }
                return values
            }
            usleep(100_000)
        }
        throw ValidationFailure("\(path) did not appear: did lifed start?")
    }

    /// Reads the child's standard output until a line starting with `prefix`; returns the rest.
    static func readLine(_ process: Process, prefix: String) throws -> String? {
        guard let pipe = process.standardOutput as? Pipe else { return nil }
        var text = ""
        while true {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { return nil }
            text += String(decoding: data, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count))
            }
        }
    }
}

struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
