extension WorkflowFormatError {
    /// The error as a validation problem, so one report can hold both.
    public var problem: Problem {
        Problem(.syntaxError, path: "", message: message, suggestion: hint, line: line)
    }
}
