import Foundation
import GRDB
import WindFlowCore

extension SQLiteStore {
    /// What the stored runs of one node of one workflow say.
    public func nodeHistory(workflow id: String, node: String) throws -> NodeHistory {
        try pool.read { db in
            var history = NodeHistory()
            if let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS attempts, SUM(status = \(NodeRunStatus.succeeded.sql)) AS ok, SUM(status = \(NodeRunStatus.failed.sql)) AS failed, SUM(attempt > 1) AS retries
                FROM node_run WHERE workflow_id = ? AND node_id = ?
                """, arguments: [id, node]) {
                history.attempts = row["attempts"] ?? 0
                history.succeeded = row["ok"] ?? 0
                history.failed = row["failed"] ?? 0
                history.retries = row["retries"] ?? 0
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT error_kind, COUNT(*) AS n FROM node_run WHERE workflow_id = ? AND node_id = ? AND error_kind IS NOT NULL GROUP BY error_kind
                """, arguments: [id, node]) {
                history.failuresByKind[row["error_kind"]] = row["n"]
            }
            history.durations = try Double.fetchAll(db, sql: """
                SELECT duration_ms FROM node_run WHERE workflow_id = ? AND node_id = ? AND status = \(NodeRunStatus.succeeded.sql) AND duration_ms IS NOT NULL
                ORDER BY id DESC LIMIT 1000
                """, arguments: [id, node])
            if let text = try String.fetchOne(db, sql: """
                SELECT input FROM node_run WHERE workflow_id = ? AND node_id = ? AND status = \(NodeRunStatus.succeeded.sql) AND input IS NOT NULL ORDER BY id DESC LIMIT 1
                """, arguments: [id, node]) {
                history.lastSuccessfulInput = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            }
            return history
        }
    }

    /// Stores a suggestion and returns its id (`sug_…`).
    @discardableResult
    public func saveSuggestion(_ suggestion: SuggestionRecord) throws -> String {
        let id = suggestion.id.isEmpty ? "sug_" + Self.newID() : suggestion.id
        try pool.write { db in
            try db.run(sql: """
                INSERT INTO suggestion (id, kind, workflow_id, workflow_version, execution_id, node_id, rule, title, rationale, confidence,
                    patch, evidence, source, status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [id, suggestion.kind, suggestion.workflowID, suggestion.workflowVersion, suggestion.executionID, suggestion.nodeID,
                            suggestion.rule, suggestion.title, suggestion.rationale, suggestion.confidence, suggestion.patch.jsonText,
                            suggestion.evidence.jsonText, suggestion.source, suggestion.status.rawValue, suggestion.createdAt])
        }
        return id
    }

    /// The suggestion with this id, or the only one whose id starts with it.
    public func suggestion(_ id: String) throws -> SuggestionRecord? {
        try pool.read { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM suggestion WHERE id = ?", arguments: [id]) { return Self.suggestion(row) }
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM suggestion WHERE id LIKE ? LIMIT 2", arguments: [id + "%"])
            return rows.count == 1 ? Self.suggestion(rows[0]) : nil
        }
    }

    /// Suggestions, newest first, for a workflow or an execution when given.
    public func suggestions(workflow: String? = nil, execution: String? = nil, limit: Int = 50) throws -> [SuggestionRecord] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let workflow { conditions.append("workflow_id = ?"); arguments.append(workflow) }
            if let execution { conditions.append("execution_id = ?"); arguments.append(execution) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM suggestion \(filter) ORDER BY created_at DESC LIMIT ?",
                                    arguments: StatementArguments(arguments + [limit])).map(Self.suggestion)
        }
    }

    /// Saves `workflow` as a new version and marks the suggestion applied, in one transaction.
    /// - Returns: The new version, or nil when the suggestion was not waiting to be applied.
    public func applySuggestion(_ id: String, workflow: Workflow, now: Double) throws -> WorkflowRecord? {
        try pool.write { db in
            guard try String.fetchOne(db, sql: "SELECT status FROM suggestion WHERE id = ?", arguments: [id]) == "offered" else { return nil }
            let saved = try Self.saveWorkflow(workflow, now: now, in: db)
            try db.run(sql: "UPDATE suggestion SET status = 'applied', applied_version = ?, decided_at = ? WHERE id = ?",
                       arguments: [saved.version, now, id])
            return saved
        }
    }

    /// How the runs of the applied version went: finished runs and how many succeeded (what later suggestions learn from).
    public func outcome(of suggestion: SuggestionRecord) throws -> (succeeded: Int, finished: Int)? {
        guard let version = suggestion.appliedVersion else { return nil }
        return try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT SUM(status = \(ExecutionStatus.succeeded.sql)) AS ok, COUNT(*) AS n FROM execution
                WHERE workflow_id = ? AND workflow_version >= ? AND status IN \(ExecutionStatus.sql([.succeeded, .failed]))
                """, arguments: [suggestion.workflowID, version])
            return (row?["ok"] ?? 0, row?["n"] ?? 0)
        }
    }

    private static func suggestion(_ row: Row) -> SuggestionRecord {
        func json(_ column: String) -> JSONValue {
            let text: String = row[column] ?? "null"
            return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
        }
        var record = SuggestionRecord(
            id: row["id"], kind: row["kind"], workflowID: row["workflow_id"], workflowVersion: row["workflow_version"],
            executionID: row["execution_id"], nodeID: row["node_id"], rule: row["rule"], title: row["title"], rationale: row["rationale"],
            confidence: row["confidence"], patch: json("patch"), evidence: json("evidence"), source: row["source"], createdAt: row["created_at"])
        record.status = SuggestionRecord.Status(rawValue: row["status"]) ?? .offered
        record.appliedVersion = row["applied_version"]
        record.decidedAt = row["decided_at"]
        return record
    }
}

extension SQLiteStore {
    /// The last time `node` failed with `kind` in a version before `version`, and the first later version in which it
    /// succeeded: the change that fixed it then.
    public func precedent(workflow id: String, node: String, kind: FailureKind, before version: Int) throws -> (failed: Int, fixed: Int)? {
        try pool.read { db in
            guard let failed = try Int.fetchOne(db, sql: """
                SELECT MAX(e.workflow_version) FROM node_run n JOIN execution e ON e.id = n.execution_id
                WHERE n.workflow_id = ? AND n.node_id = ? AND n.error_kind = ? AND e.workflow_version < ?
                """, arguments: [id, node, kind.rawValue, version]),
                let fixed = try Int.fetchOne(db, sql: """
                SELECT MIN(e.workflow_version) FROM node_run n JOIN execution e ON e.id = n.execution_id
                WHERE n.workflow_id = ? AND n.node_id = ? AND n.status = \(NodeRunStatus.succeeded.sql) AND e.workflow_version > ? AND e.workflow_version < ?
                """, arguments: [id, node, failed, version])
            else { return nil }
            return (failed, fixed)
        }
    }
}
