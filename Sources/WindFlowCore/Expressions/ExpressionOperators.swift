import Foundation

/// Arithmetic, comparison and membership on values.
enum ExpressionOperators {
    static func apply(_ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue) throws(ExpressionError) -> JSONValue {
        switch op {
        case .equal: return .bool(equal(left, right))
        case .notEqual: return .bool(!equal(left, right))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let order = try compare(left, right, op)
            switch op {
            case .less: return .bool(order < 0)
            case .lessOrEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .in: return .bool(try contains(right, left))
        case .notIn: return .bool(!(try contains(right, left)))
        case .add: return try add(left, right)
        case .subtract, .multiply, .divide, .remainder: return try arithmetic(op, left, right)
        case .and, .or: return .bool(false)  // evaluated with short-circuit by the evaluator
        }
    }

    /// Equality where 1 and 1.0 are the same number.
    static func equal(_ left: JSONValue, _ right: JSONValue) -> Bool {
        if let a = left.numberForComparison, let b = right.numberForComparison { return a == b }
        switch (left, right) {
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { equal(value, $0) } ?? false }
        default:
            return left == right
        }
    }

    private static func compare(_ left: JSONValue, _ right: JSONValue, _ op: BinaryOperator) throws(ExpressionError) -> Int {
        if let a = left.numberForComparison, let b = right.numberForComparison {
            return a < b ? -1 : (a > b ? 1 : 0)
        }
        if case .string(let a) = left, case .string(let b) = right {
            return a < b ? -1 : (a > b ? 1 : 0)
        }
        var hint: String? = nil
        if left.isNull || right.isNull {
            hint = "a value is null; use | default(0) for a value that may be missing"
        } else if case .string = left, right.doubleValue != nil {
            hint = "convert the text with | float or | int"
        } else if case .string = right, left.doubleValue != nil {
            hint = "convert the text with | float or | int"
        }
        throw ExpressionError("cannot compare \(left.kindWithArticle) with \(right.kindWithArticle) using \(op.rawValue)", hint: hint)
    }

    private static func contains(_ container: JSONValue, _ element: JSONValue) throws(ExpressionError) -> Bool {
        switch container {
        case .array(let elements): return elements.contains { equal($0, element) }
        case .string(let text):
            guard case .string(let part) = element else {
                throw ExpressionError("'in' on a string needs a string on its left, not \(element.kindWithArticle)")
            }
            return text.contains(part)
        case .object(let members):
            guard case .string(let key) = element else {
                throw ExpressionError("'in' on an object needs a field name on its left, not \(element.kindWithArticle)")
            }
            return members[key] != nil
        default:
            throw ExpressionError("'in' needs a list, a string or an object on its right, not \(container.kindWithArticle)")
        }
    }

    private static func add(_ left: JSONValue, _ right: JSONValue) throws(ExpressionError) -> JSONValue {
        switch (left, right) {
        case (.string(let a), .string(let b)):
            guard a.utf8.count + b.utf8.count <= ExpressionLimits.maxResultLength else {
                throw ExpressionError("the text built is longer than \(ExpressionLimits.maxResultLength) bytes")
            }
            return .string(a + b)
        case (.array(let a), .array(let b)):
            return .array(a + b)
        default:
            if left.doubleValue != nil, right.doubleValue != nil { return try arithmetic(.add, left, right) }
            var hint: String? = nil
            if case .string = left { hint = "convert the other side with | string" }
            if case .string = right { hint = "convert the other side with | string" }
            throw ExpressionError("cannot add \(left.kindWithArticle) and \(right.kindWithArticle)", hint: hint)
        }
    }

    private static func arithmetic(_ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue) throws(ExpressionError) -> JSONValue {
        guard left.doubleValue != nil, right.doubleValue != nil else {
            let hint = (left.isNull || right.isNull) ? "a value is null; use | default(0)" : nil
            throw ExpressionError(
                "'\(op.rawValue)' needs two numbers, not \(left.kindWithArticle) and \(right.kindWithArticle)", hint: hint)
        }
        if case .int(let a) = left, case .int(let b) = right {
            switch op {
            case .add:
                let (sum, overflow) = a.addingReportingOverflow(b)
                return overflow ? .double(Double(a) + Double(b)) : .int(sum)
            case .subtract:
                let (difference, overflow) = a.subtractingReportingOverflow(b)
                return overflow ? .double(Double(a) - Double(b)) : .int(difference)
            case .multiply:
                let (product, overflow) = a.multipliedReportingOverflow(by: b)
                return overflow ? .double(Double(a) * Double(b)) : .int(product)
            case .divide:
                guard b != 0 else { throw ExpressionError("division by zero") }
                return a % b == 0 ? .int(a / b) : .double(Double(a) / Double(b))
            case .remainder:
                guard b != 0 else { throw ExpressionError("remainder of a division by zero") }
                return .int(a % b)
            default: break
            }
        }
        let a = left.doubleValue!, b = right.doubleValue!
        switch op {
        case .add: return .double(a + b)
        case .subtract: return .double(a - b)
        case .multiply: return .double(a * b)
        case .divide:
            guard b != 0 else { throw ExpressionError("division by zero") }
            return .double(a / b)
        default:
            guard b != 0 else { throw ExpressionError("remainder of a division by zero") }
            return .double(fmod(a, b))
        }
    }
}

extension JSONValue {
    /// Numbers compare by value whatever their representation; booleans are not numbers here.
    fileprivate var numberForComparison: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }
}
