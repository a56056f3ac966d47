import Foundation
import SwiftASN1

/// Conversions between `Date` and the two ASN.1 time types used by X.509 (RFC 5280 §4.1.2.5).
///
/// Calendar arithmetic is done on the proleptic Gregorian calendar in UTC with plain integer
/// maths, so it does not depend on the process time zone or locale.
enum ASN1Time {
    /// Reads a `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` node.
    static func date(from node: ASN1Node) throws -> Date {
        switch node.identifier {
        case UTCTime.defaultIdentifier:
            let time = try UTCTime(derEncoded: node)
            return date(
                year: time.year, month: time.month, day: time.day,
                hours: time.hours, minutes: time.minutes, seconds: time.seconds
            )
        case GeneralizedTime.defaultIdentifier:
            let time = try GeneralizedTime(derEncoded: node)
            let whole = date(
                year: time.year, month: time.month, day: time.day,
                hours: time.hours, minutes: time.minutes, seconds: time.seconds
            )
            return whole.addingTimeInterval(time.fractionalSeconds)
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    /// Whether a node is one of the two time types (used to detect optional time fields).
    static func isTime(_ node: ASN1Node) -> Bool {
        node.identifier == UTCTime.defaultIdentifier || node.identifier == GeneralizedTime.defaultIdentifier
    }

    /// Writes a date the way RFC 5280 requires: UTCTime for 1950–2049, GeneralizedTime otherwise,
    /// always in whole seconds.
    static func serialize(_ date: Date, into coder: inout DER.Serializer) throws {
        let parts = components(of: date)
        if (1950..<2050).contains(parts.year) {
            try coder.serialize(
                UTCTime(
                    year: parts.year, month: parts.month, day: parts.day,
                    hours: parts.hours, minutes: parts.minutes, seconds: parts.seconds
                )
            )
        } else {
            try coder.serialize(
                GeneralizedTime(
                    year: parts.year, month: parts.month, day: parts.day,
                    hours: parts.hours, minutes: parts.minutes, seconds: parts.seconds,
                    fractionalSeconds: 0
                )
            )
        }
    }

    // MARK: - Civil calendar arithmetic

    struct Components: Equatable {
        var year: Int
        var month: Int
        var day: Int
        var hours: Int
        var minutes: Int
        var seconds: Int
    }

    static func date(year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int) -> Date {
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let total = days * 86_400 + hours * 3_600 + minutes * 60 + seconds
        return Date(timeIntervalSince1970: TimeInterval(total))
    }

    /// Splits a date into UTC components, dropping any fraction of a second.
    static func components(of date: Date) -> Components {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = floorDivide(total, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return Components(
            year: year, month: month, day: day,
            hours: secondOfDay / 3_600, minutes: secondOfDay % 3_600 / 60, seconds: secondOfDay % 60
        )
    }

    /// Days from 1970-01-01 to the given date (an era-based count over 400-year cycles).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400).quotient
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of ``daysSinceEpoch(year:month:day:)``.
    static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
