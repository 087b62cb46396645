import Foundation

/// Reads durations as workflows write them: a number of seconds, or text such as `90s`, `5m`, `1h30m`, `2d`.
public enum DurationText {
    /// Seconds in `value`, or `nil` when it is not a duration.
    public static func seconds(from value: JSONValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number) where number.isFinite: return number
        case .string(let text): return seconds(from: text)
        default: return nil
        }
    }

    /// Seconds in `text` (`300`, `1.5s`, `5m`, `1h30m`, `2d`, `250ms`), or `nil`.
    public static func seconds(from text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty, trimmed.count <= 64 else { return nil }
        if let plain = Double(trimmed), plain.isFinite { return plain }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        var total = 0.0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(rest.hasPrefix("ms") && $0.0 == "m") })
            else { return nil }
            total += number * unit.1
            rest = rest.dropFirst(unit.0.count)
            rest = rest.drop { $0 == " " }
        }
        return total
    }
}
