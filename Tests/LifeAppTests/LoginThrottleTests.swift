import Foundation
import LifeApp
import Testing

@Suite("Per-certificate login throttle")
struct LoginThrottleTests {
    @Test("past the burst, each further failure adds a second of wait, at most ten; other certificates are unaffected")
    func slowsOneCertificate() {
        let throttle = LoginThrottle(burst: 3, window: .seconds(60))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for _ in 0..<3 {
            #expect(throttle.delay(for: "cert-a", now: now) == .zero)
            throttle.recordFailure(for: "cert-a", now: now)
        }
        #expect(throttle.delay(for: "cert-a", now: now) == .seconds(1))
        for _ in 0..<20 { throttle.recordFailure(for: "cert-a", now: now) }
        #expect(throttle.delay(for: "cert-a", now: now) == .seconds(10))
        #expect(throttle.delay(for: "cert-b", now: now) == .zero)
    }

    @Test("failures older than the window no longer count")
    func windowSlides() {
        let throttle = LoginThrottle(burst: 2, window: .seconds(60))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for _ in 0..<5 { throttle.recordFailure(for: "cert-a", now: start) }
        #expect(throttle.delay(for: "cert-a", now: start.addingTimeInterval(30)) > .zero)
        #expect(throttle.delay(for: "cert-a", now: start.addingTimeInterval(61)) == .zero)
    }
}
