/// A string value with `{{ … }}` placeholders, as configurations write them.
public struct Template: Sendable, Hashable {
    /// A piece of the string.
    public enum Segment: Sendable, Hashable {
        case text(String)
        /// An expression and the character offset of its text in the whole string.
        case expression(Expression, source: String, offset: Int)
    }

    public var segments: [Segment]

    /// Whether the string contains a `{{`, i.e. is meant as a template.
    public static func containsPlaceholder(_ text: String) -> Bool {
        text.contains("{{")
    }

    /// Splits `text` into literal text and parsed expressions.
    /// - Throws: ``ExpressionError`` with its offset in `text`.
    public static func parse(_ text: String) throws(ExpressionError) -> Template {
        let chars = Array(text)
        var segments: [Segment] = []
        var literal = ""
        var position = 0
        while position < chars.count {
            guard chars[position] == "{", position + 1 < chars.count, chars[position + 1] == "{" else {
                literal.append(chars[position])
                position += 1
                continue
            }
            guard segments.count < ExpressionLimits.maxPlaceholders * 2 else {
                throw ExpressionError(
                    "more than \(ExpressionLimits.maxPlaceholders) placeholders in one value", offset: position)
            }
            let start = position + 2
            guard let end = closingBraces(chars, from: start) else {
                throw ExpressionError("'{{' is not closed", offset: position, hint: "add '}}' after the expression")
            }
            if !literal.isEmpty {
                segments.append(.text(literal))
                literal = ""
            }
            let source = String(chars[start..<end])
            do {
                segments.append(.expression(try ExpressionParser.parse(source), source: source, offset: start))
            } catch {
                throw error.shifted(by: start)
            }
            position = end + 2
        }
        if !literal.isEmpty { segments.append(.text(literal)) }
        return Template(segments: segments)
    }

    /// Finds the `}}` that closes an expression starting at `start`, skipping quoted strings.
    private static func closingBraces(_ chars: [Character], from start: Int) -> Int? {
        var position = start
        var quote: Character? = nil
        while position < chars.count {
            let char = chars[position]
            if let open = quote {
                if char == "\\" { position += 1 } else if char == open { quote = nil }
            } else if char == "'" || char == "\"" {
                quote = char
            } else if char == "}", position + 1 < chars.count, chars[position + 1] == "}" {
                return position
            }
            position += 1
        }
        return nil
    }

    /// The expressions in the string.
    public var expressions: [Expression] {
        segments.compactMap {
            if case .expression(let expression, _, _) = $0 { return expression }
            return nil
        }
    }

    /// The expression, when the whole string (spaces aside) is one placeholder: its value keeps its type.
    public var singleExpression: Expression? {
        let meaningful = segments.filter {
            if case .text(let text) = $0 { return !text.allSatisfy(\.isWhitespace) }
            return true
        }
        guard meaningful.count == 1, case .expression(let expression, _, _) = meaningful[0] else { return nil }
        return expression
    }

    /// The value: the placeholder's own value when the string is exactly one placeholder, otherwise the text
    /// with every placeholder rendered.
    public func render(in scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
        if let expression = singleExpression { return try expression.evaluate(in: scope) }
        var text = ""
        for segment in segments {
            switch segment {
            case .text(let literal): text += literal
            case .expression(let expression, _, _):
                text += try expression.evaluate(in: scope).renderedText
                guard text.utf8.count <= ExpressionLimits.maxResultLength else {
                    throw ExpressionError("the text built is longer than \(ExpressionLimits.maxResultLength) bytes")
                }
            }
        }
        return .string(text)
    }
}
