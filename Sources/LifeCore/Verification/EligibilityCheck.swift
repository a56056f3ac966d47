/// The eligibility check (資格確認) of one recipient's fields against the registry on one day.
///
/// - The recipient's insurer does not participate that day: `notChecked`, whatever the registry
///   holds.
/// - No record of that insurer and insured number is valid that day: `notFound`.
/// - A valid record agrees on birth date and sex: `matched`.
/// - Otherwise `mismatched`, naming the fields of the valid record that differs least.
public enum EligibilityCheck {
    public static func check(_ fields: RecipientFields, on day: CalendarDate, in registry: some EligibilityRegistry) throws
        -> VerificationOutcome
    {
        guard let insurer = try registry.participatingInsurer(fields.insurerNumber), insurer.participates(on: day) else {
            return VerificationOutcome(status: .notChecked)
        }
        let valid = try registry.qualificationRecords(insurer: fields.insurerNumber, insured: fields.insuredNumber)
            .filter { $0.isValid(on: day) }
        let differences = valid.map { record in
            [
                record.birthDate == fields.birthDate ? nil : VerificationField.birthDate,
                record.sex == fields.sex ? nil : VerificationField.sex,
            ].compactMap(\.self)
        }
        guard let closest = differences.min(by: { $0.count < $1.count }) else { return VerificationOutcome(status: .notFound) }
        return closest.isEmpty ? VerificationOutcome(status: .matched) : VerificationOutcome(status: .mismatched, mismatchedFields: closest)
    }
}
