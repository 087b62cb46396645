/// A string value with `{{ … }}` placeholders, as configurations write them.
public struct Template: Sendable, Hashable {
    /// A piece of the string.
    public enum Segment: Sendable, Hashable {
        case text(String)
        /// An expression and the UTF-8 offset of its text in the whole string.
        case expression(Expression, source: String, offset: Int)
    }

    public var segments: [Segment]

    /// Whether the string contains a `{{`, i.e. is meant as a template.
    public static func containsPlaceholder(_ text: String) -> Bool {
        var previousWasBrace = false
        for byte in text.utf8 {
            let isBrace = byte == UInt8(ascii: "{")
            if isBrace && previousWasBrace { return true }
            previousWasBrace = isBrace
        }
        return false
    }

    /// Splits `text` into literal text and parsed expressions.
    /// - Throws: ``ExpressionError`` with its offset, in characters, in `text`.
    public static func parse(_ text: String) throws(ExpressionError) -> Template {
        do {
            return try parseBytes(text)
        } catch {
            throw error.withCharacterOffset(in: text)
        }
    }

    private static func parseBytes(_ text: String) throws(ExpressionError) -> Template {
        let bytes = Array(text.utf8)
        let open = UInt8(ascii: "{")
        var segments: [Segment] = []
        var literalStart = 0
        var position = 0
        while position + 1 < bytes.count {
            guard bytes[position] == open, bytes[position + 1] == open else {
                position += 1
                continue
            }
            guard segments.count < ExpressionLimits.maxPlaceholders * 2 else {
                throw ExpressionError(
                    "more than \(ExpressionLimits.maxPlaceholders) placeholders in one value", offset: position)
            }
            let start = position + 2
            guard let end = closingBraces(bytes, from: start) else {
                throw ExpressionError("'{{' is not closed", offset: position, hint: "add '}}' after the expression")
            }
            if literalStart < position {
                segments.append(.text(String(decoding: bytes[literalStart..<position], as: UTF8.self)))
            }
            let source = String(decoding: bytes[start..<end], as: UTF8.self)
            do {
                segments.append(.expression(try ExpressionParser.parseBytes(source), source: source, offset: start))
            } catch {
                throw error.shifted(by: start)
            }
            position = end + 2
            literalStart = position
        }
        if literalStart < bytes.count {
            segments.append(.text(String(decoding: bytes[literalStart...], as: UTF8.self)))
        }
        return Template(segments: segments)
    }

    /// Finds the `}}` that closes an expression starting at `start`, skipping quoted strings.
    private static func closingBraces(_ bytes: [UInt8], from start: Int) -> Int? {
        let close = UInt8(ascii: "}"), single = UInt8(ascii: "'"), double = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var position = start
        var quote: UInt8? = nil
        while position < bytes.count {
            let byte = bytes[position]
            if let open = quote {
                if byte == backslash { position += 1 } else if byte == open { quote = nil }
            } else if byte == single || byte == double {
                quote = byte
            } else if byte == close, position + 1 < bytes.count, bytes[position + 1] == close {
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
