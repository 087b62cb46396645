import Foundation
import GRDB
import WindFlowCore

/// Reading runs as they happen: one run's events and logs after a point, and the feed of every run's events.
extension SQLiteStore {
    /// Events of an execution after `sequence`, with their sequence numbers (for live streams resumed by
    /// Last-Event-ID).
    public func events(of id: String, after sequence: Int) throws -> [(sequence: Int, event: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, event FROM execution_event WHERE execution_id = ? AND sequence > ? ORDER BY sequence LIMIT 500",
                             arguments: [id, sequence]).map { ($0["sequence"], $0["event"]) }
        }
    }

    /// The log lines a node run wrote, stored with the event that finished it (same node, same time).
    public func logs(of id: String, node: String, at: Double) throws -> [LogRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT node_key, at, level, message FROM execution_log WHERE execution_id = ? AND node_key = ? AND at = ? ORDER BY id",
                             arguments: [id, node, at]).map { LogRecord(nodeKey: $0["node_key"], at: $0["at"], level: $0["level"], message: $0["message"]) }
        }
    }

    /// Events of every execution after feed position `position`, oldest first, with the execution and its workflow;
    /// an execution's end comes as an `execution_finished` event with its status.
    public func feed(after position: Int, workflow: String? = nil, limit: Int = 500) throws -> [FeedEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.id, f.execution_id, e.event, x.workflow_name, x.status, x.error_message, x.finished_at FROM event_feed f
                LEFT JOIN execution_event e ON e.execution_id = f.execution_id AND e.sequence = f.sequence
                JOIN execution x ON x.id = f.execution_id
                WHERE f.id > ? AND (? IS NULL OR x.workflow_name = ? OR x.workflow_id = ?)
                ORDER BY f.id LIMIT ?
                """, arguments: [position, workflow, workflow, workflow, limit]).map { row in
                var event: String = row["event"] ?? ""
                if event.isEmpty {
                    event = FeedEntry.endEvent(status: row["status"], errorMessage: row["error_message"], finishedAt: row["finished_at"])
                }
                return FeedEntry(position: row["id"], execution: row["execution_id"], workflow: row["workflow_name"], event: event)
            }
        }
    }

    /// The newest feed position (a stream of all runs without Last-Event-ID starts after it).
    public func feedPosition() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM event_feed") ?? 0 }
    }
}
