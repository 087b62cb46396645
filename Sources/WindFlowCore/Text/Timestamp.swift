/// Times as the API writes them: RFC 3339 in UTC with milliseconds, like `2026-12-04T17:48:44.165Z`.
///
/// The store keeps seconds since 1970 (a `Double`); answers carry this text instead, so clients parse one
/// standard format and never guess the unit of a number.
public enum Timestamp {
    /// `seconds` since 1970 as RFC 3339 text in UTC, cut (not rounded) to the millisecond.
    public static func rfc3339(_ seconds: Double) -> String {
        // To the microsecond first, so 0.789 stored as 0.78899999… still reads .789.
        let milliseconds = Int64(((seconds * 1_000_000).rounded() / 1000).rounded(.down))
        let (days, msOfDay) = floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        let time = Int(msOfDay)
        return "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))T\(digits(time / 3_600_000, 2)):"
            + "\(digits(time / 60_000 % 60, 2)):\(digits(time / 1000 % 60, 2)).\(digits(time % 1000, 3))Z"
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// The proleptic Gregorian date of a day number (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSince1970 days: Int64) -> (Int, Int, Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

extension JSONValue {
    /// A time (seconds since 1970) as the API writes it: RFC 3339 text in UTC with milliseconds.
    public static func timestamp(_ seconds: Double) -> JSONValue { .string(Timestamp.rfc3339(seconds)) }
}
