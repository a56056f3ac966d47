// swift-tools-version: 6.1
// libFuzzer targets over the daemon's input paths. A package of its own so the main build is
// untouched: every module here, the daemon's included, is compiled with the fuzzer's
// instrumentation. Build and run with Scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "lifed-fuzz",
    dependencies: [
        .package(name: "lifed", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Hands libFuzzer's driver the target's one-input function.
        .target(name: "FuzzDriver"),
        // The frame decoder: preface and frames, whole or split anywhere.
        .executableTarget(
            name: "FuzzFrames",
            dependencies: [
                "FuzzDriver",
                .product(name: "LifeClient", package: "lifed"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
