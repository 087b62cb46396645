import Yams

/// An ordered document tree, written out as YAML or JSON with keys in a chosen order.
indirect enum Emitted {
    case scalar(JSONValue)
    case list([Emitted])
    case map([(String, Emitted)])

    /// A value with object keys sorted.
    init(_ value: JSONValue) {
        switch value {
        case .array(let elements): self = .list(elements.map(Emitted.init))
        case .object(let members): self = .map(members.keys.sorted().map { ($0, Emitted(members[$0]!)) })
        default: self = .scalar(value)
        }
    }

    // MARK: YAML

    func yamlNode() -> Node {
        switch self {
        case .scalar(let value): return Self.yamlScalar(value)
        case .list(let elements):
            let short = elements.count <= 8 && elements.allSatisfy {
                if case .scalar(let value) = $0, case .string(let text) = value { return text.count <= 40 && !text.contains("\n") }
                if case .scalar(let value) = $0 { return !(value.stringValue?.contains("\n") ?? false) }
                return false
            }
            return Node(elements.map { $0.yamlNode() }, .implicit, short ? .flow : .block)
        case .map(let entries):
            let flow = !entries.isEmpty && entries.count <= 2 && entries.allSatisfy {
                if case .scalar(let value) = $0.1 { return value.doubleValue != nil } else { return false }
            }
            return Node(entries.map { (Node($0.0), $0.1.yamlNode()) }, .implicit, flow ? .flow : .block)
        }
    }

    private static func yamlScalar(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .int(let number): return Node(String(number), Tag(.int))
        case .double(let number):
            if number.isNaN { return Node(".nan", Tag(.float)) }
            if number.isInfinite { return Node(number > 0 ? ".inf" : "-.inf", Tag(.float)) }
            var text = JSONValue.format(number)
            // Keep a double a double when read back: 2.0 is written 2.0, not 2.
            if !text.contains(".") && !text.contains("e") { text += ".0" }
            return Node(text, Tag(.float))
        case .string(let text):
            if text.contains("\n") { return Node(text, Tag(.str), .literal) }
            // Text that would read back as something else (true, 200, null, {{ … }}) must be quoted.
            let plainReading = LocatedParser.resolve(Node.Scalar(text, Tag(.str), .plain))
            let needsQuotes = plainReading != .string(text) || text.hasPrefix("{") || text.hasPrefix("[")
            return Node(text, Tag(.str), needsQuotes ? .doubleQuoted : .any)
        case .array, .object: return Emitted(value).yamlNode()
        }
    }

    func yamlText() -> String {
        (try? Yams.serialize(node: yamlNode(), indent: 2, width: -1, allowUnicode: true)) ?? ""
    }

    // MARK: JSON

    func jsonText(indent: Int = 0) -> String {
        var out = ""
        writeJSON(into: &out, level: 0, indent: indent)
        return out
    }

    private func writeJSON(into out: inout String, level: Int, indent: Int) {
        let newline = indent > 0 ? "\n" : ""
        let pad = String(repeating: " ", count: indent * (level + 1))
        let closePad = String(repeating: " ", count: indent * level)
        switch self {
        case .scalar(let value): out += value.jsonText
        case .list(let elements):
            if elements.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (index, element) in elements.enumerated() {
                out += pad
                element.writeJSON(into: &out, level: level + 1, indent: indent)
                out += (index < elements.count - 1 ? "," : "") + newline
            }
            out += closePad + "]"
        case .map(let entries):
            if entries.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (index, entry) in entries.enumerated() {
                out += pad
                JSONValue.writeQuoted(entry.0, into: &out)
                out += indent > 0 ? ": " : ":"
                entry.1.writeJSON(into: &out, level: level + 1, indent: indent)
                out += (index < entries.count - 1 ? "," : "") + newline
            }
            out += closePad + "}"
        }
    }
}
