import Foundation
import TestSupport
import Testing

/// `lifectl cert need` over the notice's whole truth table: no new certificate only when (1)
/// (① claims system or ② care-plan system) and (2) (the same terminal) both hold.
@Suite("lifectl cert need")
struct CertificateNeedTests {
    @Test("the eight combinations of ①, ② and (2)", arguments: [false, true], [false, true])
    func truthTable(claims: Bool, carePlan: Bool) async throws {
        for sameTerminal in [false, true] {
            let flags = [("--claims", claims), ("--care-plan", carePlan), ("--same-terminal", sameTerminal)]
            let result = try await ChildProcess.run(
                Products.path("lifectl"), ["cert", "need", "--json"] + flags.flatMap { [$0.0, $0.1 ? "yes" : "no"] })
            #expect(result.status == 0, "\(result.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let expected = !((claims || carePlan) && sameTerminal)
            #expect(json?["needed"] as? Bool == expected, "\(flags): \(result.stdout)")
            #expect((json?["reason_ja"] as? String ?? "").contains(expected ? "必要です" : "不要です"))
            #expect((json?["reason_en"] as? String ?? "").hasPrefix(expected ? "Needed" : "Not needed"))
        }
    }

    @Test("a missing fact is a usage error")
    func missingFact() async throws {
        let result = try await ChildProcess.run(Products.path("lifectl"), ["cert", "need", "--claims", "yes"])
        #expect(result.status != 0 && result.stderr.contains("--care-plan"))
    }
}
