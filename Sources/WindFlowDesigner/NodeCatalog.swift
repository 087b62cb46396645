import WindFlowCore

/// The node registry as the model reads it: one line per type, parameters (required ones marked `*`, choices
/// spelled out) and outputs. Generated, so the prompt can never name a type or parameter the validator rejects.
public enum NodeCatalog {
    /// Optional parameters shown per type beyond the required ones; the rest have defaults the model can ignore.
    static let optionalShown = 2
    static let outputsShown = 3

    public static func text(_ registry: NodeRegistry) -> String {
        registry.types.map { line($0) }.joined(separator: "\n")
    }

    /// One type's line; `optional` optional parameters are shown (those without a default first in plans, where
    /// the schema already holds the rest).
    static func line(_ type: NodeType, optional shown: Int = optionalShown, withoutDefaultsFirst: Bool = false) -> String {
        let required = type.parameters.filter(\.required)
        let oneOf = Set(type.requiresOneOf.flatMap { $0 })
        let optional = type.parameters.filter { !$0.required }
            .sorted { left, right in
                let (a, b) = (rank(left, oneOf: oneOf, withoutDefaultsFirst), rank(right, oneOf: oneOf, withoutDefaultsFirst))
                return a != b ? a < b : false
            }
            .prefix(shown)
        var parts = required.map { describe($0) + "*" } + optional.map { describe($0) }
        for group in type.requiresOneOf { parts.append("one of " + group.joined(separator: "/") + "*") }
        if case .named(let branches) = type.branches { parts.append("branches " + branches.joined(separator: "/")) }
        if case .cases(let parameter, let fallback) = type.branches { parts.append("branches: each \(parameter)[].name, \(fallback)") }
        var text = "\(type.id): (\(type.displayName))"
        if !parts.isEmpty { text += " " + parts.joined(separator: ", ") }
        let outputs = type.outputs.prefix(outputsShown).map(\.name)
        if !outputs.isEmpty { text += " -> " + outputs.joined(separator: ", ") }
        return text
    }

    /// Enumerated and one-of parameters first: they are where models go wrong.
    private static func rank(_ parameter: ParameterSpec, oneOf: Set<String>, _ withoutDefaultsFirst: Bool) -> Int {
        if oneOf.contains(parameter.name) { return 0 }
        if withoutDefaultsFirst { return parameter.defaultValue == nil && !parameter.isSecret ? 1 : 2 }
        if parameter.allowedValues != nil { return 1 }
        return 2
    }

    private static func describe(_ parameter: ParameterSpec) -> String {
        if let allowed = parameter.allowedValues, allowed.count <= 6 { return parameter.name + "=" + allowed.joined(separator: "|") }
        return parameter.name
    }
}

/// Rough token counts for budgeting prompts: about 3.6 characters a token for this mix of English, identifiers and
/// JSON (checked against Qwen2.5's tokenizer by the opt-in real-model test).
public enum TokenEstimate {
    public static func of(_ text: String) -> Int { Int((Double(text.utf8.count) / 3.6).rounded(.up)) }
}
