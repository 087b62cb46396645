import Foundation

/// A cron schedule: five fields (minute hour day-of-month month day-of-week), an optional leading seconds field,
/// or a macro (`@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`).
public struct CronExpression: Sendable, Hashable {
    public let seconds: Set<Int>
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    public let daysOfWeek: Set<Int>
    private let dayOfMonthIsWildcard: Bool
    private let dayOfWeekIsWildcard: Bool

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Parses a cron expression.
    /// - Throws: ``CronError`` naming the field that is wrong and what it allows.
    public init(_ text: String) throws(CronError) {
        var source = text.trimmingCharacters(in: .whitespaces)
        if source.hasPrefix("@") {
            guard let expanded = Self.macros[source.lowercased()] else {
                throw CronError(
                    "unknown macro '\(source)'",
                    hint: "use one of \(Self.macros.keys.sorted().joined(separator: ", "))")
            }
            source = expanded
        }
        var fields = source.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 || fields.count == 6 else {
            throw CronError(
                "a cron expression has 5 fields (minute hour day month weekday), or 6 with seconds first; "
                    + "'\(text)' has \(fields.count)",
                hint: "e.g. '*/5 * * * *' for every 5 minutes, '0 2 * * 0' for Sundays at 02:00")
        }
        if fields.count == 5 { fields.insert("0", at: 0) }
        seconds = try Self.field(fields[0], name: "second", range: 0...59)
        minutes = try Self.field(fields[1], name: "minute", range: 0...59)
        hours = try Self.field(fields[2], name: "hour", range: 0...23)
        daysOfMonth = try Self.field(fields[3], name: "day of month", range: 1...31)
        months = try Self.field(fields[4], name: "month", range: 1...12, names: Self.monthNames, nameBase: 1)
        var weekdays = try Self.field(fields[5], name: "day of week", range: 0...7, names: Self.dayNames, nameBase: 0)
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        daysOfWeek = weekdays
        dayOfMonthIsWildcard = fields[3] == "*" || fields[3] == "?"
        dayOfWeekIsWildcard = fields[5] == "*" || fields[5] == "?"
    }

    private static func field(
        _ text: String, name: String, range: ClosedRange<Int>, names: [String] = [], nameBase: Int = 0
    ) throws(CronError) -> Set<Int> {
        var values: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw invalid(text, name, range) }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw CronError("the step in the \(name) field '\(text)' must be a positive number")
                }
                step = parsed
            }
            var low: Int, high: Int
            if pieces[0] == "*" || pieces[0] == "?" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let first = value(bounds[0], names, nameBase) else { throw invalid(text, name, range) }
                low = first
                if bounds.count == 2 {
                    guard let second = value(bounds[1], names, nameBase) else { throw invalid(text, name, range) }
                    high = second
                } else {
                    high = pieces.count == 2 ? range.upperBound : first
                }
            }
            guard range.contains(low), range.contains(high) else {
                throw CronError("the \(name) field '\(text)' is out of range; it allows \(range.lowerBound)–\(range.upperBound)")
            }
            guard low <= high else {
                throw CronError("the range in the \(name) field '\(text)' goes backwards", hint: "write the smaller value first")
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    private static func value(_ text: Substring, _ names: [String], _ base: Int) -> Int? {
        if let number = Int(text) { return number }
        return names.firstIndex(of: text.uppercased()).map { $0 + base }
    }

    private static func invalid(_ text: String, _ name: String, _ range: ClosedRange<Int>) -> CronError {
        CronError(
            "the \(name) field '\(text)' is not valid",
            hint: "write *, a number \(range.lowerBound)–\(range.upperBound), a range a-b, a list a,b or a step */n")
    }

    /// The first time strictly after `date` that matches, in `timeZone`; `nil` if none within eight years
    /// (e.g. February 30th).
    public func next(after date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var day = calendar.startOfDay(for: date)
        for _ in 0..<(366 * 8) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if months.contains(parts.month!), matchesDay(dayOfMonth: parts.day!, weekday: parts.weekday! - 1) {
                if let found = firstTime(on: day, after: date, calendar: calendar) { return found }
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = following
        }
        return nil
    }

    private func matchesDay(dayOfMonth: Int, weekday: Int) -> Bool {
        // Classic cron: when both day fields are restricted, either may match.
        if !dayOfMonthIsWildcard && !dayOfWeekIsWildcard {
            return daysOfMonth.contains(dayOfMonth) || daysOfWeek.contains(weekday)
        }
        return daysOfMonth.contains(dayOfMonth) && daysOfWeek.contains(weekday)
    }

    private func firstTime(on day: Date, after date: Date, calendar: Calendar) -> Date? {
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        for hour in hours.sorted() {
            for minute in minutes.sorted() {
                for second in seconds.sorted() {
                    var components = parts
                    (components.hour, components.minute, components.second) = (hour, minute, second)
                    // A time skipped by a daylight-saving change does not exist that day.
                    guard let candidate = calendar.date(from: components),
                        calendar.component(.hour, from: candidate) == hour
                    else { continue }
                    if candidate > date { return candidate }
                }
            }
        }
        return nil
    }
}

/// Why a cron expression was refused.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message); \($0)" } ?? message }
}
