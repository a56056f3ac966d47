import Foundation
import LifeClient
import LifeProto

/// Recipients over TLS with durable audit on (every Get commits its audit record before it
/// answers): Create, Get, List (pages of 50) and Update throughput from many connections, and
/// how long a committed change takes to reach 100 watchers.
enum RecipientLoad {
    struct Results {
        var rows: [(String, LatencyStats)] = []
        var watch = LatencyStats()
        var stored = 0
    }

    static func run(tls: ClientEndpoint, token: String, connections: Int, inFlight: Int, duration: Duration) async throws -> Results {
        let metadata = ["authorization": "Bearer \(token)"]
        var results = Results()
        let counter = Locked(0)
        let created = Locked<[String]>([])

        results.rows.append(
            (
                "Create",
                try await load(tls, connections, inFlight, duration) { client in
                    let n = counter.withLock { value in
                        value += 1
                        return value
                    }
                    let recipient = sample(n)
                    let id = try await client.recipients.createRecipient(.with { $0.recipient = recipient }, metadata: metadata).recipient
                        .id
                    created.withLock { $0.append(id) }
                }
            ))
        let ids = created.withLock { $0 }
        results.stored = ids.count
        results.rows.append(
            (
                "Get",
                try await load(tls, connections, inFlight, duration) { client in
                    let id = ids[Int.random(in: 0..<ids.count)]
                    _ = try await client.recipients.getRecipient(.with { $0.id = id }, metadata: metadata)
                }
            ))
        results.rows.append(
            (
                "List (page of 50)",
                try await load(tls, connections, inFlight, duration) { client in
                    let prefix = kanaFamilies[Int.random(in: 0..<kanaFamilies.count)]
                    _ = try await client.recipients.listRecipients(
                        .with {
                            $0.page.pageSize = 50
                            $0.fullNameKanaPrefix = prefix
                        }, metadata: metadata)
                }
            ))
        // Updates: each record is read, then updated with the version read (a conflict with a
        // concurrent update of the same record counts as a call too: it is answered, ABORTED).
        results.rows.append(
            (
                "Update (get + update)",
                try await load(tls, connections, inFlight, duration) { client in
                    let id = ids[Int.random(in: 0..<ids.count)]
                    var recipient = try await client.recipients.getRecipient(.with { $0.id = id }, metadata: metadata).recipient
                    recipient.careLevel = recipient.careLevel == .care3 ? .care4 : .care3
                    let version = recipient.version
                    _ = try? await client.recipients.updateRecipient(
                        .with {
                            $0.recipient = recipient
                            $0.expectedVersion = version
                        }, metadata: metadata)
                }
            ))
        results.watch = try await watchFanOut(tls, metadata: metadata, ids: ids, watchers: 100, changes: 200)
        return results
    }

    /// `connections` × `inFlight` loops calling `call` until `duration` ends.
    static func load(
        _ tls: ClientEndpoint, _ connections: Int, _ inFlight: Int, _ duration: Duration,
        _ call: @escaping @Sendable (LifeClient) async throws -> Void
    ) async throws -> LatencyStats {
        try await LifedLoad.run(
            endpoint: tls, connections: connections, inFlight: inFlight, duration: duration, recordLatency: true, call: call)
    }

    /// 100 watchers on 4 connections; one writer updates records at about 50 a second; each
    /// sample is the time from the update's answer (its commit) to a watcher's receipt.
    static func watchFanOut(_ tls: ClientEndpoint, metadata: [String: String], ids: [String], watchers: Int, changes: Int) async throws
        -> LatencyStats
    {
        let sentAt = Locked<[String: ContinuousClock.Instant]>([:])
        let samples = Locked<[UInt64]>([])
        let position = try await LifeClient.withConnection(to: tls) { client in
            try await client.recipients.listRecipients(.with { $0.page.pageSize = 1 }, metadata: metadata).changeSequence
        }
        let stats = try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in 0..<4 {
                group.addTask {
                    try await LifeClient.withConnection(to: tls) { client in
                        try await withThrowingTaskGroup(of: Void.self) { streams in
                            for _ in 0..<(watchers / 4) {
                                streams.addTask {
                                    var seen = 0
                                    let stream = try await client.recipients.watchRecipients(
                                        .with { $0.afterSequence = position }, metadata: metadata)
                                    for try await change in stream {
                                        let key = "\(change.recipient.id)/\(change.recipient.version)"
                                        if let sent = sentAt.withLock({ $0[key] }) {
                                            samples.withLock { $0.append(sent.nanosecondsSince) }
                                        }
                                        seen += 1
                                        if seen == changes { return }
                                    }
                                }
                            }
                            try await streams.waitForAll()
                        }
                    }
                    _ = connection
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            try await LifeClient.withConnection(to: tls) { client in
                for n in 0..<changes {
                    let id = ids[n % ids.count]
                    var recipient = try await client.recipients.getRecipient(.with { $0.id = id }, metadata: metadata).recipient
                    recipient.serviceTypeCode = recipient.serviceTypeCode == "52" ? "51" : "52"
                    let version = recipient.version
                    let updated = try await client.recipients.updateRecipient(
                        .with {
                            $0.recipient = recipient
                            $0.expectedVersion = version
                        }, metadata: metadata
                    ).recipient
                    let answered = ContinuousClock.now
                    sentAt.withLock { $0["\(updated.id)/\(updated.version)"] = answered }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            try await group.waitForAll()
            var stats = LatencyStats()
            stats.samples = samples.withLock { $0 }
            stats.calls = stats.samples.count
            return stats
        }
        return stats
    }

    static let kanaFamilies = ["ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ナカムラ", "コバヤシ", "カトウ"]

    static func sample(_ n: Int) -> Life_V1_Recipient {
        var recipient = Life_V1_Recipient()
        recipient.insurerNumber = "131011"
        recipient.insuredNumber = String(format: "9%09d", n)  // apart from the generated ones
        recipient.fullName = "利用者 \(n)"
        recipient.fullNameKana = kanaFamilies[n % kanaFamilies.count] + " ハナコ"
        recipient.sex = n % 2 == 0 ? .female : .male
        recipient.birthDate = .with {
            $0.year = Int32(1925 + n % 35)
            $0.month = Int32(1 + n % 12)
            $0.day = Int32(1 + n % 28)
        }
        recipient.careLevel = .care2
        recipient.serviceTypeCode = "52"
        recipient.physicalIndependence = .a1
        recipient.dementiaIndependence = .iia
        return recipient
    }
}
