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
    /// Byte offset of the token in the expression's UTF-8 text.
    var offset: Int
}

/// Splits expression text into tokens, reading UTF-8 bytes (expressions are short and mostly ASCII; any non-ASCII
/// byte may be part of a name or a string).
struct ExpressionLexer {
    private static let twoByteSymbols: [(UInt8, UInt8)] = [
        (UInt8(ascii: "="), UInt8(ascii: "=")), (UInt8(ascii: "!"), UInt8(ascii: "=")), (UInt8(ascii: "<"), UInt8(ascii: "=")),
        (UInt8(ascii: ">"), UInt8(ascii: "=")), (UInt8(ascii: "&"), UInt8(ascii: "&")), (UInt8(ascii: "|"), UInt8(ascii: "|")),
    ]
    private static let oneByteSymbols: Set<UInt8> = Set("<>+-*/%()[].,|!".utf8)

    static func tokenize(_ text: String) throws(ExpressionError) -> [ExpressionToken] {
        let bytes = Array(text.utf8)
        var tokens: [ExpressionToken] = []
        var position = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                position += 1
            } else if isNameStart(byte) {
                let start = position
                while position < bytes.count, isNameStart(bytes[position]) || isDigit(bytes[position]) { position += 1 }
                tokens.append(ExpressionToken(kind: .identifier(string(bytes[start..<position])), offset: start))
            } else if isDigit(byte) {
                tokens.append(try number(bytes, &position))
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                tokens.append(try quoted(bytes, &position))
            } else if position + 1 < bytes.count, twoByteSymbols.contains(where: { $0 == (byte, bytes[position + 1]) }) {
                tokens.append(ExpressionToken(kind: .symbol(string(bytes[position..<position + 2])), offset: position))
                position += 2
            } else if oneByteSymbols.contains(byte) {
                tokens.append(ExpressionToken(kind: .symbol(String(UnicodeScalar(byte))), offset: position))
                position += 1
            } else {
                var hint: String? = nil
                if byte == UInt8(ascii: "=") { hint = "use == to compare" }
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") { hint = "expressions cannot contain { or } outside quotes" }
                let shown = String(decoding: bytes[position...].prefix(while: { $0 >= 0x80 }).prefix(4), as: UTF8.self)
                throw ExpressionError(
                    "unexpected character '\(shown.isEmpty ? String(UnicodeScalar(byte)) : shown)'", offset: position, hint: hint)
            }
        }
        tokens.append(ExpressionToken(kind: .end, offset: bytes.count))
        return tokens
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F || byte >= 0x80
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    private static func number(_ bytes: [UInt8], _ position: inout Int) throws(ExpressionError) -> ExpressionToken {
        let start = position
        var isDouble = false
        while position < bytes.count, isDigit(bytes[position]) || bytes[position] == 0x5F { position += 1 }
        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "."), isDigit(bytes[position + 1]) {
            isDouble = true
            position += 1
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            var lookahead = position + 1
            if lookahead < bytes.count, bytes[lookahead] == UInt8(ascii: "+") || bytes[lookahead] == UInt8(ascii: "-") {
                lookahead += 1
            }
            if lookahead < bytes.count, isDigit(bytes[lookahead]) {
                isDouble = true
                position = lookahead
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
        }
        let text = string(bytes[start..<position].filter { $0 != 0x5F }[...])
        if !isDouble, let value = Int(text) {
            return ExpressionToken(kind: .number(.int(value)), offset: start)
        }
        guard let value = Double(text), value.isFinite else {
            throw ExpressionError("number '\(text)' is out of range", offset: start)
        }
        return ExpressionToken(kind: .number(.double(value)), offset: start)
    }

    private static func quoted(_ bytes: [UInt8], _ position: inout Int) throws(ExpressionError) -> ExpressionToken {
        let start = position
        let quote = bytes[position]
        position += 1
        var value: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            if byte == quote {
                position += 1
                return ExpressionToken(kind: .string(string(value[...])), offset: start)
            }
            if byte == UInt8(ascii: "\\"), position + 1 < bytes.count {
                switch bytes[position + 1] {
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "r"): value.append(0x0D)
                case let escaped: value.append(escaped)
                }
                position += 2
                continue
            }
            value.append(byte)
            position += 1
        }
        throw ExpressionError("string is not closed", offset: start, hint: "add a closing \(String(UnicodeScalar(quote)))")
    }
}
