/// Parses expression text into an ``Expression``. The grammar is in docs/EXPRESSIONS.md.
public struct ExpressionParser {
    private var tokens: [ExpressionToken]
    private var position = 0
    private var depth = 0

    /// Parses one expression (the text between `{{` and `}}`).
    /// - Throws: ``ExpressionError`` with the offset of the problem, in characters, in `text`.
    public static func parse(_ text: String) throws(ExpressionError) -> Expression {
        do {
            return try parseBytes(text)
        } catch {
            throw error.withCharacterOffset(in: text)
        }
    }

    /// Parses one expression; offsets in errors count UTF-8 bytes.
    static func parseBytes(_ text: String) throws(ExpressionError) -> Expression {
        guard text.utf8.count <= ExpressionLimits.maxExpressionLength else {
            throw ExpressionError(
                "expression is \(text.utf8.count) bytes long; the limit is \(ExpressionLimits.maxExpressionLength)",
                hint: "compute large values in a script node and read its output")
        }
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokenize(text))
        if case .end = parser.current.kind {
            throw ExpressionError("expression is empty", offset: 0, hint: "write a value or a path such as trigger.name")
        }
        let expression = try parser.parseOr()
        guard case .end = parser.current.kind else {
            throw ExpressionError(
                "unexpected \(parser.current.kind.displayName) after the end of the expression",
                offset: parser.current.offset, hint: parser.trailingHint())
        }
        return expression
    }

    private init(tokens: [ExpressionToken]) {
        self.tokens = tokens
    }

    private var current: ExpressionToken { tokens[position] }

    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func isSymbol(_ symbol: String) -> Bool {
        if case .symbol(let found) = tokens[position].kind { return found == symbol }
        return false
    }

    private func isKeyword(_ word: String) -> Bool {
        if case .identifier(let found) = tokens[position].kind { return found == word }
        return false
    }

    private mutating func expect(_ symbol: String, closing opener: String? = nil) throws(ExpressionError) {
        guard isSymbol(symbol) else {
            var message = "expected '\(symbol)' but found \(current.kind.displayName)"
            if let opener { message += " (to close '\(opener)')" }
            throw ExpressionError(message, offset: current.offset)
        }
        advance()
    }

    private mutating func nested<T>(_ body: (inout ExpressionParser) throws(ExpressionError) -> T) throws(ExpressionError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= ExpressionLimits.maxDepth else {
            throw ExpressionError("expression is nested more than \(ExpressionLimits.maxDepth) levels deep", offset: current.offset)
        }
        return try body(&self)
    }

    private mutating func parseOr() throws(ExpressionError) -> Expression {
        try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> Expression in
            var left = try parser.parseAnd()
            while parser.isKeyword("or") || parser.isSymbol("||") {
                parser.advance()
                left = .binary(.or, left, try parser.parseAnd())
            }
            return left
        }
    }

    private mutating func parseAnd() throws(ExpressionError) -> Expression {
        var left = try parseNot()
        while isKeyword("and") || isSymbol("&&") {
            advance()
            left = .binary(.and, left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(ExpressionError) -> Expression {
        if isKeyword("not") || isSymbol("!") {
            advance()
            return try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> Expression in
                .unary(.not, try parser.parseNot())
            }
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(ExpressionError) -> Expression {
        let left = try parseAdditive()
        guard let op = comparisonOperator() else { return left }
        let result = Expression.binary(op, left, try parseAdditive())
        if comparisonOperator() != nil {
            throw ExpressionError(
                "comparisons cannot be chained", offset: current.offset, hint: "join two comparisons with and")
        }
        return result
    }

    /// Consumes and returns a comparison operator, if one is next.
    private mutating func comparisonOperator() -> BinaryOperator? {
        if case .symbol(let symbol) = current.kind {
            let op: BinaryOperator?
            switch symbol {
            case "==": op = .equal
            case "!=": op = .notEqual
            case "<": op = .less
            case "<=": op = .lessOrEqual
            case ">": op = .greater
            case ">=": op = .greaterOrEqual
            default: op = nil
            }
            if let op {
                advance()
                return op
            }
        }
        if isKeyword("in") {
            advance()
            return .in
        }
        if isKeyword("not"), position + 1 < tokens.count, tokens[position + 1].kind == .identifier("in") {
            advance()
            advance()
            return .notIn
        }
        return nil
    }

    private mutating func parseAdditive() throws(ExpressionError) -> Expression {
        var left = try parseMultiplicative()
        while isSymbol("+") || isSymbol("-") {
            let op: BinaryOperator = isSymbol("+") ? .add : .subtract
            advance()
            left = .binary(op, left, try parseMultiplicative())
        }
        return left
    }

    private mutating func parseMultiplicative() throws(ExpressionError) -> Expression {
        var left = try parseUnary()
        while isSymbol("*") || isSymbol("/") || isSymbol("%") {
            let op: BinaryOperator = isSymbol("*") ? .multiply : isSymbol("/") ? .divide : .remainder
            advance()
            left = .binary(op, left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> Expression {
        if isSymbol("-") {
            advance()
            return try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> Expression in
                .unary(.negate, try parser.parseUnary())
            }
        }
        return try parseFiltered()
    }

    private mutating func parseFiltered() throws(ExpressionError) -> Expression {
        var base = try parsePostfix()
        while isSymbol("|") {
            advance()
            guard case .identifier(let name) = current.kind else {
                throw ExpressionError(
                    "expected a filter name after '|' but found \(current.kind.displayName)", offset: current.offset,
                    hint: "filters: \(ExpressionFilters.names.joined(separator: ", "))")
            }
            let nameOffset = current.offset
            advance()
            var arguments: [Expression] = []
            if isSymbol("(") {
                advance()
                arguments = try parseArguments(closing: ")")
            }
            try ExpressionFilters.checkCall(name, argumentCount: arguments.count, offset: nameOffset)
            base = .filter(base, name: name, arguments: arguments)
        }
        return base
    }

    private mutating func parseArguments(closing: String) throws(ExpressionError) -> [Expression] {
        var arguments: [Expression] = []
        let opener = closing == ")" ? "(" : "["
        if isSymbol(closing) {
            advance()
            return arguments
        }
        while true {
            arguments.append(try parseOr())
            if isSymbol(",") {
                advance()
                if isSymbol(closing) { break }  // a trailing comma
                continue
            }
            break
        }
        try expect(closing, closing: opener)
        return arguments
    }

    private mutating func parsePostfix() throws(ExpressionError) -> Expression {
        var base = try parsePrimary()
        while true {
            if isSymbol(".") {
                advance()
                switch current.kind {
                case .identifier(let name):
                    base = .member(base, name)
                case .number(.int(let index)):
                    base = .index(base, .literal(.int(index)))
                default:
                    throw ExpressionError(
                        "expected a field name after '.' but found \(current.kind.displayName)", offset: current.offset)
                }
                advance()
            } else if isSymbol("[") {
                advance()
                let index = try parseOr()
                try expect("]", closing: "[")
                base = .index(base, index)
            } else {
                return base
            }
        }
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Expression {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return .literal(value)
        case .string(let value):
            advance()
            return .literal(.string(value))
        case .identifier(let name):
            advance()
            switch name {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "null", "none", "None": return .literal(.null)
            case "and", "or", "in", "not":
                throw ExpressionError("expected a value but found '\(name)'", offset: token.offset)
            default: return .reference(name)
            }
        case .symbol("("):
            advance()
            let inner = try parseOr()
            try expect(")", closing: "(")
            return inner
        case .symbol("["):
            advance()
            return .list(try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> [Expression] in
                try parser.parseArguments(closing: "]")
            })
        case .end:
            throw ExpressionError("expression ends too early: a value is missing", offset: token.offset)
        case .symbol(let symbol):
            throw ExpressionError("expected a value but found '\(symbol)'", offset: token.offset)
        }
    }

    private func trailingHint() -> String? {
        switch current.kind {
        case .identifier, .number, .string:
            return "join values with an operator such as +, ==, and, or"
        case .symbol(")"), .symbol("]"):
            return "remove the unmatched bracket"
        default:
            return nil
        }
    }
}

extension ExpressionToken.Kind {
    var displayName: String {
        switch self {
        case .identifier(let name): return "'\(name)'"
        case .number(let value): return "number \(value.renderedText)"
        case .string(let value): return "string '\(value)'"
        case .symbol(let symbol): return "'\(symbol)'"
        case .end: return "the end of the expression"
        }
    }
}
