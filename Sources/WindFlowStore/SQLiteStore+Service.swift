import Foundation
import GRDB
import WindFlowCore

/// What the service needs: API keys, activation, the queue's claims.
extension SQLiteStore {
    /// Stores a new API key (only its SHA-256 hash) and returns the key itself, which is shown once.
    public func createAPIKey(name: String, now: Double) throws -> String {
        var random = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let key = "wf_" + secret
        try pool.write { db in
            try db.run(sql: "INSERT INTO api_key (id, name, hash, created_at) VALUES (?, ?, ?, ?)",
                       arguments: ["key_" + Self.newID(), name, Hashes.sha256Hex(key), now])
        }
        return key
    }

    /// Whether `key` is a stored API key (compared by hash).
    public func isValidAPIKey(_ key: String) throws -> Bool {
        let hash = Hashes.sha256Hex(key)
        return try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM api_key WHERE hash = ?", arguments: [hash]) ?? false }
    }

    /// The keys' ids, names and creation times (never the keys, which are not stored).
    public func apiKeys() throws -> [(id: String, name: String, createdAt: Double)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, created_at FROM api_key ORDER BY created_at, id").map { ($0["id"], $0["name"], $0["created_at"]) }
        }
    }

    /// Revokes a key, unless it is the last one (which would lock everyone out of the API).
    /// - Returns: false when there is no such key.
    /// - Throws: ``StoreError`` when it is the last key.
    public func revokeAPIKey(_ id: String) throws -> Bool {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM api_key WHERE id = ?", arguments: [id]) == true else { return false }
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_key") ?? 0 > 1 else {
                throw StoreError("'\(id)' is the last API key; create another before revoking it")
            }
            try db.run(sql: "DELETE FROM api_key WHERE id = ?", arguments: [id])
            return true
        }
    }

    public func apiKeyCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_key") ?? 0 }
    }

    /// Marks a workflow active (its triggers fire) or not.
    public func setActive(_ idOrName: String, _ active: Bool, now: Double) throws -> Bool {
        try pool.write { db in
            try db.run(sql: "UPDATE workflow SET active = ?, updated_at = ? WHERE id = ? OR name = ?",
                       arguments: [active, now, idOrName, idOrName])
            return db.changesCount > 0
        }
    }

    /// Every stored workflow at its current version.
    public func workflows(activeOnly: Bool = false) throws -> [WorkflowRecord] {
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT w.id, w.name, w.current_version, w.active, v.definition FROM workflow w
                JOIN workflow_version v ON v.workflow_id = w.id AND v.version = w.current_version
                \(activeOnly ? "WHERE w.active = 1" : "") ORDER BY w.name
                """)
        }
        return rows.compactMap { row in
            let key = "\(row["id"] as String)@\(row["current_version"] as Int)"
            guard let workflow = try? versionCache.workflow(key, decode: { try WorkflowCodec.load(row["definition"] as String).workflow })
            else { return nil }
            return WorkflowRecord(id: row["id"], name: row["name"], version: row["current_version"], active: row["active"], workflow: workflow)
        }
    }

    /// Takes the oldest queued execution for `worker`, if any, so no other worker runs it.
    public func claimNext(worker: String, now: Double) async throws -> String? {
        try await committer.write { db in
            try String.fetchOne(db, sql: """
                UPDATE queue SET claimed_by = ?, claimed_at = ?
                WHERE execution_id = (SELECT execution_id FROM queue WHERE claimed_by IS NULL AND available_at <= ?
                                      ORDER BY available_at LIMIT 1)
                RETURNING execution_id
                """, arguments: [worker, now, now])
        }
    }

    /// Puts an execution back in the queue (a parked run whose timer is due, or a claim given up).
    public func requeue(_ id: String, now: Double) throws {
        try pool.write { db in
            try db.run(sql: """
                INSERT INTO queue (execution_id, available_at) VALUES (?, ?)
                ON CONFLICT (execution_id) DO UPDATE SET claimed_by = NULL, claimed_at = NULL, available_at = excluded.available_at
                """, arguments: [id, now])
        }
    }

    /// Releases the claim on an execution that is over or parked.
    public func release(_ id: String) async throws {
        try await committer.write { db in try db.run(sql: "DELETE FROM queue WHERE execution_id = ?", arguments: [id]) }
    }

    /// Executions waiting in the queue, unclaimed.
    public func queueDepth() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM queue WHERE claimed_by IS NULL") ?? 0 }
    }

    /// Forgets every claim (at start: claims of a previous process are void; its executions resume).
    public func releaseAllClaims() throws {
        try pool.write { db in try db.run(sql: "UPDATE queue SET claimed_by = NULL, claimed_at = NULL") }
    }
}

extension SQLiteStore {
    /// Queues an execution unless it is already queued or claimed (a due timer of a run in progress).
    public func enqueueIfAbsent(_ id: String, now: Double) throws {
        try pool.write { db in
            try db.run(sql: "INSERT OR IGNORE INTO queue (execution_id, available_at) VALUES (?, ?)", arguments: [id, now])
        }
    }
}

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
                    var end: [String: JSONValue] = ["type": "execution_finished", "status": .string(row["status"])]
                    if let message: String = row["error_message"] { end["error"] = .string(message) }
                    if let at: Double = row["finished_at"] { end["at"] = .double(at) }
                    event = JSONValue.object(end).jsonText
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

/// One event in the stream of all runs.
public struct FeedEntry: Sendable {
    public var position: Int
    public var execution: String
    public var workflow: String
    /// The event as JSON text.
    public var event: String
}

extension SQLiteStore {
    /// When a schedule trigger fires next, if it has been planned.
    public func nextFire(workflow: String, node: String) throws -> Double? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT next_fire_at FROM schedule WHERE workflow_id = ? AND node_id = ?", arguments: [workflow, node])
        }
    }

    public func setNextFire(workflow: String, node: String, at: Double) throws {
        try pool.write { db in
            try db.run(sql: "INSERT OR REPLACE INTO schedule (workflow_id, node_id, next_fire_at) VALUES (?, ?, ?)",
                       arguments: [workflow, node, at])
        }
    }

    /// Whether the workflow has an execution that is not over (for schedules that must not overlap).
    public func hasUnfinishedExecution(workflow: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM execution WHERE workflow_id = ? AND status IN \(ExecutionStatus.sql(ExecutionStatus.unfinished)) LIMIT 1",
                              arguments: [workflow]) ?? false
        }
    }
}

extension SQLiteStore {
    /// Each version of a workflow: number, when, canonical definition.
    public func versions(of idOrName: String) throws -> [(version: Int, createdAt: Double, definition: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT v.version, v.created_at, v.definition FROM workflow_version v JOIN workflow w ON w.id = v.workflow_id
                WHERE w.id = ? OR w.name = ? ORDER BY v.version
                """, arguments: [idOrName, idOrName]).map { ($0["version"], $0["created_at"], $0["definition"]) }
        }
    }

    /// Deletes a workflow with its versions and history.
    public func deleteWorkflow(_ idOrName: String) throws -> Bool {
        try pool.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM workflow WHERE id = ? OR name = ?", arguments: [idOrName, idOrName]) else {
                return false
            }
            try db.run(sql: "DELETE FROM execution WHERE workflow_id = ?", arguments: [id])
            try db.run(sql: "DELETE FROM workflow WHERE id = ?", arguments: [id])
            return true
        }
    }

    /// Figures for /metrics: executions by status and by trigger type, queue depth, node durations.
    public func metrics() throws -> (byStatus: [String: Int], byTrigger: [String: Int], queueDepth: Int, durations: [Double]) {
        try pool.read { db in
            var byStatus: [String: Int] = [:], byTrigger: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM execution GROUP BY status") { byStatus[row["status"]] = row["n"] }
            for row in try Row.fetchAll(db, sql: "SELECT trigger_type, COUNT(*) AS n FROM execution GROUP BY trigger_type") {
                byTrigger[row["trigger_type"]] = row["n"]
            }
            let depth = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM queue WHERE claimed_by IS NULL") ?? 0
            let durations = try Double.fetchAll(db, sql: "SELECT duration_ms FROM node_run WHERE duration_ms IS NOT NULL ORDER BY id DESC LIMIT 100000")
            return (byStatus, byTrigger, depth, durations.map { $0 / 1000 })
        }
    }
}

/// Secrets: stored apart from workflows, read by name at run time, never returned by the API.
extension SQLiteStore {
    public func setSecret(_ name: String, value: String, now: Double) throws {
        try pool.write { db in
            try db.run(sql: "INSERT OR REPLACE INTO secret (name, value, updated_at) VALUES (?, ?, ?)", arguments: [name, value, now])
        }
    }

    public func deleteSecret(_ name: String) throws -> Bool {
        try pool.write { db in
            try db.run(sql: "DELETE FROM secret WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    /// Secret names and when each was last set; never the values.
    public func secretNames() throws -> [(name: String, updatedAt: Double)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, updated_at FROM secret ORDER BY name").map { ($0["name"], $0["updated_at"]) }
        }
    }

    /// Every secret with its value, for the engine only.
    public func secrets() throws -> [String: String] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, value FROM secret").map { ($0["name"] as String, $0["value"] as String) })
        }
    }
}

extension SQLiteStore {
    /// Changes whenever a workflow is saved, activated, deactivated or deleted: a cheap key for caches of active
    /// workflows.
    /// Read at most every 250 ms; this process's own changes to workflows are seen at once.
    public func activeWorkflowsGeneration() throws -> String {
        let known = workflowChanges.cached()
        if let value = known.value { return value }
        let generation = try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MAX(updated_at) AS latest, SUM(current_version) AS versions FROM workflow WHERE active = 1")
            return "\(row?["n"] as Int? ?? 0):\(row?["latest"] as Double? ?? 0):\(row?["versions"] as Int? ?? 0)"
        }
        workflowChanges.remember(generation, since: known.commits)
        return generation
    }
}

extension SQLiteStore {
    /// Deletes an execution's timers other than `keep` (node keys), e.g. those of loop iterations that were dropped.
    public func clearTimers(of id: String, except keep: Set<String>) throws {
        try pool.write { db in
            let keys = try String.fetchAll(db, sql: "SELECT node_key FROM timer WHERE execution_id = ?", arguments: [id])
            for key in keys where !keep.contains(key) {
                try db.run(sql: "DELETE FROM timer WHERE execution_id = ? AND node_key = ?", arguments: [id, key])
            }
        }
    }

    /// What a file trigger last saw (JSON, the watcher's own format), so changes made while the service was down
    /// are seen at the next start. nil: never looked.
    public func fileSnapshot(_ key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT snapshot FROM file_watch WHERE watch_key = ?", arguments: [key]) }
    }

    public func setFileSnapshot(_ key: String, _ snapshot: String, now: Double) throws {
        try pool.write { db in
            try db.run(sql: "INSERT INTO file_watch (watch_key, snapshot, looked_at) VALUES (?, ?, ?) ON CONFLICT(watch_key) DO UPDATE SET snapshot = excluded.snapshot, looked_at = excluded.looked_at",
                       arguments: [key, snapshot, now])
        }
    }
}
