import ArgumentParser
import Foundation

/// `lifectl cert need`: whether a facility must get an electronic certificate (電子証明書) for
/// the new LIFE, by the rule of the switch-over notice: none is needed when (1) the facility
/// either ① logs in to the electronic claims system (電子請求受付システム) for its claims or
/// ② uses the care-plan data exchange system (ケアプランデータ連携システム), and (2) the terminal
/// used for that is the one that will use the new LIFE. Otherwise one is needed.
struct CertificateNeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "need",
        abstract: "Tell whether a facility needs a new electronic certificate for the new LIFE, and why (日本語 and English).",
        discussion: """
            Answers the notice's rule from three yes/no facts; it needs no daemon. Not needed only \
            when (1) ① or ② holds and (2) holds. Exit status 0 either way; --json for scripts.
            """
    )
    enum Answer: String, ExpressibleByArgument, CaseIterable {
        case yes, no
        var holds: Bool { self == .yes }
    }

    @Option(help: "(1)① The facility logs in to the electronic claims system (電子請求受付システム) to file claims: yes or no.")
    var claims: Answer
    @Option(help: "(1)② The facility uses the care-plan data exchange system (ケアプランデータ連携システム): yes or no.")
    var carePlan: Answer
    @Option(help: "(2) The terminal used for (1) is the one that will use the new LIFE: yes or no.")
    var sameTerminal: Answer
    @Flag(help: "Print JSON: needed, reason_ja, reason_en.") var json = false

    /// The rule and its reason in both languages.
    static func decide(claims: Bool, carePlan: Bool, sameTerminal: Bool) -> (needed: Bool, japanese: String, english: String) {
        let first = claims || carePlan
        switch (first, sameTerminal) {
        case (true, true):
            let which = claims ? "①電子請求受付システムへのログイン" : "②ケアプランデータ連携システムの利用"
            let whichEnglish = claims ? "logs in to the electronic claims system" : "uses the care-plan data exchange system"
            return (
                false,
                "（1）（\(which)）と（2）（同じ端末）の両方に該当するため、電子証明書の新規取得は不要です。その端末の電子証明書を使います。",
                "Not needed: (1) holds (the facility \(whichEnglish)) and (2) holds (the same terminal will use the new LIFE), so the certificate already on that terminal is used."
            )
        case (true, false):
            return (
                true,
                "（1）には該当しますが（2）（同じ端末）に該当しないため、電子証明書の取得が必要です。新LIFEで使う端末に電子証明書をインストールしてください。",
                "Needed: (1) holds but (2) does not (the new LIFE will run on another terminal), so that terminal needs its own certificate."
            )
        case (false, _):
            return (
                true,
                "（1）（①電子請求受付システムへのログイン、②ケアプランデータ連携システムの利用）のどちらにも該当しないため、電子証明書の取得が必要です。",
                "Needed: (1) does not hold (the facility neither logs in to the electronic claims system nor uses the care-plan data exchange system), so it has no certificate to reuse."
            )
        }
    }

    func run() throws {
        let answer = Self.decide(claims: claims.holds, carePlan: carePlan.holds, sameTerminal: sameTerminal.holds)
        if json {
            let object: [String: Any] = ["needed": answer.needed, "reason_ja": answer.japanese, "reason_en": answer.english]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(answer.needed ? "電子証明書: 必要 (certificate needed)" : "電子証明書: 不要 (no new certificate needed)")
            print(answer.japanese)
            print(answer.english)
        }
    }
}
