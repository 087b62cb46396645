import GRDB
import WindFlowCore

// The run vocabulary as the SQL stores write and read it: the codec, and the one place its names meet SQL (the
// literals are shared with the PostgreSQL store, whose row readers are in its own RunVocabulary+SQL.swift).

extension ExecutionStatus {
    /// The status as an SQL literal, for queries that filter on it (a constant of the vocabulary, never input).
    public var sql: String { "'\(rawValue)'" }

    /// Statuses as an SQL list, for `status IN (…)`.
    public static func sql(_ statuses: [ExecutionStatus]) -> String { "(" + statuses.map(\.sql).joined(separator: ", ") + ")" }
}

extension NodeRunStatus {
    /// The status as an SQL literal (a constant of the vocabulary, never input).
    public var sql: String { "'\(rawValue)'" }
}

extension Row {
    /// The execution status stored in `column`; a name this version does not know is an error that says so.
    func executionStatus(_ column: String) throws -> ExecutionStatus {
        try ExecutionStatus(reading: self[column] as String)
    }

    func nodeRunStatus(_ column: String) throws -> NodeRunStatus {
        try NodeRunStatus(reading: self[column] as String)
    }

    /// The failure kind stored in `column`, if any (an unknown name reads as `internal`).
    func failureKind(_ column: String) -> FailureKind? {
        (self[column] as String?).map(FailureKind.init(stored:))
    }

    /// Failure details stored as JSON in `column`, if any.
    func failureDetails(_ column: String) -> FailureDetails? {
        (self[column] as String?).flatMap { try? JSONValue.parse($0) }.map(FailureDetails.init(jsonValue:))
    }
}
