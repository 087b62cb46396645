/// Finds the `{{ … }}` placeholders in a bash or sh script and where each one stands, because the shell treats a
/// value differently by place: a word, quoted text, a number in arithmetic, or code it runs.
///
/// Inside single quotes, `$'…'` and quoted here-documents (`<<'EOF'`) the text is the shell's own
/// (`docker ps --format '{{.Names}}'`), so it is left alone. Comments are left alone too.
public enum ShellPlaceholders {
    /// Where a placeholder stands, which decides how its value may reach the shell.
    public enum Context: Sendable, Hashable {
        /// A word of a command, unquoted: the value is passed quoted, so it stays one word and is never globbed.
        case word
        /// Inside double quotes or an unquoted here-document: the author's quotes already hold it.
        case quoted
        /// Read as a number by the shell (`$(( ))`, `(( ))`, `let`, `declare -i`, `[[ … -gt … ]]`, an array index,
        /// a substring offset). bash evaluates such a value as an arithmetic expression, in which an array subscript
        /// runs command substitutions, so only an integer may go there.
        case arithmetic
        /// In text that something runs as code (after `eval`, in `sh -c "…"`, piped into a shell, the command name
        /// itself): no value may go there. The text names what runs it.
        case code(String)
    }

    /// A piece of a script: text kept as written, or a placeholder with its context.
    public enum Piece: Sendable, Hashable {
        case text(String)
        /// The expression, its text between the braces, where it stands, and the character offset of its `{{`.
        case placeholder(Expression, Context, source: String, offset: Int)
    }

    /// Splits a bash or sh script into text and placeholders, each with its context.
    /// - Throws: ``ExpressionError`` for a placeholder that does not parse or is not closed.
    public static func split(_ script: String) throws(ExpressionError) -> [Piece] {
        guard Template.containsPlaceholder(script) else { return [.text(script)] }
        var scanner = ShellScanner(script)
        try scanner.scan()
        return scanner.finish()
    }

    /// Why a placeholder in `context` cannot run, and how to write it instead; `nil` when it can.
    public static func refusal(_ context: Context, source: String) -> (message: String, hint: String)? {
        guard case .code(let runner) = context else { return nil }
        let message = "the placeholder {{ \(source.trimmingCharacters(in: .whitespaces)) }} stands in text that \(runner) runs as code, so its value would run as commands"
        let hint = "pass the value through the node's env: (env: {NAME: \"{{ … }}\"}) and read \"$NAME\" in the inner script, or give it as an argument (sh -c 'echo \"$1\"' _ {{ … }})"
        return (message, hint)
    }

    /// Whether `value` may stand in a shell arithmetic context: an integer, optionally signed, and nothing else.
    public static func isInteger(_ value: String) -> Bool {
        var digits = Substring(value)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.count <= 19 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
