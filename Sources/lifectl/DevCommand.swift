import ArgumentParser
import Foundation
import LifeClient
import LifeProto
import LifeWire

/// `lifectl dev seed`: sample facilities, their admins and realistic recipients for a daemon
/// started with `lifed --dev` (run from the same folder).
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Development helpers for lifed --dev.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the sample facilities, an admin in each and realistic recipients (valid identifiers).",
            discussion: """
                Over the Unix socket: facilities 1312345679 and 2712345673 and their admin `admin`. \
                Over TLS with each facility's sample certificate (./lifed-dev/pki): the admin logs in \
                (changing the initial password to the development password) and registers recipients. \
                Running it again adds more recipients. It also makes a qualification registry that \
                fits them (./lifed-dev/registry.csv, imported): insurers 131011, 122069 and 122192 \
                participate, 122135 and 435073 do not; most recipients match, some differ in birth \
                date or sex, some are missing, so every outcome of the eligibility check shows. The \
                development password is printed; never use it anywhere else.
                """
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Recipients to add per facility.") var recipients = 50

        static let initialPassword = "Initial-2026"
        static let developmentPassword = "Dev-Only-2026!"

        func run() async throws {
            let facilities = [("1312345679", "開発用サンプル事業所A"), ("2712345673", "開発用サンプル事業所B")]
            try await AdminSession.run(connection) { client in
                for (number, name) in facilities {
                    try await Self.ignoringExisting {
                        _ = try await client.admin.createFacility(
                            .with {
                                $0.facility.facilityNumber = number
                                $0.facility.name = name
                            })
                    }
                    try await Self.ignoringExisting {
                        _ = try await client.admin.createFacilityAdmin(
                            .with {
                                $0.facilityNumber = number
                                $0.loginID = "admin"
                                $0.displayName = "開発用管理者"
                                $0.initialPassword = Self.initialPassword
                            })
                    }
                }
            }
            guard let pki = DiscoveredDaemon.load()?.ca.map({ ($0 as NSString).deletingLastPathComponent }) else {
                throw ValidationError("no ./lifed-dev/lifectl.conf: run this from the folder where lifed --dev runs")
            }
            var generator = SeedGenerator(seed: UInt64(Date().timeIntervalSince1970 * 1000))
            let drafts = facilities.map { _ in (0..<recipients).map { _ in generator.recipient() } }
            try await seedRegistry(drafts.flatMap { $0 }, folder: (pki as NSString).deletingLastPathComponent, &generator)
            for ((number, _), drafts) in zip(facilities, drafts) {
                var options = connection
                options.cert = "\(pki)/facility-\(number).pem"
                options.key = "\(pki)/facility-\(number)-key.pem"
                let count = recipients
                try await StaffSession.connect(options) { client in
                    let metadata = ["authorization": "Bearer \(try await Self.login(client))"]
                    for (index, draft) in drafts.enumerated() {
                        try await Self.ignoringExisting {
                            _ = try await client.recipients.createRecipient(.with { $0.recipient = draft }, metadata: metadata)
                        }
                        if (index + 1) % 100 == 0 || index + 1 == count {
                            FileHandle.standardError.write(Data("\r\(number): \(index + 1)/\(count) recipients".utf8))
                        }
                    }
                    FileHandle.standardError.write(Data("\n".utf8))
                }
            }
            print("seeded; staff login: admin / \(Self.developmentPassword) (development only)")
        }

        static let participating = ["131011", "122069", "122192"]

        /// Appends records fitting `drafts` to `<folder>/registry.csv` (most agree; about one in
        /// ten differs in birth date, one in twenty in sex, one in ten is left out), imports the
        /// whole file, and has the participating insurers join.
        func seedRegistry(_ drafts: [Life_V1_Recipient], folder: String, _ generator: inout SeedGenerator) async throws {
            let path = folder + "/registry.csv"
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: Data("insurer_number,insured_number,birth_date,sex\n".utf8))
            }
            var lines = ""
            for draft in drafts {
                let roll = generator.next(20)
                guard roll >= 2 else { continue }
                var birth = draft.birthDate
                if roll < 4 { birth.year -= 1 }
                let sex = roll == 4 ? (draft.sex == .male ? 2 : 1) : draft.sex.rawValue
                lines += "\(draft.insurerNumber),\(draft.insuredNumber),\(RecipientPrinter.text(birth)),\(sex)\n"
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(lines.utf8))
            try handle.close()
            try await AdminSession.run(connection) { client in
                var request = Life_V1_ImportQualificationRecordsRequest()
                request.path = URL(fileURLWithPath: path).standardizedFileURL.path
                request.format = .csv
                request.skipInvalid = true
                for try await _ in try await client.admin.importQualificationRecords(request) {}
                for insurer in Self.participating {
                    try await Self.ignoringExisting {
                        _ = try await client.admin.createParticipatingInsurer(
                            .with {
                                $0.insurer.insurerNumber = insurer
                                $0.insurer.name = "開発用保険者"
                            })
                    }
                }
            }
        }

        /// Logs `admin` in with the development password, changing the initial one the first time.
        static func login(_ client: LifeClient) async throws -> String {
            do {
                return try await client.auth.login(
                    .with {
                        $0.loginID = "admin"
                        $0.password = developmentPassword
                    }
                ).sessionToken
            } catch let error as RPCError where error.code == .unauthenticated {
                let token = try await client.auth.login(
                    .with {
                        $0.loginID = "admin"
                        $0.password = initialPassword
                    }
                ).sessionToken
                _ = try await client.auth.changePassword(
                    .with {
                        $0.oldPassword = initialPassword
                        $0.newPassword = developmentPassword
                    }, metadata: ["authorization": "Bearer \(token)"])
                return token
            }
        }

        static func ignoringExisting(_ body: () async throws -> Void) async throws {
            do {
                try await body()
            } catch let error as RPCError where error.code == .alreadyExists {
            }
        }
    }
}

/// Deterministic, realistic sample recipients: real insurer numbers, plausible names and dates.
struct SeedGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    mutating func next(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(bound))
    }

    private static let insurers = ["131011", "122069", "122192", "122135", "435073"]
    private static let families = [
        ("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("中村", "ナカムラ"),
    ]
    private static let women = [("花子", "ハナコ"), ("和子", "カズコ"), ("幸子", "サチコ"), ("節子", "セツコ"), ("美代子", "ミヨコ")]
    private static let men = [("太郎", "タロウ"), ("茂", "シゲル"), ("博", "ヒロシ"), ("清", "キヨシ"), ("勇", "イサム")]
    private static let services = ["11", "13", "15", "17", "21", "32", "43", "51", "52", "55", "78", "2A", "A2"]
    private static let careLevels = [12, 13, 21, 22, 23, 24, 25]

    mutating func recipient() -> Life_V1_Recipient {
        let female = next(2) == 0
        let family = Self.families[next(Self.families.count)]
        let given = female ? Self.women[next(Self.women.count)] : Self.men[next(Self.men.count)]
        let birthYear = Int32(1925 + next(35))
        let certified = Int32(2025 + next(2))
        var recipient = Life_V1_Recipient()
        recipient.insurerNumber = Self.insurers[next(Self.insurers.count)]
        recipient.insuredNumber = String(format: "%010d", next(1_000_000_000))
        recipient.fullName = "\(family.0) \(given.0)"
        recipient.fullNameKana = "\(family.1) \(given.1)"
        recipient.sex = female ? .female : .male
        recipient.birthDate = .with {
            $0.year = birthYear
            $0.month = Int32(1 + next(12))
            $0.day = Int32(1 + next(28))
        }
        recipient.certificationDate = .with {
            $0.year = certified
            $0.month = 4
            $0.day = 1
        }
        recipient.certificationValidFrom = recipient.certificationDate
        recipient.certificationValidUntil = .with {
            $0.year = certified + 1
            $0.month = 3
            $0.day = 31
        }
        recipient.careLevel = Life_V1_CareLevel(rawValue: Self.careLevels[next(Self.careLevels.count)]) ?? .care1
        recipient.serviceTypeCode = Self.services[next(Self.services.count)]
        recipient.physicalIndependence = Life_V1_PhysicalIndependence(rawValue: 1 + next(9)) ?? .notRecorded
        recipient.dementiaIndependence = Life_V1_DementiaIndependence(rawValue: 1 + next(8)) ?? .notRecorded
        return recipient
    }
}
