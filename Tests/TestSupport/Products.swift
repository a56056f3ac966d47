import Foundation

/// Paths of the package's executables, built next to the test bundle.
public enum Products {
    /// `lifed` or `lifectl` in the build folder: $LIFED_BUILD_DIR, else the folder of the test
    /// binary, else .build/debug.
    public static func path(_ name: String) -> String {
        var candidates: [String] = []
        if let folder = ProcessInfo.processInfo.environment["LIFED_BUILD_DIR"] { candidates.append(folder + "/" + name) }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent(name).path)
            folder = folder.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/" + name)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }
}
