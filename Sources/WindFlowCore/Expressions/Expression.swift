/// A parsed `{{ … }}` expression. Data, never code: it can only read values, compute and compare.
public indirect enum Expression: Sendable, Hashable {
    case literal(JSONValue)
    case list([Expression])
    /// A root name: a node id, `trigger`, `env`, `secrets`, `execution`, `workflow`, `item`, `index`.
    case reference(String)
    /// `base.name`
    case member(Expression, String)
    /// `base[index]`
    case index(Expression, Expression)
    case unary(UnaryOperator, Expression)
    case binary(BinaryOperator, Expression, Expression)
    /// `base | name(arguments)`
    case filter(Expression, name: String, arguments: [Expression])
}

/// `-x`, `not x`.
public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-"
    case not
}

/// The binary operators, from loosest to tightest: `or`; `and`; comparisons and `in`; `+ -`; `* / %`.
public enum BinaryOperator: String, Sendable, Hashable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in`, notIn = "not in"
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

/// A path an expression reads: a root name and the fields after it that are known before running
/// (`deploy_staging.endpoint` → root `deploy_staging`, fields `["endpoint"]`).
public struct ExpressionReference: Sendable, Hashable {
    public var root: String
    public var fields: [String]

    public init(root: String, fields: [String]) {
        self.root = root
        self.fields = fields
    }

    /// The path as written: `deploy_staging.endpoint`.
    public var dottedPath: String { ([root] + fields).joined(separator: ".") }
}

extension Expression {
    /// Every path this expression reads. Fields are listed as far as they are known before running:
    /// `a.b[0].c` reads `a.b` (a computed index ends the known part), `a['b']` reads `a.b`.
    public var references: [ExpressionReference] {
        var found: [ExpressionReference] = []
        collectReferences(into: &found)
        return found
    }

    private func collectReferences(into found: inout [ExpressionReference]) {
        if let scan = pathScan {
            found.append(scan.reference)
            collectComputedIndexes(into: &found)
            return
        }
        switch self {
        case .literal, .reference: break
        case .list(let elements): elements.forEach { $0.collectReferences(into: &found) }
        case .member(let base, _): base.collectReferences(into: &found)
        case .index(let base, let index):
            base.collectReferences(into: &found)
            index.collectReferences(into: &found)
        case .unary(_, let operand): operand.collectReferences(into: &found)
        case .binary(_, let left, let right):
            left.collectReferences(into: &found)
            right.collectReferences(into: &found)
        case .filter(let base, _, let arguments):
            base.collectReferences(into: &found)
            arguments.forEach { $0.collectReferences(into: &found) }
        }
    }

    /// Indexes inside a path that are computed (`a[b.c]`) read values of their own.
    private func collectComputedIndexes(into found: inout [ExpressionReference]) {
        switch self {
        case .member(let base, _): base.collectComputedIndexes(into: &found)
        case .index(let base, let index):
            base.collectComputedIndexes(into: &found)
            if case .literal = index {} else { index.collectReferences(into: &found) }
        default: break
        }
    }

    /// A chain of members and indexes on a root name; `known` stops growing at the first index that is not a
    /// string literal.
    private var pathScan: (reference: ExpressionReference, open: Bool)? {
        switch self {
        case .reference(let root): return (ExpressionReference(root: root, fields: []), true)
        case .member(let base, let name):
            guard var scan = base.pathScan else { return nil }
            if scan.open { scan.reference.fields.append(name) }
            return scan
        case .index(let base, let index):
            guard var scan = base.pathScan else { return nil }
            if scan.open, case .literal(.string(let name)) = index {
                scan.reference.fields.append(name)
            } else {
                scan.open = false
            }
            return scan
        default: return nil
        }
    }
}
