import Foundation

/// Replaces secret values with `[secret]` in whatever is about to be stored or shown.
public struct Redactor: Sendable {
    private let values: [String]

    /// Secrets shorter than 4 characters are not redacted (they would mangle ordinary text).
    public init(secrets: [String: String]) {
        values = secrets.values.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var result = text
        for value in values where result.contains(value) {
            result = result.replacingOccurrences(of: value, with: "[secret]")
        }
        return result
    }

    public func redact(_ value: JSONValue) -> JSONValue {
        guard !values.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let elements): return .array(elements.map(redact))
        case .object(let members): return .object(members.mapValues(redact))
        default: return value
        }
    }
}
