import SwiftProtobuf
import SwiftProtobufPluginLibrary

/// The protoc plugin: for every .proto file that declares services, emits `<path>.stubs.swift`
/// with, per service, the method descriptors, a server protocol with its router registration,
/// and a typed client, all over the LifeWire call API.
///
/// Files without services produce no output. Client-streaming and bidirectional methods, method
/// names that are Swift keywords, and proto3 `optional` fields (which protoc-c rejects) fail the
/// run with a message naming the file and the element.
@main
struct LifeStubsGenerator: CodeGenerator {
    var version: String? { "1.0.0" }

    /// proto3 `optional` is declared as supported only so that `StubRules` can reject it with a
    /// message of ours rather than protoc's.
    var supportedFeatures: [Google_Protobuf_Compiler_CodeGeneratorResponse.Feature] {
        [.proto3Optional]
    }

    func generate(
        files: [FileDescriptor],
        parameter: any CodeGeneratorParameter,
        protoCompilerContext: any ProtoCompilerContext,
        generatorOutputs: any GeneratorOutputs
    ) throws {
        if let pair = parameter.parsedPairs.first {
            throw StubError.unknownParameter(pair.key)
        }
        for file in files {
            try StubRules.checkNoProto3Optional(in: file)
            guard !file.services.isEmpty else { continue }
            let namer = SwiftProtobufNamer(
                currentFile: file,
                protoFileToModuleMappings: ProtoFileToModuleMappings()
            )
            let services = try file.services.map { try ServiceModel(service: $0, namer: namer) }
            try StubRules.checkTypeNamesAreFree(services, in: file, namer: namer)
            let contents = StubFileRenderer(protoPath: file.name, services: services).render()
            try generatorOutputs.add(fileName: Self.outputPath(for: file.name), contents: contents)
        }
    }

    /// `life/v1/health.proto` -> `life/v1/health.stubs.swift`.
    static func outputPath(for protoPath: String) -> String {
        let base = protoPath.hasSuffix(".proto") ? String(protoPath.dropLast(".proto".count)) : protoPath
        return base + ".stubs.swift"
    }
}
