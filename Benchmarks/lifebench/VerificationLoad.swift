import Foundation
import LifeClient
import LifeProto

/// Eligibility verification at scale (issue 11): imports a qualification file through the Admin
/// socket while sampling lifed's resident memory, then makes the recipients' insurers join, which
/// queues one bulk re-check per insurer over every facility, and measures the re-check rate from
/// the jobs' own timestamps while ordinary Gets run over TLS.
enum VerificationLoad {
    struct Settings {
        var unix: ClientEndpoint
        var tls: ClientEndpoint
        var token: String
        var daemon: Int32
        var file: String
        var expected: QualificationFileWriter.Expected
        /// Ids of generated recipients in the benchmark facility, for the Gets.
        var ids: [String]
        var getConnections: Int
        var getInFlight: Int
        var baseline: Duration
    }

    struct Results {
        var importRows: Int64 = 0
        var importSeconds = 0.0
        /// Until the last progress message before the result: reading, checking and staging rows.
        var stagingSeconds = 0.0
        var importPeakKiB = 0
        var importHighWaterKiB = 0
        var rssBeforeKiB = 0
        var importLoad = ""
        var importCPU = ProcessCPU()
        var jobs: [Life_V1_VerificationJob] = []
        var recheckSeconds = 0.0
        var recheckLoad = ""
        /// From the first join to the end of the last job, Gets included.
        var recheckCPU = ProcessCPU()
        var getIdle = LatencyStats()
        var getDuringJob = LatencyStats()
    }

    static func run(_ settings: Settings) async throws -> Results {
        var results = Results()
        results.rssBeforeKiB = ProcessMemory.read(settings.daemon).rss
        ProcessMemory.resetPeak(settings.daemon)
        results.importLoad = loadAverage()
        let cpuBeforeImport = ProcessCPU.read(settings.daemon)
        let start = ContinuousClock.now
        let staged = Locked<ContinuousClock.Instant?>(nil)
        let (last, peak) = try await ProcessMemory.sampling(settings.daemon) {
            try await LifeClient.withConnection(to: settings.unix) { client in
                var request = Life_V1_ImportQualificationRecordsRequest()
                request.path = settings.file
                request.format = .csv
                var last = Life_V1_ImportQualificationRecordsResponse()
                for try await update in try await client.admin.importQualificationRecords(request) {
                    last = update
                    if !update.done { staged.withLock { $0 = ContinuousClock.now } }
                    FileHandle.standardError.write(Data("\rimported \(update.rowCount) rows".utf8))
                }
                return last
            }
        }
        results.importSeconds = seconds(start.duration(to: .now))
        results.importCPU = ProcessCPU.read(settings.daemon).since(cpuBeforeImport)
        results.stagingSeconds = staged.withLock { $0 }.map { seconds(start.duration(to: $0)) } ?? 0
        results.importRows = last.rowCount
        results.importPeakKiB = peak
        results.importHighWaterKiB = ProcessMemory.read(settings.daemon).peak
        FileHandle.standardError.write(
            Data(
                "\nimport: \(last.rowCount) rows, \(last.importedCount) stored, \(last.invalidCount) invalid, insurers changed \(last.insurerNumbers.count)\n"
                    .utf8))
        guard last.done, last.invalidCount == 0, last.importedCount == Int64(settings.expected.rows) else {
            throw ValidationFailure("the import did not store the \(settings.expected.rows) rows written")
        }

        let metadata = ["authorization": "Bearer \(settings.token)"]
        let ids = settings.ids
        let get: @Sendable (LifeClient) async throws -> Void = { client in
            _ = try await client.recipients.getRecipient(.with { $0.id = ids[Int.random(in: 0..<ids.count)] }, metadata: metadata)
        }
        results.getIdle = try await LifedLoad.run(
            endpoint: settings.tls, connections: settings.getConnections, inFlight: settings.getInFlight, duration: settings.baseline,
            recordLatency: true, call: get)

        // The Gets run from just before the first join until every job has ended.
        let jobsDone = Locked(false)
        let cpuBeforeJobs = ProcessCPU.read(settings.daemon)
        async let during = LifedLoad.run(
            endpoint: settings.tls, connections: settings.getConnections, inFlight: settings.getInFlight, duration: .seconds(3600),
            recordLatency: true, keepGoing: { !jobsDone.withLock { $0 } }, call: get)
        let jobIDs: [String]
        do {
            (jobIDs, results.recheckLoad) = try await LifeClient.withConnection(to: settings.unix) { client in
                var started: [String] = []
                for insurer in RecipientGenerator.insurers {
                    var request = Life_V1_CreateParticipatingInsurerRequest()
                    request.insurer.insurerNumber = insurer
                    request.insurer.name = "保険者\(insurer)"
                    started.append(try await client.admin.createParticipatingInsurer(request).job.id)
                }
                let load = loadAverage()
                while true {
                    try await Task.sleep(for: .milliseconds(500))
                    let status = try await client.admin.getRegistryStatus(.init())
                    let active = status.activeJobs.filter { started.contains($0.id) }
                    let processed = active.map(\.processedCount).reduce(0, +)
                    FileHandle.standardError.write(Data("\rre-check: \(active.count) jobs active, current processed \(processed)   ".utf8))
                    if active.isEmpty { break }
                }
                return (started, load)
            }
        } catch {
            jobsDone.withLock { $0 = true }
            _ = try? await during
            throw error
        }
        jobsDone.withLock { $0 = true }
        results.recheckCPU = ProcessCPU.read(settings.daemon).since(cpuBeforeJobs)
        results.getDuringJob = try await during
        FileHandle.standardError.write(Data("\n".utf8))

        results.jobs = try await LifeClient.withConnection(to: settings.unix) { client in
            var request = Life_V1_ListVerificationJobsRequest()
            request.page.pageSize = 100
            return try await client.admin.listVerificationJobs(request).jobs.filter { jobIDs.contains($0.id) }
        }
        let started = results.jobs.map { seconds($0.startedAt) }.min() ?? 0
        let finished = results.jobs.map { seconds($0.finishedAt) }.max() ?? 0
        results.recheckSeconds = finished - started
        return results
    }

    /// The table the README shows, then the details behind it.
    static func report(_ results: Results, _ settings: Settings) -> String {
        func met(_ ok: Bool) -> String { ok ? "met" : "**missed**" }
        let importRate = Double(results.importRows) / max(results.importSeconds, 1e-9)
        let peakMiB = Double(max(results.importPeakKiB, results.importHighWaterKiB)) / 1024
        let total = results.jobs.map(\.totalCount).reduce(0, +)
        let recheckRate = Double(total) / max(results.recheckSeconds, 1e-9)
        let getP99 = results.getDuringJob.percentile(0.99) / 1000
        let shape = "\(settings.getConnections) × \(settings.getInFlight)"
        var lines = [
            "| figure | goal | measured | met? |", "|---|---|---:|---|",
            "| import rows/s | ≥ 200,000 | "
                + String(format: "%.0f (%lld rows in %.1f s)", importRate, results.importRows, results.importSeconds)
                + " | \(met(importRate >= 200_000)) |",
            "| lifed peak RSS during import | < 300 MiB | "
                + String(format: "%.0f MiB (%.0f before)", peakMiB, Double(results.rssBeforeKiB) / 1024) + " | \(met(peakMiB < 300)) |",
            "| bulk re-check recipients/s | ≥ 100,000 | "
                + String(format: "%.0f (%lld in %.1f s, %ld jobs)", recheckRate, total, results.recheckSeconds, results.jobs.count)
                + " | \(met(recheckRate >= 100_000)) |",
            "| Get p99 during the re-check (TLS, \(shape)) | < 10 ms | "
                + String(
                    format: "%.1f ms (p50 %.1f ms, %.0f calls/s)", getP99, results.getDuringJob.percentile(0.5) / 1000,
                    results.getDuringJob.callsPerSecond) + " | \(met(getP99 < 10)) |",
            "| Get p99 with no job running (same load) | – | "
                + String(
                    format: "%.1f ms (p50 %.1f ms, %.0f calls/s)", results.getIdle.percentile(0.99) / 1000,
                    results.getIdle.percentile(0.5) / 1000, results.getIdle.callsPerSecond) + " | |",
        ]
        let counts = results.jobs.reduce(into: (matched: Int64(0), mismatched: Int64(0), notFound: Int64(0), notChecked: Int64(0))) {
            $0.matched += $1.matchedCount
            $0.mismatched += $1.mismatchedCount
            $0.notFound += $1.notFoundCount
            $0.notChecked += $1.notCheckedCount
        }
        let expected = settings.expected
        let agree = counts.matched == expected.matched && counts.mismatched == expected.mismatched && counts.notFound == expected.notFound
        lines.append("")
        lines.append(
            String(
                format: "import: reading and staging %.1f s, publishing %.1f s; ", results.stagingSeconds,
                results.importSeconds - results.stagingSeconds)
                + "RSS sampled every 50 ms peaked at \(results.importPeakKiB / 1024) MiB, VmHWM (reset before it) \(results.importHighWaterKiB / 1024) MiB; load average \(results.importLoad)"
        )
        lines.append(
            String(
                format: "import: lifed ran %.1f CPU-s and waited %.1f s for a CPU: %.0f rows per CPU-second", results.importCPU.running,
                results.importCPU.waiting, Double(results.importRows) / max(results.importCPU.running, 1e-9)))
        lines.append(
            "re-check: load average at the joins \(results.recheckLoad); "
                + String(
                    format: "lifed ran %.1f CPU-s (Gets included) and waited %.1f s for a CPU: %.0f recipients per CPU-second",
                    results.recheckCPU.running, results.recheckCPU.waiting, Double(total) / max(results.recheckCPU.running, 1e-9)))
        for job in results.jobs.sorted(by: { seconds($0.startedAt) < seconds($1.startedAt) }) {
            let span = seconds(job.finishedAt) - seconds(job.startedAt)
            lines.append(
                "  job \(job.insurerNumbers.joined(separator: ",")): \(job.processedCount)/\(job.totalCount) in "
                    + (span > 0
                        ? String(format: "%.1f s (%.0f/s)", span, Double(job.processedCount) / span)
                        : "one batch (started and finished in the same unit of work: no rate)"))
        }
        lines.append(
            "results: \(counts.matched) matched, \(counts.mismatched) mismatched, \(counts.notFound) not found, \(counts.notChecked) not checked; "
                + (agree
                    ? "as the file was written"
                    : "expected \(expected.matched) / \(expected.mismatched) / \(expected.notFound): **differ**"))
        return lines.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func seconds(_ time: Life_V1_Timestamp) -> Double {
        Double(time.seconds) + Double(time.nanos) / 1e9
    }

    /// The 1, 5 and 15 minute load averages.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    }
}
