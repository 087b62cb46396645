import Foundation

/// The filters written after `|`: `{{ trigger.env | default('staging') | upper }}`.
public enum ExpressionFilters {
    /// Each filter with the number of arguments it takes (a range when some are optional).
    static let arity: [String: ClosedRange<Int>] = [
        "default": 1...1, "lower": 0...0, "upper": 0...0, "length": 0...0, "join": 0...1, "json": 0...0,
        "round": 0...1, "trim": 0...0, "int": 0...0, "float": 0...0, "string": 0...0, "first": 0...0,
        "last": 0...0, "keys": 0...0,
    ]

    /// Every filter name, sorted.
    public static let names: [String] = arity.keys.sorted()

    static func checkCall(_ name: String, argumentCount: Int, offset: Int) throws(ExpressionError) {
        guard let range = arity[name] else {
            let hint = closestMatch(to: name, among: names).map { "did you mean '\($0)'?" }
                ?? "filters: \(names.joined(separator: ", "))"
            throw ExpressionError("unknown filter '\(name)'", offset: offset, hint: hint)
        }
        guard range.contains(argumentCount) else {
            let expected = range.lowerBound == range.upperBound
                ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
            throw ExpressionError(
                "filter '\(name)' takes \(expected) argument\(expected == "1" ? "" : "s"), not \(argumentCount)",
                offset: offset)
        }
    }

    /// Applies filter `name` (other than `default`, which the evaluator handles) to `value`.
    static func apply(_ name: String, to value: JSONValue, arguments: [JSONValue]) throws(ExpressionError) -> JSONValue {
        switch name {
        case "lower": return .string(try text(value, name).lowercased())
        case "upper": return .string(try text(value, name).uppercased())
        case "trim": return .string(try text(value, name).trimmingCharacters(in: .whitespacesAndNewlines))
        case "length":
            switch value {
            case .string(let string): return .int(string.count)
            case .array(let elements): return .int(elements.count)
            case .object(let members): return .int(members.count)
            default: throw typeError(name, value, "a string, a list or an object")
            }
        case "join":
            guard case .array(let elements) = value else { throw typeError(name, value, "a list") }
            let separator = arguments.first?.renderedText ?? ","
            return .string(elements.map(\.renderedText).joined(separator: separator))
        case "json": return .string(value.jsonText)
        case "round":
            guard let number = value.doubleValue else { throw typeError(name, value, "a number") }
            let places = arguments.first?.intValue ?? 0
            guard (0...15).contains(places) else {
                throw ExpressionError("round takes 0 to 15 decimal places, not \(arguments.first?.renderedText ?? "")")
            }
            if places == 0 { return .int(Int(number.rounded())) }
            let scale = pow(10.0, Double(places))
            return .double((number * scale).rounded() / scale)
        case "int": return try toInt(value)
        case "float":
            if let number = value.doubleValue { return .double(number) }
            if case .string(let string) = value, let number = Double(string.trimmingCharacters(in: .whitespaces)) {
                return .double(number)
            }
            throw typeError(name, value, "a number or a numeric string")
        case "string": return .string(value.renderedText)
        case "first", "last":
            switch value {
            case .array(let elements):
                return (name == "first" ? elements.first : elements.last) ?? .null
            case .string(let string):
                return (name == "first" ? string.first : string.last).map { .string(String($0)) } ?? .null
            default: throw typeError(name, value, "a list or a string")
            }
        case "keys":
            guard case .object(let members) = value else { throw typeError(name, value, "an object") }
            return .array(members.keys.sorted().map { .string($0) })
        default:
            throw ExpressionError("unknown filter '\(name)'")
        }
    }

    private static func toInt(_ value: JSONValue) throws(ExpressionError) -> JSONValue {
        switch value {
        case .int: return value
        case .double(let number) where number.isFinite && abs(number) < 9e18: return .int(Int(number))
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .string(let string):
            let trimmed = string.trimmingCharacters(in: .whitespaces)
            if let number = Int(trimmed) { return .int(number) }
            if let number = Double(trimmed), number.isFinite, abs(number) < 9e18 { return .int(Int(number)) }
        default: break
        }
        throw typeError("int", value, "a number or a numeric string")
    }

    private static func text(_ value: JSONValue, _ filter: String) throws(ExpressionError) -> String {
        if case .string(let string) = value { return string }
        throw typeError(filter, value, "a string")
    }

    private static func typeError(_ filter: String, _ value: JSONValue, _ expected: String) -> ExpressionError {
        ExpressionError("filter '\(filter)' needs \(expected), not \(value.kindWithArticle)")
    }
}
