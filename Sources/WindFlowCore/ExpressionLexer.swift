import Foundation

/// One token of an expression.
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case number(JSONValue)
        case string(String)
        case symbol(String)
        case end
    }

    var kind: Kind
    /// Character offset of the token in the expression.
    var offset: Int
}

/// Splits expression text into tokens.
struct ExpressionLexer {
    private static let symbols: [String] = [
        "==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ".", ",",
        "|", "!",
    ]

    static func tokenize(_ text: String) throws(ExpressionError) -> [ExpressionToken] {
        let chars = Array(text)
        var tokens: [ExpressionToken] = []
        var position = 0
        while position < chars.count {
            let char = chars[position]
            if char.isWhitespace {
                position += 1
            } else if char.isLetter || char == "_" {
                let start = position
                while position < chars.count, chars[position].isLetter || chars[position].isNumber || chars[position] == "_" {
                    position += 1
                }
                tokens.append(ExpressionToken(kind: .identifier(String(chars[start..<position])), offset: start))
            } else if char.isASCII, char.isNumber {
                tokens.append(try number(chars, &position))
            } else if char == "'" || char == "\"" {
                tokens.append(try string(chars, &position))
            } else if let symbol = symbols.first(where: { matches($0, chars, at: position) }) {
                tokens.append(ExpressionToken(kind: .symbol(symbol), offset: position))
                position += symbol.count
            } else {
                var hint: String? = nil
                if char == "=" { hint = "use == to compare" }
                if char == "{" || char == "}" { hint = "expressions cannot contain { or } outside quotes" }
                throw ExpressionError("unexpected character '\(char)'", offset: position, hint: hint)
            }
        }
        tokens.append(ExpressionToken(kind: .end, offset: chars.count))
        return tokens
    }

    private static func matches(_ symbol: String, _ chars: [Character], at position: Int) -> Bool {
        var index = position
        for char in symbol {
            guard index < chars.count, chars[index] == char else { return false }
            index += 1
        }
        return true
    }

    private static func number(_ chars: [Character], _ position: inout Int) throws(ExpressionError) -> ExpressionToken {
        let start = position
        var isDouble = false
        while position < chars.count, chars[position].isASCII, chars[position].isNumber || chars[position] == "_" {
            position += 1
        }
        if position + 1 < chars.count, chars[position] == ".", chars[position + 1].isASCII, chars[position + 1].isNumber {
            isDouble = true
            position += 1
            while position < chars.count, chars[position].isASCII, chars[position].isNumber { position += 1 }
        }
        if position < chars.count, chars[position] == "e" || chars[position] == "E" {
            var lookahead = position + 1
            if lookahead < chars.count, chars[lookahead] == "+" || chars[lookahead] == "-" { lookahead += 1 }
            if lookahead < chars.count, chars[lookahead].isASCII, chars[lookahead].isNumber {
                isDouble = true
                position = lookahead
                while position < chars.count, chars[position].isASCII, chars[position].isNumber { position += 1 }
            }
        }
        let text = String(chars[start..<position]).replacingOccurrences(of: "_", with: "")
        if !isDouble, let value = Int(text) {
            return ExpressionToken(kind: .number(.int(value)), offset: start)
        }
        guard let value = Double(text), value.isFinite else {
            throw ExpressionError("number '\(text)' is out of range", offset: start)
        }
        return ExpressionToken(kind: .number(.double(value)), offset: start)
    }

    private static func string(_ chars: [Character], _ position: inout Int) throws(ExpressionError) -> ExpressionToken {
        let start = position
        let quote = chars[position]
        position += 1
        var value = ""
        while position < chars.count {
            let char = chars[position]
            if char == quote {
                position += 1
                return ExpressionToken(kind: .string(value), offset: start)
            }
            if char == "\\", position + 1 < chars.count {
                let escaped = chars[position + 1]
                switch escaped {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "r": value.append("\r")
                default: value.append(escaped)
                }
                position += 2
                continue
            }
            value.append(char)
            position += 1
        }
        throw ExpressionError("string is not closed", offset: start, hint: "add a closing \(quote)")
    }
}
