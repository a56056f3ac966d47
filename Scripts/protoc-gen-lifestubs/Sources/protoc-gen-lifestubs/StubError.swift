/// Why the plugin refused a .proto file. The description is what protoc prints.
enum StubError: Error, CustomStringConvertible {
    case unknownParameter(String)
    case unsupportedStreaming(file: String, method: String, kind: String)
    case reservedMethodName(file: String, method: String, swiftName: String)
    case duplicateMethodName(file: String, service: String, swiftName: String)
    case typeNameTaken(file: String, service: String, swiftName: String)
    case proto3Optional(file: String, field: String)

    var description: String {
        switch self {
        case .unknownParameter(let key):
            return "protoc-gen-lifestubs takes no options, got '\(key)'"
        case .unsupportedStreaming(let file, let method, let kind):
            return "\(file): rpc \(method) is \(kind); LRPC v1 has unary and server-streaming calls only"
        case .reservedMethodName(let file, let method, let swiftName):
            return "\(file): rpc \(method) becomes '\(swiftName)' in Swift, a keyword or a name the stubs use; rename the rpc"
        case .duplicateMethodName(let file, let service, let swiftName):
            return "\(file): two rpcs of \(service) both become '\(swiftName)' in Swift"
        case .typeNameTaken(let file, let service, let swiftName):
            return "\(file): service \(service) needs the Swift type name \(swiftName), which a message or enum already has"
        case .proto3Optional(let file, let field):
            return "\(file): field \(field) is proto3 'optional', which protoc-c 1.4 rejects; use a wrapper message or oneof"
        }
    }
}
