import Foundation

/// Reads the Prometheus text exposition format (`name{label="value"} 12.5 [timestamp]`).
public enum PrometheusText {
    /// One sample.
    public struct Sample: Sendable, Hashable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
        public var timestamp: Double?
    }

    /// Every sample in `text`; comment lines and lines that do not parse are skipped.
    /// A label value as the text format writes it: backslash, double quote and line feed escaped.
    public static func labelValue(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    public static func parse(_ text: String) -> [Sample] {
        text.split(whereSeparator: \.isNewline).compactMap { parseLine(Substring($0)) }
    }

    static func parseLine(_ raw: Substring) -> Sample? {
        let line = raw.drop { $0 == " " || $0 == "\t" }
        guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
        var name = ""
        var rest = Substring(line)
        while let char = rest.first, char.isLetter || char.isNumber || char == "_" || char == ":" {
            name.append(char)
            rest = rest.dropFirst()
        }
        guard !name.isEmpty else { return nil }
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while let char = rest.first, char != "}" {
                if char == "," || char == " " { rest = rest.dropFirst(); continue }
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let key = String(rest[..<equals]).trimmingCharacters(in: .whitespaces)
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                while let next = rest.first, next != "\"" {
                    if next == "\\", let escaped = rest.dropFirst().first {
                        value.append(escaped == "n" ? "\n" : escaped)
                        rest = rest.dropFirst(2)
                        continue
                    }
                    value.append(next)
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                labels[key] = value
            }
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = fields.first else { return nil }
        let value: Double
        switch first {
        case "NaN": value = .nan
        case "+Inf", "Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard let parsed = Double(first) else { return nil }
            value = parsed
        }
        let timestamp = fields.dropFirst().first.flatMap { Double($0) }.map { $0 / 1000 }
        return Sample(name: name, labels: labels, value: value, timestamp: timestamp)
    }
}
