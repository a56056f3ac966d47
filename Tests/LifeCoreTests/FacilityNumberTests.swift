import Testing

@testable import LifeCore

@Suite("事業所番号")
struct FacilityNumberTests {
    @Test("numbers with a matching check digit are accepted", arguments: ["1312345679", "2712345673"])
    func valid(_ text: String) throws {
        #expect(try FacilityNumber(text).rawValue == text)
    }

    @Test("the check digit follows modulus 10 weights 2-1 (the CODES.md insurer example)")
    func checkDigitRule() {
        // 13101 → 1·2+3·1+1·2+0·1+1·2 = 9 → check 1 (insurer number 131011).
        #expect(FacilityNumber.checkDigit(of: [1, 3, 1, 0, 1]) == 1)
        // Real insurer numbers that pass: 122069, 122192, 122135, 435073.
        for number in ["122069", "122192", "122135", "435073"] {
            let digits = number.compactMap { $0.wholeNumberValue }
            #expect(FacilityNumber.checkDigit(of: Array(digits.prefix(5))) == digits[5], "\(number)")
        }
        // Two-digit products add their digits: a letter Z=32 weighted 2 gives 64 → 10.
        #expect(FacilityNumber.checkDigit(of: [32]) == 0)
    }

    @Test("a letter in third place counts A=10 … skipping I, O, Q")
    func letters() throws {
        let nine: [Int] = [1, 3, 10, 1, 2, 3, 4, 5, 6]  // "13A123456"
        let check = FacilityNumber.checkDigit(of: nine)
        #expect(try FacilityNumber("13A123456\(check)").rawValue == "13A123456\(check)")
        let zCheck = FacilityNumber.checkDigit(of: [1, 3, 32, 1, 2, 3, 4, 5, 6])
        #expect(throws: Never.self) { try FacilityNumber("13Z123456\(zCheck)") }
    }

    @Test(
        "bad numbers name the rule they break",
        arguments: [
            ("131234567", "LENGTH"), ("13123456790", "LENGTH"), ("1312345678", "CHECK_DIGIT_MISMATCH"),
            ("13I1234567", "CHARACTER"), ("1A12345679", "CHARACTER"), ("13a1234567", "CHARACTER"), ("１312345679", "LENGTH"),
        ]
    )
    func invalid(_ text: String, reason: String) {
        #expect {
            try FacilityNumber(text)
        } throws: { error in
            guard case .invalidField(let field, let actual, _) = error as? DomainError else { return false }
            return field == "facility_number" && actual == reason
        }
    }

    @Test("the check digit can be switched off")
    func switchable() throws {
        #expect(try FacilityNumber("1312345678", checkDigit: false).rawValue == "1312345678")
    }
}
