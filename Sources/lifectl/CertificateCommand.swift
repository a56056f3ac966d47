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
        subcommands: [Register.self, List.self, Revoke.self, CertificateNeed.self, Readiness.self]
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

    struct Readiness: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List facilities by how ready they are to log in to the new LIFE, the ones to chase first.",
            discussion: """
                States: NO_CERTIFICATE (none of its certificates has reached lifed), CERTIFICATE_SEEN \
                (a certificate proving it completed a handshake), LOGGED_IN (a staff \
                member logged in with one). EXPIRING marks a facility whose newest certificate seen \
                expires within --expiring-days. A certificate is noted at most once an hour.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Days ahead within which a certificate counts as expiring.") var expiringDays: Int32 = 30
        @Option(help: "Only facilities in this state: no-certificate, certificate-seen, logged-in, expiring.") var state: String?
        @Flag(help: "Print one JSON object per facility.") var json = false

        func run() async throws {
            let states: [String: (Life_V1_FacilityReadiness) -> Bool] = [
                "no-certificate": { $0.state == .noCertificate }, "certificate-seen": { $0.state == .certificateSeen },
                "logged-in": { $0.state == .loggedIn }, "expiring": { $0.expiringSoon },
            ]
            let keep = try state.map { name in
                guard let filter = states[name] else {
                    throw ValidationError("--state must be no-certificate, certificate-seen, logged-in or expiring")
                }
                return filter
            }
            var request = Life_V1_ListCertificateReadinessRequest()
            request.expiringWithinDays = expiringDays
            request.page.pageSize = 500
            let facilities = try await AdminSession.run(connection) { [request] client in
                var request = request
                var all: [Life_V1_FacilityReadiness] = []
                repeat {
                    let page = try await client.admin.listCertificateReadiness(request)
                    all += page.facilities
                    request.page.pageToken = page.page.nextPageToken
                } while !request.page.pageToken.isEmpty
                return all
            }
            // The facilities furthest behind first.
            let shown = facilities.filter { keep?($0) ?? true }.sorted {
                ($0.state.rawValue, $0.facilityNumber) < ($1.state.rawValue, $1.facilityNumber)
            }
            for facility in shown {
                if json {
                    print(try facility.jsonString())
                    continue
                }
                let state = [
                    Life_V1_ReadinessState.noCertificate: "NO_CERTIFICATE", .certificateSeen: "CERTIFICATE_SEEN", .loggedIn: "LOGGED_IN",
                ][
                    facility.state, default: "?"]
                let expiry =
                    facility.hasCertificateNotAfter
                    ? "  expires \(facility.certificateNotAfter.date.lifectlText)\(facility.expiringSoon ? " EXPIRING" : "")" : ""
                print("\(facility.facilityNumber)  \(state)\(expiry)  \(facility.name)")
            }
            if !json {
                let counts = Dictionary(grouping: facilities, by: \.state).mapValues(\.count)
                FileHandle.standardError.write(
                    Data(
                        ("\(facilities.count) facilities: \(counts[.noCertificate] ?? 0) without a certificate, "
                            + "\(counts[.certificateSeen] ?? 0) with a certificate seen, \(counts[.loggedIn] ?? 0) logged in, "
                            + "\(facilities.filter(\.expiringSoon).count) expiring within \(expiringDays) days\n").utf8))
            }
        }
    }
}
