import Yams

/// A document that cannot be read as a workflow at all (not YAML or JSON, not a mapping, too large).
public struct WorkflowFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// 1-based line and column, when the parser knows them.
    public var line: Int?
    public var column: Int?
    public var hint: String?

    public init(_ message: String, line: Int? = nil, column: Int? = nil, hint: String? = nil) {
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint
    }

    init(yamlError: YamlError) {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = problem
            if let context { message = "\(context.text) \(problem)" }
            var hint: String? = nil
            if problem.contains("tab") { hint = "indent with spaces, not tabs" }
            if problem.contains("mapping values are not allowed") {
                hint = "quote values that contain ': ', e.g. message: \"Status: ok\""
            }
            if problem.contains("found character that cannot start any token") {
                hint = "quote values that start with { or @ or `, e.g. url: \"{{ trigger.url }}\""
            }
            self.init(message, line: mark.line, column: mark.column, hint: hint)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            self.init(
                "\(keys) \(duplicates.count == 1 ? "is" : "are") written twice in the same mapping",
                line: context.mark.line, column: context.mark.column, hint: "keep one of them")
        case .reader(let problem, _, _, _):
            self.init("could not read the text: \(problem)", hint: "save the file as UTF-8")
        default:
            self.init("could not read the document: \(yamlError)")
        }
    }

    public var description: String {
        var text = ""
        if let line {
            text += "line \(line)"
            if let column { text += ", column \(column)" }
            text += ": "
        }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}
