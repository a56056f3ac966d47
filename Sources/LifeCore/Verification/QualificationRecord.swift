/// One qualification record of the registry (被保険者証情報): who an insurer insures, with the
/// birth date and sex the check compares, valid on the days from `validFrom` through `validUntil`
/// (either end open when nil).
public struct QualificationRecord: Sendable, Hashable {
    public var insurerNumber: InsurerNumber
    public var insuredNumber: InsuredNumber
    public var birthDate: CalendarDate
    public var sex: Sex
    public var validFrom: CalendarDate?
    public var validUntil: CalendarDate?

    public init(
        insurerNumber: InsurerNumber, insuredNumber: InsuredNumber, birthDate: CalendarDate, sex: Sex, validFrom: CalendarDate? = nil,
        validUntil: CalendarDate? = nil
    ) {
        self.insurerNumber = insurerNumber
        self.insuredNumber = insuredNumber
        self.birthDate = birthDate
        self.sex = sex
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// Whether the record is in force on `day`.
    public func isValid(on day: CalendarDate) -> Bool {
        (validFrom.map { $0 <= day } ?? true) && (validUntil.map { day <= $0 } ?? true)
    }
}
