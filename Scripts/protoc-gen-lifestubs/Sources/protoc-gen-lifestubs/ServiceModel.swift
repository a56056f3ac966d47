import SwiftProtobufPluginLibrary

/// One service, checked and named for Swift: everything the renderer needs, nothing it must
/// look up in descriptors.
struct ServiceModel {
    /// Package-qualified name, `life.v1.Health`.
    let fullName: String
    /// Namespace enum holding the method descriptors, `Life_V1_Health`.
    let namespaceName: String
    /// Server protocol, `Life_V1_HealthService`.
    let protocolName: String
    /// Typed client, `Life_V1_HealthClient`.
    let clientName: String
    /// `///` lines of the service's leading comment, without indentation.
    let docLines: [String]
    let methods: [MethodModel]

    init(service: ServiceDescriptor, namer: SwiftProtobufNamer) throws {
        let file = service.file.name
        fullName = service.fullName
        namespaceName = namer.typePrefix(forFile: service.file) + service.name
        protocolName = namespaceName + "Service"
        clientName = namespaceName + "Client"
        docLines = Self.docLines(service.protoSourceComments())

        var seen = Set<String>()
        methods = try service.methods.map { method in
            let model = try MethodModel(method: method, namer: namer)
            guard seen.insert(model.swiftName).inserted else {
                throw StubError.duplicateMethodName(file: file, service: service.fullName, swiftName: model.swiftName)
            }
            return model
        }
    }

    /// Splits protoc's `///`-prefixed comment text into lines.
    static func docLines(_ comment: String) -> [String] {
        comment.split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
            .filter { !$0.isEmpty }
    }
}

/// One rpc of a service.
struct MethodModel {
    enum Kind {
        case unary
        case serverStreaming

        /// The `MethodDescriptor.Kind` case in LifeWire.
        var descriptorCase: String {
            switch self {
            case .unary: ".unary"
            case .serverStreaming: ".serverStreaming"
            }
        }
    }

    /// Name as in the .proto, `Check`; sent on the wire.
    let protoName: String
    /// lowerCamelCase name of the Swift members, `check`.
    let swiftName: String
    let kind: Kind
    /// Swift type of the request message, `Life_V1_HealthCheckRequest`.
    let requestType: String
    /// Swift type of the (each) response message.
    let responseType: String
    let docLines: [String]

    /// Names the generated code itself declares next to the methods (`Method.all`, the client's
    /// `caller`), so an rpc must not take them.
    static let namesUsedByStubs: Set<String> = ["all", "caller"]

    init(method: SwiftProtobufPluginLibrary.MethodDescriptor, namer: SwiftProtobufNamer) throws {
        let file = method.file.name
        switch (method.clientStreaming, method.serverStreaming) {
        case (false, false): kind = .unary
        case (false, true): kind = .serverStreaming
        case (true, false):
            throw StubError.unsupportedStreaming(file: file, method: method.fullName, kind: "client-streaming")
        case (true, true):
            throw StubError.unsupportedStreaming(file: file, method: method.fullName, kind: "bidirectional-streaming")
        }
        protoName = method.name
        swiftName = NamingUtils.toLowerCamelCase(method.name)
        let reserved =
            swiftKeywordsUsedInDeclarations
            .union(swiftKeywordsUsedInStatements)
            .union(swiftKeywordsUsedInExpressionsAndTypes)
            .union(Self.namesUsedByStubs)
        guard isValidSwiftIdentifier(swiftName), !reserved.contains(swiftName) else {
            throw StubError.reservedMethodName(file: file, method: method.fullName, swiftName: swiftName)
        }
        requestType = namer.fullName(message: method.inputType)
        responseType = namer.fullName(message: method.outputType)
        docLines = ServiceModel.docLines(method.protoSourceComments())
    }
}
