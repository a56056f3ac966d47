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
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        // The server's connection state machine: the listener's pipeline on an in-memory channel,
        // driven by a sequence of frames and events.
        .executableTarget(
            name: "FuzzConnection",
            dependencies: [
                "FuzzDriver",
                .product(name: "LifeDaemon", package: "lifed"),
                .product(name: "LifeClient", package: "lifed"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Request decoding: every method of the daemon's routers, behind the real call gate, over a
        // real store.
        .executableTarget(
            name: "FuzzRequests",
            dependencies: [
                "FuzzDriver",
                .product(name: "LifeDaemon", package: "lifed"),
                .product(name: "LifeClient", package: "lifed"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
