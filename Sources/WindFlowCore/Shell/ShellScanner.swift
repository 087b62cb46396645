/// Reads a bash or sh script the way the shell will, far enough to know the context of every `{{ … }}`: a stack of
/// what is open (commands, `$( )`, quotes, arithmetic, tests, `${ }`, subscripts, here-documents).
struct ShellScanner {
    private let chars: [Character]
    private var index = 0
    private var literal = ""
    private var pieces: [ShellPlaceholders.Piece] = []
    private var frames: [Frame]
    private var pendingHereDocuments: [HereDocument] = []
    private var atLineStart = false
    private var nextPipeline = 1
    /// For each pipeline, the first stage that reads code from its standard input (`… | bash`), and that program.
    private var codeStages: [Int: (stage: Int, program: String)] = [:]
    /// The pipelines and stages of the commands around each placeholder, by its index in `pieces`.
    private var placements: [Int: [(pipeline: Int, stage: Int)]] = [:]

    private enum Frame {
        /// A command list: the script itself, `$( )`, `<( )`, or backticks; `closer` ends it, `depth` counts `( )`.
        case command(ShellCommand, closer: Character?, depth: Int)
        case doubleQuote
        /// `$(( ))` or `(( ))`, with the depth of parentheses opened inside.
        case arithmetic(depth: Int)
        /// `[[ ]]`; `arithmetic` when it compares numbers (`-eq`, `-gt`…), which bash evaluates as arithmetic.
        case test(arithmetic: Bool)
        /// `${ }`; `offset` once a `:` starts a substring offset, which is arithmetic.
        case parameter(offset: Bool)
        /// `name[ ]` or `$[ ]`, with the depth of brackets opened inside.
        case arraySubscript(depth: Int)
        case hereDocument(HereDocument)
    }

    private struct HereDocument {
        var delimiter: String
        var stripTabs: Bool
        var quoted: Bool
        /// What runs the body as code (`bash <<EOF`), if anything.
        var code: String?
        var placements: [(pipeline: Int, stage: Int)]
    }

    init(_ script: String) {
        chars = Array(script)
        frames = [.command(ShellCommand(pipeline: 0), closer: nil, depth: 0)]
    }

    mutating func scan() throws(ExpressionError) {
        while index < chars.count {
            if atLineStart, case .hereDocument(let document) = frames.last {
                readHereDocumentLine(document)
                continue
            }
            if at("{{"), !inComment {
                try placeholder()
                continue
            }
            switch frames.last! {
            case .command(let command, let closer, let depth): commandCharacter(command, closer: closer, depth: depth)
            case .doubleQuote: quotedCharacter()
            case .arithmetic(let depth): arithmeticCharacter(depth)
            case .test: testCharacter()
            case .parameter: parameterCharacter()
            case .arraySubscript(let depth): subscriptCharacter(depth)
            case .hereDocument: hereDocumentCharacter()
            }
        }
    }

    /// The pieces, with placeholders in a pipeline into a shell marked as code.
    mutating func finish() -> [ShellPlaceholders.Piece] {
        endCommand(pipe: false)
        flushLiteral()
        for (position, around) in placements {
            guard case .placeholder(let expression, let context, let source, let offset) = pieces[position] else { continue }
            if case .code = context { continue }
            for placement in around {
                if let code = codeStages[placement.pipeline], code.stage > placement.stage {
                    pieces[position] = .placeholder(expression, .code("a pipe into \(code.program)"), source: source, offset: offset)
                    break
                }
            }
        }
        return pieces
    }

    // MARK: - Characters in each frame

    private var inComment = false

    private mutating func commandCharacter(_ command: ShellCommand, closer: Character?, depth: Int) {
        let char = chars[index]
        if inComment {
            if char == "\n" { inComment = false } else { take(1); return }
        }
        switch char {
        case "#" where command.current.isEmpty:
            inComment = true
            take(1)
        case "\\":
            if let next = peek(1), next != "\n" { appendToWord(String(next)) }
            take(2)
        case "'":
            let end = (index + 1..<chars.count).first { chars[$0] == "'" } ?? chars.count - 1
            appendToWord(String(chars[min(index + 1, end)..<end]))
            take(end - index + 1)
        case "\"":
            appendToWord("\"")
            take(1)
            frames.append(.doubleQuote)
        case "`":
            if closer == "`" { endCommand(pipe: false); take(1); frames.removeLast(); return }
            openCommandSubstitution(length: 1, closer: "`")
        case "$":
            if !openExpansion() { appendToWord("$"); take(1) }
        case "(" where at("((") && command.atStart:
            updateCommand { $0.words.append(ShellCommand.Word(text: "((")) }
            take(2)
            frames.append(.arithmetic(depth: 0))
        case "(":
            updateCommand { $0.endWord() }
            setDepth(depth + 1)
            take(1)
        case ")":
            if closer == ")" && depth == 0 {
                endCommand(pipe: false)
                take(1)
                frames.removeLast()
            } else {
                updateCommand { $0.endWord() }
                setDepth(max(0, depth - 1))
                take(1)
            }
        case "[" where (at("[[ ") || at("[[\t")) && command.atStart:
            updateCommand { $0.words.append(ShellCommand.Word(text: "[[")) }
            take(2)
            frames.append(.test(arithmetic: comparesNumbers()))
        case "[":
            let word = command.current
            if !word.text.isEmpty, !word.hasPlaceholder, word.text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                appendToWord("[")
                take(1)
                frames.append(.arraySubscript(depth: 0))
            } else {
                appendToWord("[")
                take(1)
            }
        case "<" where at("<<<"):
            updateCommand { $0.endWord(); $0.redirectPending = true }
            take(3)
        case "<" where at("<<"):
            updateCommand { $0.endWord() }
            take(2)
            readHereDocumentOperator(command)
        case "<" where at("<("), ">" where at(">("):
            openCommandSubstitution(length: 2, closer: ")")
        case "<", ">":
            updateCommand { $0.endRedirectedWord() }
            take(at(">&") || at("<&") || at(">>") || at(">|") ? 2 : 1)
        case " ", "\t":
            updateCommand { $0.endWord() }
            take(1)
        case "\n":
            endCommand(pipe: false)
            take(1)
            startHereDocument()
        case ";":
            endCommand(pipe: false)
            take(1)
        case "&" where at("&>"):
            updateCommand { $0.endRedirectedWord() }
            take(at("&>>") ? 3 : 2)
        case "&":
            endCommand(pipe: false)
            take(at("&&") ? 2 : 1)
        case "|":
            if at("||") { endCommand(pipe: false); take(2) } else { endCommand(pipe: true); take(at("|&") ? 2 : 1) }
        default:
            appendToWord(String(char))
            take(1)
        }
    }

    private mutating func quotedCharacter() {
        switch chars[index] {
        case "\\": appendToWord(peek(1).map { String($0) } ?? ""); take(2)
        case "\"": appendToWord("\""); take(1); frames.removeLast()
        case "`": openCommandSubstitution(length: 1, closer: "`")
        case "$": if !openExpansion() { appendToWord("$"); take(1) }
        default: appendToWord(String(chars[index])); take(1)
        }
    }

    private mutating func arithmeticCharacter(_ depth: Int) {
        switch chars[index] {
        case "(": replaceTop(.arithmetic(depth: depth + 1)); take(1)
        case ")" where depth > 0: replaceTop(.arithmetic(depth: depth - 1)); take(1)
        case ")": take(at("))") ? 2 : 1); frames.removeLast()
        default: nestedCharacter()
        }
    }

    private mutating func testCharacter() {
        if at("]]") { take(2); frames.removeLast(); return }
        nestedCharacter()
    }

    private mutating func parameterCharacter() {
        switch chars[index] {
        case "}": take(1); frames.removeLast()
        case "[": take(1); frames.append(.arraySubscript(depth: 0))
        case ":":
            if let next = peek(1), !"-=+?".contains(next) { replaceTop(.parameter(offset: true)) }
            take(1)
        default: nestedCharacter()
        }
    }

    private mutating func subscriptCharacter(_ depth: Int) {
        switch chars[index] {
        case "[": replaceTop(.arraySubscript(depth: depth + 1)); take(1)
        case "]" where depth > 0: replaceTop(.arraySubscript(depth: depth - 1)); take(1)
        case "]": take(1); frames.removeLast()
        default: nestedCharacter()
        }
    }

    private mutating func hereDocumentCharacter() {
        switch chars[index] {
        case "\\": take(2)
        case "`": openCommandSubstitution(length: 1, closer: "`")
        case "$": if !openExpansion() { take(1) }
        case "\n": take(1); atLineStart = true
        default: take(1)
        }
    }

    /// What may open inside quotes, arithmetic, tests, `${ }` and subscripts.
    private mutating func nestedCharacter() {
        switch chars[index] {
        case "\\": take(2)
        case "\"": take(1); frames.append(.doubleQuote)
        case "'":
            let end = (index + 1..<chars.count).first { chars[$0] == "'" } ?? chars.count - 1
            take(end - index + 1)
        case "`": openCommandSubstitution(length: 1, closer: "`")
        case "$": if !openExpansion() { take(1) }
        default: take(1)
        }
    }

    /// `$((`, `$(`, `${`, `$[` or `$'…'` at the current position; false for a plain `$`.
    private mutating func openExpansion() -> Bool {
        markWordExpanded()
        if at("$((") { take(3); frames.append(.arithmetic(depth: 0)); return true }
        if at("$(") { openCommandSubstitution(length: 2, closer: ")"); return true }
        if at("${") { take(2); frames.append(.parameter(offset: false)); return true }
        if at("$[") { take(2); frames.append(.arraySubscript(depth: 0)); return true }
        if at("$'") {
            var end = index + 2
            while end < chars.count, chars[end] != "'" { end += chars[end] == "\\" ? 2 : 1 }
            take(min(end, chars.count - 1) - index + 1)
            return true
        }
        return false
    }

    private mutating func openCommandSubstitution(length: Int, closer: Character) {
        markWordExpanded()
        take(length)
        frames.append(.command(ShellCommand(pipeline: newPipeline()), closer: closer, depth: 0))
    }

    // MARK: - Here-documents

    /// After `<<`: reads `-`, the delimiter and whether it is quoted; the body starts at the next line.
    private mutating func readHereDocumentOperator(_ command: ShellCommand) {
        let stripTabs = at("-")
        if stripTabs { take(1) }
        while index < chars.count, chars[index] == " " || chars[index] == "\t" { take(1) }
        var word = ""
        var quoted = false
        while index < chars.count, !" \t\n;|&<>()".contains(chars[index]) {
            let char = chars[index]
            if char == "'" || char == "\"" || char == "\\" { quoted = true } else { word.append(char) }
            take(1)
        }
        guard !word.isEmpty else { return }
        pendingHereDocuments.append(HereDocument(
            delimiter: word, stripTabs: stripTabs, quoted: quoted, code: command.readsCodeFromStandardInput(),
            placements: commandPlacements()))
    }

    private mutating func startHereDocument() {
        guard !pendingHereDocuments.isEmpty else { return }
        frames.append(.hereDocument(pendingHereDocuments.removeFirst()))
        atLineStart = true
    }

    /// A line of a here-document's body: the delimiter ends it; a quoted document's lines are the shell's own.
    private mutating func readHereDocumentLine(_ document: HereDocument) {
        let end = (index..<chars.count).first { chars[$0] == "\n" } ?? chars.count
        var line = Substring(String(chars[index..<end]))
        if document.stripTabs { line = line.drop { $0 == "\t" } }
        if line == document.delimiter {
            take(min(end + 1, chars.count) - index)
            frames.removeLast()
            atLineStart = false
            startHereDocument()
            return
        }
        if document.quoted {
            take(min(end + 1, chars.count) - index)
            return
        }
        atLineStart = false
    }

    // MARK: - Placeholders

    private mutating func placeholder() throws(ExpressionError) {
        let offset = index
        guard let close = (index + 2..<max(index + 2, chars.count - 1)).first(where: { chars[$0] == "}" && chars[$0 + 1] == "}" }) else {
            throw ExpressionError("'{{' is not closed", offset: offset, hint: "add '}}' after the expression, or put the text in single quotes")
        }
        let source = String(chars[(index + 2)..<close])
        let expression: Expression
        do {
            expression = try ExpressionParser.parse(source)
        } catch {
            throw ExpressionError(error.message, offset: offset, hint: error.hint, path: error.path)
        }
        flushLiteral()
        let context = currentContext()
        placements[pieces.count] = allPlacements()
        pieces.append(.placeholder(expression, context, source: source, offset: offset))
        index = close + 2
        for position in frames.indices where position >= holderStart {
            if case .command(var command, let closer, let depth) = frames[position] {
                command.current.hasPlaceholder = true
                frames[position] = .command(command, closer: closer, depth: depth)
            }
        }
    }

    /// The context the open frames give a placeholder: code anywhere outside wins, then arithmetic, then the
    /// innermost quoting.
    private func currentContext() -> ShellPlaceholders.Context {
        if holderStart > 0, case .hereDocument(let document) = frames[holderStart - 1], let code = document.code {
            return .code("\(code) (its here-document)")
        }
        // Commands below a here-document are those after its line: they do not hold the placeholder.
        for frame in frames[holderStart...] {
            switch frame {
            case .command(let command, _, _): if let runner = command.codeRunner() { return .code(runner) }
            default: break
            }
        }
        for frame in frames {
            switch frame {
            case .arithmetic, .arraySubscript, .test(arithmetic: true), .parameter(offset: true): return .arithmetic
            case .command(let command, _, _) where command.isArithmetic: return .arithmetic
            default: break
            }
        }
        for frame in frames.reversed() {
            switch frame {
            case .doubleQuote, .hereDocument: return .quoted
            case .parameter: continue
            default: return .word
            }
        }
        return .word
    }

    /// The pipelines and stages of the command frames open now, from the script outwards in.
    private func commandPlacements() -> [(pipeline: Int, stage: Int)] {
        frames.compactMap { frame in
            if case .command(let command, _, _) = frame { return (command.pipeline, command.stage) }
            return nil
        }
    }

    /// The placements of the commands holding a placeholder here: those above the innermost here-document, and
    /// the commands that here-document belongs to.
    private func allPlacements() -> [(pipeline: Int, stage: Int)] {
        var found = frames[holderStart...].compactMap { frame -> (pipeline: Int, stage: Int)? in
            if case .command(let command, _, _) = frame { return (command.pipeline, command.stage) }
            return nil
        }
        if holderStart > 0, case .hereDocument(let document) = frames[holderStart - 1] { found += document.placements }
        return found
    }

    /// Where the frames that can hold a placeholder in a word start: after the innermost here-document.
    private var holderStart: Int {
        (frames.lastIndex { if case .hereDocument = $0 { return true } else { return false } } ?? -1) + 1
    }

    // MARK: - Helpers

    /// Whether `[[` at the current position compares numbers before its `]]`.
    private func comparesNumbers() -> Bool {
        var end = index + 2
        while end + 1 < chars.count, !(chars[end] == "]" && chars[end + 1] == "]") { end += 1 }
        let inner = String(chars[(index + 2)..<min(end, chars.count)])
        let operators: Set<Substring> = ["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]
        return inner.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).contains { operators.contains($0) }
    }

    private mutating func endCommand(pipe: Bool) {
        guard let position = frames.lastIndex(where: { if case .command = $0 { return true } else { return false } }),
            case .command(var command, let closer, let depth) = frames[position]
        else { return }
        command.endWord()
        // A command after a pipe that reads its program from standard input runs what the stages before it write.
        if command.stage > 0, let program = command.readsCodeFromStandardInput(),
            codeStages[command.pipeline].map({ $0.stage > command.stage }) ?? true
        {
            codeStages[command.pipeline] = (command.stage, program)
        }
        let next = pipe ? ShellCommand(pipeline: command.pipeline, stage: command.stage + 1) : ShellCommand(pipeline: newPipeline())
        frames[position] = .command(next, closer: closer, depth: depth)
    }

    private mutating func newPipeline() -> Int {
        defer { nextPipeline += 1 }
        return nextPipeline
    }

    private mutating func updateCommand(_ change: (inout ShellCommand) -> Void) {
        guard case .command(var command, let closer, let depth) = frames.last else { return }
        change(&command)
        frames[frames.count - 1] = .command(command, closer: closer, depth: depth)
    }

    /// Adds text to the word being read when it belongs to a command directly (or through double quotes).
    private mutating func appendToWord(_ text: String) {
        var position = frames.count - 1
        if case .doubleQuote = frames[position], position > 0 { position -= 1 }
        guard case .command(var command, let closer, let depth) = frames[position] else { return }
        if text != "\"" { command.current.text += text }
        frames[position] = .command(command, closer: closer, depth: depth)
    }

    /// Marks the word being read as holding an expansion, so it is not taken for an option or be empty.
    private mutating func markWordExpanded() {
        appendToWord("$")
    }

    private mutating func setDepth(_ depth: Int) {
        guard case .command(let command, let closer, _) = frames.last else { return }
        frames[frames.count - 1] = .command(command, closer: closer, depth: depth)
    }

    private mutating func replaceTop(_ frame: Frame) {
        frames[frames.count - 1] = frame
    }

    private func at(_ text: String) -> Bool {
        var position = index
        for char in text {
            guard position < chars.count, chars[position] == char else { return false }
            position += 1
        }
        return true
    }

    private func peek(_ offset: Int) -> Character? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    /// Moves past `count` characters, keeping them as text.
    private mutating func take(_ count: Int) {
        let end = min(index + count, chars.count)
        literal.append(contentsOf: chars[index..<end])
        index = end
    }

    private mutating func flushLiteral() {
        if !literal.isEmpty { pieces.append(.text(literal)); literal = "" }
    }
}
