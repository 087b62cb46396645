/// Rendering values as text: compact JSON, and the plain form string templates use.
extension JSONValue {
    /// Compact JSON with sorted keys, so equal values always render the same.
    public var jsonText: String {
        var out = ""
        writeJSON(into: &out)
        return out
    }

    /// The text a `{{ }}` placeholder renders to inside a larger string: strings as they are, whole numbers
    /// without a fraction, null as nothing, lists and objects as JSON.
    public var renderedText: String {
        switch self {
        case .null: return ""
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return JSONValue.format(value)
        case .string(let value): return value
        case .array, .object: return jsonText
        }
    }

    /// Formats a double the way people write numbers: `2.5`, `3`, `0.1`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    private func writeJSON(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value):
            out += value.isFinite ? JSONValue.format(value) : "null"
        case .string(let value): JSONValue.writeQuoted(value, into: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.writeJSON(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeQuoted(key, into: &out)
                out += ":"
                members[key]!.writeJSON(into: &out)
            }
            out += "}"
        }
    }

    /// Writes `text` as a JSON string literal.
    static func writeQuoted(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension JSONValue {
    /// JSON indented by two spaces, keys sorted, for people and diffs.
    public var prettyJSONText: String {
        Emitted(self).jsonText(indent: 2)
    }
}
