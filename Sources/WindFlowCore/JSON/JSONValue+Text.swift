/// Rendering values as text: compact JSON, and the plain form string templates use.
extension JSONValue {
    /// Compact JSON with sorted keys, so equal values always render the same.
    public var jsonText: String {
        var out = ""
        writeJSON(into: &out, rank: [:])
        return out
    }

    /// Compact JSON whose object keys listed in `order` come first, in that order, at every level; the others follow
    /// sorted. For texts whose reader cares about order: a grammar built from a JSON Schema keeps the order of its
    /// properties, so the model writes `type` before `with` only if the schema says so.
    public func jsonText(keysFirst order: [String]) -> String {
        var rank: [String: Int] = [:]
        for (index, key) in order.enumerated() where rank[key] == nil { rank[key] = index }
        var out = ""
        writeJSON(into: &out, rank: rank)
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

    private func writeJSON(into out: inout String, rank: [String: Int]) {
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
                value.writeJSON(into: &out, rank: rank)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let keys = rank.isEmpty ? members.keys.sorted() : members.keys.sorted { left, right in
                let (a, b) = (rank[left] ?? Int.max, rank[right] ?? Int.max)
                return a != b ? a < b : left < right
            }
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeQuoted(key, into: &out)
                out += ":"
                members[key]!.writeJSON(into: &out, rank: rank)
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
