import SwiftProtobuf
import SwiftProtobufPluginLibrary

/// Checks on whole files that the per-service model cannot make alone.
enum StubRules {
    /// The C client (protoc-c 1.4) rejects proto3 `optional`; fail here, where the error is cheap.
    static func checkNoProto3Optional(in file: FileDescriptor) throws {
        func visit(_ message: Google_Protobuf_DescriptorProto, scope: String) throws {
            let name = scope + "." + message.name
            for field in message.field where field.proto3Optional {
                throw StubError.proto3Optional(file: file.name, field: name + "." + field.name)
            }
            for nested in message.nestedType {
                try visit(nested, scope: name)
            }
        }
        for message in file.extractProto().messageType {
            try visit(message, scope: file.package)
        }
    }

    /// The generated service types live in another module than the messages, so a clash would
    /// not fail to compile here but make the name ambiguous wherever both modules are imported.
    static func checkTypeNamesAreFree(_ services: [ServiceModel], in file: FileDescriptor, namer: SwiftProtobufNamer) throws {
        var taken = Set<String>()
        var visited = Set<String>()
        func collect(_ file: FileDescriptor) {
            guard visited.insert(file.name).inserted else { return }
            taken.formUnion(file.messages.map { namer.fullName(message: $0) })
            taken.formUnion(file.enums.map { namer.fullName(enum: $0) })
            file.dependencies.forEach(collect)
        }
        collect(file)
        for service in services {
            for name in [service.namespaceName, service.protocolName, service.clientName] where taken.contains(name) {
                throw StubError.typeNameTaken(file: file.name, service: service.fullName, swiftName: name)
            }
        }
    }
}
