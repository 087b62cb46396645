/// Why an expression could not be parsed or evaluated, with where and, when there is one, how to fix it.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for a person.
    public var message: String
    /// Character offset in the text being parsed (the whole string value for templates), when known.
    public var offset: Int?
    /// How to fix it, when there is an obvious way.
    public var hint: String?
    /// The path that was read, for errors about a missing or mistyped value (`deploy_staging.endpoint`).
    public var path: String?
    /// What kind of missing value it is, for errors about reading one.
    public var problem: Problem?
    /// What would have been accepted at `path` (the fields the value has, the names defined).
    public var alternatives: [String]?

    /// The ways reading a value fails; their names are the `error_class` of the node failure.
    public enum Problem: String, Sendable, Hashable {
        /// An object does not have the field read.
        case missingField = "missing_field"
        /// The name at the root of the path is not defined (not a node, not `input`, `secrets`…).
        case undefinedName = "undefined_name"
        /// A field was read from null.
        case nullValue = "null_value"
        /// A field was read from a list.
        case fieldOfList = "field_of_list"
    }

    public init(_ message: String, offset: Int? = nil, hint: String? = nil, path: String? = nil, problem: Problem? = nil,
                alternatives: [String]? = nil) {
        self.message = message
        self.offset = offset
        self.hint = hint
        self.path = path
        self.problem = problem
        self.alternatives = alternatives
    }

    public var description: String {
        var text = message
        if let offset { text += " (at character \(offset + 1))" }
        if let hint { text += "; \(hint)" }
        return text
    }

    /// The same error with its UTF-8 byte offset in `text` turned into a character offset.
    func withCharacterOffset(in text: String) -> ExpressionError {
        guard let offset else { return self }
        var copy = self
        let utf8 = text.utf8
        let index = utf8.index(utf8.startIndex, offsetBy: min(offset, utf8.count))
        copy.offset = text[..<(index.samePosition(in: text) ?? text.endIndex)].count
        return copy
    }

    /// The same error, with its offset moved by `shift`.
    func shifted(by shift: Int) -> ExpressionError {
        var copy = self
        copy.offset = offset.map { $0 + shift }
        return copy
    }
}

/// Limits that keep expressions cheap whatever they are given.
public enum ExpressionLimits {
    /// Characters in one `{{ }}` expression.
    public static let maxExpressionLength = 4096
    /// Nesting depth of one expression.
    public static let maxDepth = 64
    /// `{{ }}` placeholders in one string.
    public static let maxPlaceholders = 256
    /// Characters in a string value an evaluation may build.
    public static let maxResultLength = 10_000_000
}
