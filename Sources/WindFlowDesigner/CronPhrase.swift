import Foundation

/// Schedule phrases in prose ("every night at 3am", "weekdays at 8:30", "toutes les 5 minutes") as 5-field cron.
public enum CronPhrase {
    public struct Match: Sendable, Hashable {
        public var cron: String
        /// The words it was read from.
        public var phrase: String
        /// What was not said and was chosen (a time of day for "nightly"), for the proposal's assumptions.
        public var assumption: String?
    }

    /// The schedule `text` describes, if it describes one.
    public static func parse(_ text: String) -> Match? {
        let lower = " " + text.lowercased().replacingOccurrences(of: "\u{2019}", with: "'") + " "
        if let match = interval(lower) { return match }
        let time = timeOfDay(lower)
        let (minute, hour) = (time?.minute ?? 0, time?.hour)
        func at(_ hourDefault: Int, _ days: String, _ month: String = "*", weekday: String = "*", phrase: String) -> Match {
            let assumed = hour == nil ? "no time of day given; chose \(String(format: "%02d:00", hourDefault))" : nil
            return Match(cron: "\(minute) \(hour ?? hourDefault) \(days) \(month) \(weekday)", phrase: phrase, assumption: assumed)
        }
        if contains(lower, ["first of the month", "first day of the month", "first day of every month", "1st of the month", "1st of every month", "monthly", "every month", "premier du mois", "chaque mois"]) {
            return at(0, "1", phrase: "monthly")
        }
        if contains(lower, ["weekday", "week day", "monday to friday", "monday through friday", "mon-fri", "business day", "working day", "jours ouvrés", "en semaine", "du lundi au vendredi"]) {
            return at(9, "*", weekday: "1-5", phrase: "weekdays")
        }
        if contains(lower, ["weekend", "week-end"]) { return at(9, "*", weekday: "0,6", phrase: "weekends") }
        let days: [(names: [String], number: Int)] = [
            (["sunday", "dimanche"], 0), (["monday", "lundi"], 1), (["tuesday", "mardi"], 2), (["wednesday", "mercredi"], 3),
            (["thursday", "jeudi"], 4), (["friday", "vendredi"], 5), (["saturday", "samedi"], 6),
        ]
        let named = days.filter { day in day.names.contains { lower.contains($0) } }
        if !named.isEmpty {
            return at(9, "*", weekday: named.map { String($0.number) }.joined(separator: ","), phrase: named.map { $0.names[0] }.joined(separator: ", "))
        }
        if contains(lower, ["weekly", "every week", "once a week", "chaque semaine", "toutes les semaines"]) {
            return Match(cron: "\(minute) \(hour ?? 9) * * 1", phrase: "weekly", assumption: "no day given; chose Monday" + (hour == nil ? " 09:00" : ""))
        }
        if contains(lower, ["midnight", "minuit"]) { return Match(cron: "0 0 * * *", phrase: "at midnight", assumption: nil) }
        if contains(lower, [" noon", " midi"]) { return Match(cron: "0 12 * * *", phrase: "at noon", assumption: nil) }
        if contains(lower, ["nightly", "every night", "each night", "at night", "overnight", "chaque nuit", "toutes les nuits", "la nuit"]) {
            return at(2, "*", phrase: "nightly")
        }
        if contains(lower, ["daily", "every day", "each day", "every morning", "each morning", "every evening", "once a day", "chaque jour", "tous les jours", "chaque matin", "quotidien"]) {
            let morning = contains(lower, ["morning", "matin"]) ? 8 : contains(lower, ["evening", "soir"]) ? 18 : 0
            return at(morning, "*", phrase: "daily")
        }
        if let time, time.explicit { return Match(cron: "\(time.minute) \(time.hour) * * *", phrase: "at \(time.hour):\(String(format: "%02d", time.minute))", assumption: "read as every day") }
        return nil
    }

    private static func contains(_ text: String, _ needles: [String]) -> Bool {
        needles.contains { text.contains($0) }
    }

    /// "every 5 minutes", "every minute", "hourly", "every 2 hours", "toutes les 10 minutes".
    private static func interval(_ text: String) -> Match? {
        if let groups = firstMatch(#"(?:every|each|toutes les|tous les)\s+(\d+)\s*(?:min|minute|minutes|mn)\b"#, in: text),
            let n = Int(groups[0]), n > 0
        {
            return Match(cron: n >= 60 ? "0 */\(max(1, n / 60)) * * *" : "*/\(n) * * * *", phrase: "every \(n) minutes", assumption: nil)
        }
        if firstMatch(#"(?:every|each|once a|chaque|toutes les)\s+minute"#, in: text) != nil {
            return Match(cron: "* * * * *", phrase: "every minute", assumption: nil)
        }
        if let groups = firstMatch(#"(?:every|each|toutes les)\s+(\d+)\s*(?:h|hour|hours|heures)\b"#, in: text), let n = Int(groups[0]), n > 0 {
            return Match(cron: "0 */\(n) * * *", phrase: "every \(n) hours", assumption: nil)
        }
        if contains(text, ["hourly", "every hour", "each hour", "once an hour", "toutes les heures", "chaque heure"]) {
            return Match(cron: "0 * * * *", phrase: "hourly", assumption: nil)
        }
        return nil
    }

    /// "at 3am", "at 3:30 pm", "at 15:00", "à 9h30", "8:30".
    static func timeOfDay(_ text: String) -> (hour: Int, minute: Int, explicit: Bool)? {
        let patterns = [
            #"(?:at|à|a|@|around|vers)\s+(\d{1,2})(?::|h|\.)(\d{2})\s*(am|pm|a\.m\.|p\.m\.)?"#,
            #"(?:at|à|a|@|around|vers)\s+(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.|h|o'clock)"#,
            #"\b(\d{1,2}):(\d{2})\s*(am|pm)?"#,
            #"\b(\d{1,2})\s*(am|pm)\b"#,
            #"(?:at|à)\s+(\d{1,2})\b(?!\s*(?:%|percent|min|minutes|seconds|s\b|replicas|days))"#,
        ]
        for pattern in patterns {
            guard let groups = firstMatch(pattern, in: text), var hour = Int(groups[0]) else { continue }
            var minute = 0
            var suffix = ""
            for group in groups.dropFirst() {
                if let value = Int(group) { minute = value } else { suffix = group }
            }
            if suffix.hasPrefix("p"), hour < 12 { hour += 12 }
            if suffix.hasPrefix("a"), hour == 12 { hour = 0 }
            guard (0..<24).contains(hour), (0..<60).contains(minute) else { continue }
            return (hour, minute, true)
        }
        return nil
    }

    /// The capture groups of the first match (empty groups left out).
    static func firstMatch(_ pattern: String, in text: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        return (1..<match.numberOfRanges).compactMap { index in
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
    }
}
