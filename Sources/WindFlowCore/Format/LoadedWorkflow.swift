/// A workflow read from text, with the problems met while reading it and where each part came from.
public struct LoadedWorkflow: Sendable {
    public var workflow: Workflow
    /// Problems in the document's shape (a mistyped field, an unknown key); the validator adds the rest.
    public var problems: [Problem]
    public var sourceMap: SourceMap

    public init(workflow: Workflow, problems: [Problem] = [], sourceMap: SourceMap = SourceMap()) {
        self.workflow = workflow
        self.problems = problems
        self.sourceMap = sourceMap
    }
}

/// The source line of each path in a loaded document, so problems can say `deploy.yaml:14`.
public struct SourceMap: Sendable, Hashable {
    private var lines: [String: Int] = [:]

    public init() {}

    mutating func record(_ path: String, _ line: Int?) {
        if let line { lines[path] = line }
    }

    /// The line of `path`, or of the nearest enclosing path that has one (`nodes[2].configuration.url` falls back
    /// to `nodes[2].configuration`, then `nodes[2]`).
    public func line(for path: String) -> Int? {
        var current = Substring(path)
        while !current.isEmpty {
            if let line = lines[String(current)] { return line }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            current = current[..<cut]
        }
        return nil
    }

    /// `problems` with their lines filled in.
    public func locate(_ problems: [Problem]) -> [Problem] {
        problems.map { problem in
            var located = problem
            if located.line == nil { located.line = line(for: problem.path) }
            return located
        }
    }
}
