import Foundation

/// A day of the Gregorian calendar with no time or zone: a birth date, a certification date.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A real date between 1800-01-01 and 9999-12-31, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1800...9999).contains(year), (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD`, as stored.
    public init?(iso text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day `date` falls on in Japan (UTC+9, no daylight saving).
    public init(day date: Date) {
        let parts = Self.japan.dateComponents([.year, .month, .day], from: date)
        year = parts.year!
        month = parts.month!
        day = parts.day!
    }

    /// The Gregorian calendar in Japan's time zone, made once.
    private static let japan: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 9 * 3600)!
        return calendar
    }()

    /// Written digit by digit, not through `String(format:)`: an import writes millions of them
    /// (storage, the registry digest), and the formatter was the largest cost left there.
    public var description: String {
        let digit = { (value: Int) in UInt8(ascii: "0") + UInt8(value) }
        let bytes: [UInt8] = [
            digit(year / 1000 % 10), digit(year / 100 % 10), digit(year / 10 % 10), digit(year % 10), UInt8(ascii: "-"),
            digit(month / 10), digit(month % 10), UInt8(ascii: "-"), digit(day / 10), digit(day % 10),
        ]
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
