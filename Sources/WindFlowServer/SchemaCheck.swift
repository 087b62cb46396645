import Foundation
import WindFlowCore

/// Checks a value against the JSON Schema subset the OpenAPI document uses (`type`, `required`, `properties`,
/// `additionalProperties`, `items`, `minItems`, `enum`, `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`,
/// `not`), so a request the document calls invalid is refused with the same words, and one it calls valid is not.
enum SchemaCheck {
    /// One way the value breaks the schema, located like `payload.env`.
    struct Violation: Sendable, Equatable {
        var path: String
        var message: String

        var jsonValue: JSONValue { ["path": .string(path), "message": .string(message)] }
    }

    static func violations(of value: JSONValue, against schema: JSONValue, at path: String = "") -> [Violation] {
        var found: [Violation] = []
        func fail(_ message: String) { found.append(Violation(path: path, message: message)) }
        if let type = schema["type"]?.stringValue, !matches(value, type: type) {
            fail("must be \(article(type)) \(type), not \(describe(value))")
            return found
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            fail("must be one of \(allowed.map(\.jsonText).joined(separator: ", "))")
        }
        if let negated = schema["not"], violations(of: value, against: negated).isEmpty {
            fail(schema["description"]?.stringValue.map { "is not allowed: \($0)" } ?? "is not allowed")
        }
        switch value {
        case .string(let text):
            if let minimum = schema["minLength"]?.intValue, text.count < minimum { fail("must have at least \(minimum) character(s)") }
            if let maximum = schema["maxLength"]?.intValue, text.count > maximum { fail("must have at most \(maximum) character(s)") }
            if let pattern = schema["pattern"]?.stringValue, !matches(text, pattern: pattern) { fail("must match \(pattern)") }
        case .int, .double:
            let number = value.doubleValue ?? 0
            if let minimum = schema["minimum"]?.doubleValue, number < minimum { fail("must be at least \(schema["minimum"]!.jsonText)") }
            if let maximum = schema["maximum"]?.doubleValue, number > maximum { fail("must be at most \(schema["maximum"]!.jsonText)") }
        case .array(let items):
            if let minimum = schema["minItems"]?.intValue, items.count < minimum { fail("must have at least \(minimum) item(s)") }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    found += violations(of: item, against: itemSchema, at: "\(path)[\(index)]")
                }
            }
        case .object(let members):
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                found.append(Violation(path: join(path, name), message: "is required"))
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[name] {
                    found += violations(of: member, against: propertySchema, at: join(path, name))
                } else if schema["additionalProperties"] == .bool(false) {
                    found.append(Violation(path: join(path, name), message: "is not a known member (\(properties.keys.sorted().joined(separator: ", ")))"))
                }
            }
        default:
            break
        }
        return found
    }

    /// A query or path parameter's text as the value its schema describes (`"5"` → 5 for an integer), or nil when
    /// it cannot be one.
    static func parameterValue(_ text: String, schema: JSONValue) -> JSONValue? {
        switch schema["type"]?.stringValue {
        case "integer": return Int(text).map(JSONValue.int)
        case "boolean": return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        default: return .string(text)
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array), ("null", .null): return true
        case ("integer", .int): return true
        case ("integer", .double(let number)): return number.rounded() == number
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    private static let patterns = PatternCache()

    private static func matches(_ text: String, pattern: String) -> Bool {
        guard let expression = patterns.expression(pattern) else { return true }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private static func article(_ type: String) -> String { ["integer", "object", "array"].contains(type) ? "an" : "a" }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Compiled patterns of the document, compiled once each.
private final class PatternCache: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var compiled: [String: NSRegularExpression] = [:]

    func expression(_ pattern: String) -> NSRegularExpression? {
        lock.withLock {
            if let known = compiled[pattern] { return known }
            let made = try? NSRegularExpression(pattern: pattern)
            compiled[pattern] = made
            return made
        }
    }
}
