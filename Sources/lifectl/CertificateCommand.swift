import ArgumentParser
import Foundation
import LifeClient
import LifeProto
import NIOSSL

/// `lifectl cert …`: which client certificates prove which facility, beyond the subject attribute.
struct CertificateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Register client certificates to facilities by fingerprint; list and revoke registrations; tell whether one is needed.",
        subcommands: [Register.self, List.self, Revoke.self, CertificateNeed.self]
    )

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a certificate (PEM file) or its SHA-256 fingerprint to a facility."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "事業所番号 the certificate proves.") var facility: String
        @Option(help: "PEM certificate file.") var file: String?
        @Option(help: "SHA-256 fingerprint of the certificate's DER (64 hex digits, colons allowed).") var fingerprint: String?
        @Option(help: "Note for operators.") var note = ""

        func validate() throws {
            guard (file == nil) != (fingerprint == nil) else { throw ValidationError("give exactly one of --file and --fingerprint") }
        }

        func run() async throws {
            var request = Life_V1_CreateCertificateRegistrationRequest()
            request.facilityNumber = facility
            request.note = note
            if let file {
                guard let certificate = try? NIOSSLCertificate.fromPEMFile(file).first else {
                    throw ValidationError("\(file) holds no PEM certificate")
                }
                request.certificateDer = Data(try certificate.toDERBytes())
            } else if let fingerprint {
                request.fingerprint = fingerprint
            }
            let registration = try await AdminSession.run(connection) { [request] client in
                try await client.admin.createCertificateRegistration(request).registration
            }
            print("registered \(registration.fingerprint) → \(registration.facilityNumber)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List certificate registrations.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only this facility.") var facility: String?
        @Flag(help: "Include revoked registrations.") var all = false

        func run() async throws {
            var request = Life_V1_ListCertificateRegistrationsRequest()
            request.facilityNumber = facility ?? ""
            request.includeRevoked = all
            request.page.pageSize = 500
            // Every page, printed as it arrives.
            try await AdminSession.run(connection) { [request] client in
                var request = request
                repeat {
                    let page = try await client.admin.listCertificateRegistrations(request)
                    for registration in page.registrations {
                        let state = registration.hasRevokedAt ? "revoked" : "active "
                        print(
                            "\(registration.facilityNumber)  \(state)  \(registration.fingerprint)  \(registration.subject)  \(registration.note)"
                        )
                    }
                    request.page.pageToken = page.page.nextPageToken
                } while !request.page.pageToken.isEmpty
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a fingerprint registration.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var fingerprint: String

        func run() async throws {
            var request = Life_V1_RevokeCertificateRegistrationRequest()
            request.fingerprint = fingerprint
            _ = try await AdminSession.run(connection) { [request] client in try await client.admin.revokeCertificateRegistration(request) }
            print("revoked \(fingerprint)")
        }
    }
}
