// swift-tools-version: 6.1
// protoc-gen-lifestubs: a protoc plugin that turns the services of Protos/life/v1/*.proto into
// LifeWire server protocols and typed clients. Built and run by Scripts/generate.sh; not part
// of the lifed package.
import PackageDescription

let package = Package(
    name: "protoc-gen-lifestubs",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "protoc-gen-lifestubs", targets: ["protoc-gen-lifestubs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .executableTarget(
            name: "protoc-gen-lifestubs",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "SwiftProtobufPluginLibrary", package: "swift-protobuf"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
