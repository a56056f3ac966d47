import LifeWire
import NIOCore
import NIOPosix
import NIOSSL

/// Opens the socket for an endpoint and sets up TLS and the frame decoder.
enum ClientBootstrapFactory {
    static func connect(
        to endpoint: ClientEndpoint,
        group: any EventLoopGroup,
        timeout: Duration
    ) async throws -> ClientConnection {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(saturating: timeout))
        do {
            switch endpoint {
            case .unix(let path):
                return try await bootstrap.connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture { try framed(channel) }
                }
            case .tls(let host, let port, let options):
                let context = try makeContext(options)
                return try await bootstrap.channelOption(.tcpOption(.tcp_nodelay), value: 1).connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = try NIOSSLClientHandler(context: context, serverHostname: options.serverName)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return try framed(channel)
                    }
                }
            }
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.unavailable, "cannot connect to \(endpoint): \(error)")
        }
    }

    private static func framed(_ channel: Channel) throws -> ClientConnection {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameSize: 64 << 20)))
        return try ClientConnection(channel: channel)
    }

    private static func makeContext(_ options: TLSClientOptions) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(options.caPath))
            if let certificatePath = options.certificatePath {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            }
            if let keyPath = options.privateKeyPath {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
            }
        } catch {
            throw RPCError(.invalidArgument, "cannot read the TLS client files: \(error)")
        }
        if options.onlyTLS12 {
            configuration.minimumTLSVersion = .tlsv12
            configuration.maximumTLSVersion = .tlsv12
        } else {
            configuration.minimumTLSVersion = .tlsv13
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
