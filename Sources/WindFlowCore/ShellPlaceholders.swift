/// Finds the `{{ … }}` placeholders in a shell script that are meant as placeholders: inside single quotes the text
/// is the shell's own (`docker ps --format '{{.Names}}'`), so it is left alone.
public enum ShellPlaceholders {
    /// A piece of a script: text kept as written, or a placeholder to replace.
    public enum Piece: Sendable, Hashable {
        case text(String)
        case placeholder(Expression)
    }

    /// Splits a bash or sh script into text and placeholders.
    /// - Throws: ``ExpressionError`` for a placeholder outside single quotes that does not parse.
    public static func split(_ script: String) throws(ExpressionError) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var inSingle = false, inDouble = false
        var index = script.startIndex
        while index < script.endIndex {
            let char = script[index]
            if !inSingle, char == "\\" {
                let next = script.index(after: index)
                literal.append(char)
                if next < script.endIndex { literal.append(script[next]); index = script.index(after: next) } else { index = next }
                continue
            }
            if char == "'", !inDouble { inSingle.toggle() }
            if char == "\"", !inSingle { inDouble.toggle() }
            if !inSingle, char == "{", script[index...].hasPrefix("{{") {
                let rest = script[index...]
                guard let close = rest.range(of: "}}") else {
                    throw ExpressionError("'{{' is not closed", hint: "add '}}' after the expression, or put the text in single quotes")
                }
                if !literal.isEmpty { pieces.append(.text(literal)); literal = "" }
                let source = String(rest[rest.index(rest.startIndex, offsetBy: 2)..<close.lowerBound])
                pieces.append(.placeholder(try ExpressionParser.parse(source)))
                index = close.upperBound
                continue
            }
            literal.append(char)
            index = script.index(after: index)
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }
}
