import WindFlowCore

// The run vocabulary as the PostgreSQL store reads it from its rows (the SQL literals are WindFlowStore's).

extension Columns {
    /// The execution status stored in `column`; a name this version does not know is an error that says so.
    func executionStatus(_ column: String) throws -> ExecutionStatus {
        try ExecutionStatus(reading: self(column, String.self))
    }

    func nodeRunStatus(_ column: String) throws -> NodeRunStatus {
        try NodeRunStatus(reading: self(column, String.self))
    }

    /// The failure kind stored in `column`, if any (an unknown name reads as `internal`).
    func failureKind(_ column: String) throws -> FailureKind? {
        try optional(column, String.self).map(FailureKind.init(stored:))
    }

    /// Failure details stored as JSON in `column`, if any.
    func failureDetails(_ column: String) throws -> FailureDetails? {
        try json(column).map(FailureDetails.init(jsonValue:))
    }
}
