import WindFlowCore

/// A GBNF grammar (llama.cpp's `grammar` field) for a JSON Schema that leaves no room for whitespace between tokens.
///
/// llama-server's own JSON-schema converter lets a space or up to two newlines and twenty blanks follow every
/// token, and a small model uses them: it pretty-prints, which costs a fifth of the answer's tokens. This grammar
/// is the same language without them: compact JSON only. It covers what ``PlanSchema`` writes (objects with their
/// properties in order, required ones first as llama.cpp does, `anyOf`, `enum`, strings with length bounds, the
/// plan's own patterns, integers, numbers, booleans, arrays with item bounds, maps, `$ref` into `$defs`); a pattern
/// it does not know is any string.
public struct CompactGrammar: Sendable {
    /// The grammar's text, its first rule `root`.
    public let text: String

    public init(_ schema: JSONValue, keysFirst order: [String] = DesignPlan.keyOrder) {
        var builder = GrammarBuilder(definitions: schema["$defs"]?.objectValue ?? [:], order: order)
        let root = builder.expression(schema)
        self.init(root: root, builder: builder)
    }

    /// The grammar of what follows `{…,"key":[` in an object of `schema` whose last property is the array `key`:
    /// its items, then `]}`. For an answer whose start the code writes (``AnswerStart``). Nil when `key` is not an
    /// array or not required, or another property could follow it.
    public static func rest(of schema: JSONValue, afterOpening key: String, keysFirst order: [String] = DesignPlan.keyOrder) -> CompactGrammar? {
        guard let properties = schema["properties"]?.objectValue, let array = properties[key], array["type"] == "array",
            let items = array["items"], schema["required"]?.arrayValue?.contains(.string(key)) == true
        else { return nil }
        var builder = GrammarBuilder(definitions: schema["$defs"]?.objectValue ?? [:], order: order)
        guard builder.orderedKeys(schema).last == key, schema["additionalProperties"] == .bool(false) else { return nil }
        let item = builder.expression(items)
        let minimum = max(array["minItems"]?.intValue ?? 0, 0), maximum = array["maxItems"]?.intValue
        let more = maximum.map { "{\(max(minimum - 1, 0)),\(max($0 - 1, 0))}" } ?? "*"
        let list = minimum == 0 ? "(" + item + " (\",\" " + item + ")" + more + ")?" : item + " (\",\" " + item + ")" + more
        return CompactGrammar(root: list + #" "]}""#, builder: builder)
    }

    private init(root: String, builder: GrammarBuilder) {
        text = (["root ::= " + root] + builder.rules.map { "\($0.name) ::= \($0.body)" } + GrammarBuilder.primitives)
            .joined(separator: "\n") + "\n"
    }
}

/// Rules under construction; each `$ref` target and each object gets a named rule.
struct GrammarBuilder {
    let definitions: [String: JSONValue]
    let order: [String]
    var rules: [(name: String, body: String)] = []
    private var named: [String: String] = [:]
    private var count = 0

    init(definitions: [String: JSONValue], order: [String]) {
        self.definitions = definitions
        self.order = order
    }

    static let primitives = [
        #"char ::= [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})"#,
        #"string ::= "\"" char* "\"""#,
        #"natural ::= "0" | [1-9] [0-9]{0,15}"#,
        #"integer ::= "-"? natural"#,
        #"number ::= integer ("." [0-9]+)? ([eE] [-+]? [0-9]+)?"#,
        #"boolean ::= "true" | "false""#,
        #"value ::= object | array | string | number | boolean | "null""#,
        #"object ::= "{" (string ":" value ("," string ":" value)*)? "}""#,
        #"array ::= "[" (value ("," value)*)? "]""#,
    ]

    /// The plan's patterns (``PlanSchema``), said in GBNF.
    static let patterns: [String: String] = [
        PlanSchema.labelPattern: #""\"" [a-z] [a-z0-9_]{0,30} "\"""#,
        PlanSchema.secretPattern: #""\"{{" " "? "secrets." [A-Z] [A-Z0-9_]* " "? "}}\"""#,
        PlanSchema.expressionPattern: #""\"{{" char+ "}}\"""#,
        PlanSchema.durationOrTimePattern: #""\"" ([0-9]+ ("ms" | "s" | "m" | "h" | "d")? ([0-9]+ ("s" | "m" | "h"))* | "{{" char+ "}}" | [0-9]{4} "-" [0-9]{2} "-" [0-9]{2} "T" char+) "\"""#,
    ]

    /// A GBNF expression for `schema`.
    mutating func expression(_ schema: JSONValue) -> String {
        guard case .object(let members) = schema else { return "value" }
        if let reference = members["$ref"]?.stringValue, reference.hasPrefix("#/$defs/") {
            return definition(String(reference.dropFirst("#/$defs/".count)))
        }
        if let alternatives = (members["anyOf"] ?? members["oneOf"])?.arrayValue {
            return "(" + alternatives.map { expression($0) }.joined(separator: " | ") + ")"
        }
        if let choices = members["enum"]?.arrayValue { return "(" + choices.map { Self.literal($0.jsonText) }.joined(separator: " | ") + ")" }
        if let constant = members["const"] { return Self.literal(constant.jsonText) }
        switch members["type"]?.stringValue {
        case "string": return string(members)
        case "integer": return (members["minimum"]?.doubleValue ?? -1) >= 0 ? "natural" : "integer"
        case "number": return "number"
        case "boolean": return "boolean"
        case "null": return #""null""#
        case "array": return array(members)
        case "object": return object(members)
        default: return members.isEmpty ? "value" : (members["properties"] != nil ? object(members) : "value")
        }
    }

    private mutating func definition(_ name: String) -> String {
        if let rule = named[name] { return rule }
        let rule = "d-" + name.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        named[name] = rule
        let index = rules.count
        rules.append((rule, "value"))
        rules[index].body = expression(definitions[name] ?? [:])
        return rule
    }

    private mutating func rule(_ body: String) -> String {
        count += 1
        let name = "r\(count)"
        rules.append((name, body))
        return name
    }

    private func string(_ members: [String: JSONValue]) -> String {
        if let pattern = members["pattern"]?.stringValue { return Self.patterns[pattern] ?? #""\"" char+ "\"""# }
        let minimum = members["minLength"]?.intValue ?? 0
        guard let maximum = members["maxLength"]?.intValue else { return minimum > 0 ? #""\"" char+ "\"""# : "string" }
        return #""\"" char{\#(minimum),\#(maximum)} "\"""#
    }

    private mutating func array(_ members: [String: JSONValue]) -> String {
        let item = expression(members["items"] ?? [:])
        let minimum = members["minItems"]?.intValue ?? 0
        let maximum = members["maxItems"]?.intValue
        let more = { (low: Int) in maximum.map { "{\(low),\(max(low, $0 - 1))}" } ?? (low == 0 ? "*" : "{\(low),}") }
        if maximum == 0 { return #""[]""# }
        if minimum == 0 { return rule(#""[" ("# + item + #" ("," "# + item + ")" + more(0) + #")? "]""#) }
        return rule(#""[" "# + item + #" ("," "# + item + ")" + more(minimum - 1) + #" "]""#)
    }

    /// An object: its properties, required ones first, each in the plan's key order; optional ones may be left out.
    private mutating func object(_ members: [String: JSONValue]) -> String {
        guard let properties = members["properties"]?.objectValue, !properties.isEmpty else {
            if let values = members["additionalProperties"], values.objectValue != nil {
                let value = expression(values)
                return rule(#""{" (string ":" "# + value + #" ("," string ":" "# + value + #")*)? "}""#)
            }
            return members["additionalProperties"] == .bool(false) ? #""{}""# : "object"
        }
        let required = Set(members["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let ordered = orderedKeys(.object(members))
        var pairs: [(String, Bool)] = []
        for key in ordered {
            pairs.append((Self.literal(JSONValue.string(key).jsonText + ":") + " " + expression(properties[key]!), required.contains(key)))
        }
        // after[i]: the properties from i on once one is written (each then starts with ","); first[i]: the same
        // with none written yet. "" is nothing at all; `nullable` says the rule may match nothing.
        var after: (String, Bool) = ("", true), first: (String, Bool) = ("", true)
        for (pair, isRequired) in pairs.reversed() {
            let written = Self.sequence(pair, after.0)
            let comma = Self.sequence(#"",""#, written)
            if isRequired {
                (after, first) = ((rule(comma), false), (rule(written), false))
            } else {
                after = (rule(after.0.isEmpty ? "(" + comma + ")?" : "(" + comma + " | " + after.0 + ")"), true)
                first = (rule(first.0.isEmpty ? "(" + written + ")?" : "(" + written + " | " + first.0 + ")"), true)
            }
        }
        return rule(Self.sequence(Self.sequence(#""{""#, first.0), #""}""#))
    }

    /// An object schema's properties in the order its grammar writes them: required ones first, each in the plan's
    /// key order.
    func orderedKeys(_ schema: JSONValue) -> [String] {
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let keys = (schema["properties"]?.objectValue?.keys).map { $0.sorted { rank($0) < rank($1) } } ?? []
        return keys.filter { required.contains($0) } + keys.filter { !required.contains($0) }
    }

    private static func sequence(_ left: String, _ right: String) -> String {
        left.isEmpty ? right : right.isEmpty ? left : left + " " + right
    }

    private func rank(_ key: String) -> (Int, String) {
        (order.firstIndex(of: key) ?? order.count, key)
    }

    /// A GBNF literal for this text.
    static func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
