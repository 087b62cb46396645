/// The values an expression can read: roots by name (node ids, `trigger`, `env`, `secrets`, `execution`,
/// `workflow`, `item`, `index`).
public struct ExpressionScope: Sendable {
    public var roots: [String: JSONValue]
    /// Where values computed from `secrets` are recorded, so they are redacted like the secrets themselves.
    public var derivedSecrets: DerivedSecrets?

    public init(_ roots: [String: JSONValue] = [:], derivedSecrets: DerivedSecrets? = nil) {
        self.roots = roots
        self.derivedSecrets = derivedSecrets
    }
}

extension Expression {
    /// Computes the expression's value.
    /// - Throws: ``ExpressionError`` naming the path that could not be read, or the operation that did not apply.
    public func evaluate(in scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
        let value = try compute(in: scope)
        if let derived = scope.derivedSecrets, readsSecrets { derived.record(value) }
        return value
    }

    /// Whether the expression reads `secrets`: then what it computes is as secret as they are.
    public var readsSecrets: Bool { references.contains { $0.root == "secrets" } }

    private func compute(in scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
        switch self {
        case .literal(let value):
            return value
        case .list(let elements):
            var values: [JSONValue] = []
            for element in elements { values.append(try element.compute(in: scope)) }
            return .array(values)
        case .reference(let name):
            guard let value = scope.roots[name] else {
                let hint = closestMatch(to: name, among: Array(scope.roots.keys)).map { "did you mean '\($0)'?" }
                throw ExpressionError("'\(name)' is not defined here", hint: hint, path: name, problem: .undefinedName,
                                      alternatives: scope.roots.keys.sorted())
            }
            return value
        case .member(let base, let name):
            return try Self.member(name, of: try base.compute(in: scope), path: base.displayPath)
        case .index(let base, let index):
            return try Self.element(
                try index.compute(in: scope), of: try base.compute(in: scope), path: base.displayPath)
        case .unary(.negate, let operand):
            switch try operand.compute(in: scope) {
            case .int(let value): return .int(-value)
            case .double(let value): return .double(-value)
            case let other: throw ExpressionError("cannot negate \(other.kindWithArticle)")
            }
        case .unary(.not, let operand):
            return .bool(!(try operand.compute(in: scope).isTruthy))
        case .binary(.and, let left, let right):
            let value = try left.compute(in: scope)
            return value.isTruthy ? try right.compute(in: scope) : value
        case .binary(.or, let left, let right):
            let value = try left.compute(in: scope)
            return value.isTruthy ? value : try right.compute(in: scope)
        case .binary(let op, let left, let right):
            return try ExpressionOperators.apply(op, try left.compute(in: scope), try right.compute(in: scope))
        case .filter(let base, "default", let arguments):
            // `default` also covers a value that cannot be read at all.
            let value: JSONValue
            do { value = try base.compute(in: scope) } catch { return try arguments[0].compute(in: scope) }
            return value.isNull ? try arguments[0].compute(in: scope) : value
        case .filter(let base, let name, let arguments):
            let value = try base.compute(in: scope)
            var evaluated: [JSONValue] = []
            for argument in arguments { evaluated.append(try argument.compute(in: scope)) }
            return try ExpressionFilters.apply(name, to: value, arguments: evaluated)
        }
    }

    /// The path as written, for messages (`deploy_staging.endpoint`); `value` for computed bases.
    var displayPath: String {
        switch self {
        case .reference(let name): return name
        case .member(let base, let name): return "\(base.displayPath).\(name)"
        case .index(let base, .literal(let index)):
            if case .string(let key) = index { return "\(base.displayPath).\(key)" }
            return "\(base.displayPath)[\(index.renderedText)]"
        case .index(let base, _): return "\(base.displayPath)[…]"
        default: return "value"
        }
    }

    private static func member(_ name: String, of value: JSONValue, path: String) throws(ExpressionError) -> JSONValue {
        switch value {
        case .object(let members):
            if let found = members[name] { return found }
            let fields = members.keys.sorted()
            let hint: String
            if let close = closestMatch(to: name, among: fields) {
                hint = "did you mean '\(path).\(close)'?"
            } else if fields.isEmpty {
                hint = "it has no fields; use | default(…) for an optional value"
            } else {
                hint = "its fields are \(fields.prefix(12).joined(separator: ", ")); use | default(…) for an optional value"
            }
            throw ExpressionError("'\(path)' has no field '\(name)'", hint: hint, path: "\(path).\(name)", problem: .missingField,
                                  alternatives: fields)
        case .array(let elements):
            if name == "length" { return .int(elements.count) }
            throw ExpressionError(
                "'\(path)' is a list, it has no field '\(name)'", hint: "pick an element first, e.g. \(path)[0].\(name)",
                path: "\(path).\(name)", problem: .fieldOfList)
        case .null:
            throw ExpressionError(
                "'\(path)' is null, so it has no field '\(name)'", hint: "use | default(…) for an optional value",
                path: "\(path).\(name)", problem: .nullValue)
        default:
            throw ExpressionError("'\(path)' is \(value.kindWithArticle), it has no field '\(name)'", path: "\(path).\(name)")
        }
    }

    private static func element(_ index: JSONValue, of value: JSONValue, path: String) throws(ExpressionError) -> JSONValue {
        if case .string(let key) = index { return try member(key, of: value, path: path) }
        guard let position = index.intValue else {
            throw ExpressionError("an index must be a whole number or a field name, not \(index.kindWithArticle)", path: path)
        }
        switch value {
        case .array(let elements):
            let resolved = position < 0 ? elements.count + position : position
            guard elements.indices.contains(resolved) else {
                throw ExpressionError(
                    "'\(path)' has \(elements.count) element\(elements.count == 1 ? "" : "s"); index \(position) is out of range",
                    path: "\(path)[\(position)]")
            }
            return elements[resolved]
        case .string(let string):
            let characters = Array(string)
            let resolved = position < 0 ? characters.count + position : position
            guard characters.indices.contains(resolved) else {
                throw ExpressionError("index \(position) is out of range for a string of \(characters.count) characters", path: path)
            }
            return .string(String(characters[resolved]))
        default:
            throw ExpressionError("'\(path)' is \(value.kindWithArticle), it cannot be indexed by number", path: path)
        }
    }
}
