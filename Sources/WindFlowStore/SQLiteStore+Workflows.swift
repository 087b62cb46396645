import Foundation
import GRDB
import WindFlowCore

extension SQLiteStore {
    /// Saves `workflow` under its name: a new workflow, or a new version when the definition changed.
    /// - Returns: The stored record (the existing version when nothing changed).
    @discardableResult
    public func saveWorkflow(_ workflow: Workflow, now: Double) throws -> WorkflowRecord {
        try pool.write { db in try Self.saveWorkflow(workflow, now: now, in: db) }
    }

    /// ``saveWorkflow(_:now:)`` inside a transaction the caller holds.
    static func saveWorkflow(_ workflow: Workflow, now: Double, in db: Database) throws -> WorkflowRecord {
        let definition = WorkflowCodec.json(workflow)
        if let row = try Row.fetchOne(db, sql: "SELECT id, current_version, active FROM workflow WHERE name = ?",
                                      arguments: [workflow.name]) {
            let id: String = row["id"], current: Int = row["current_version"]
            let existing = try String.fetchOne(db, sql: "SELECT definition FROM workflow_version WHERE workflow_id = ? AND version = ?",
                                               arguments: [id, current])
            if existing == definition {
                return WorkflowRecord(id: id, name: workflow.name, version: current, active: row["active"], workflow: workflow)
            }
            try db.run(sql: "INSERT INTO workflow_version (workflow_id, version, definition, created_at) VALUES (?, ?, ?, ?)",
                       arguments: [id, current + 1, definition, now])
            try db.run(sql: "UPDATE workflow SET current_version = ?, updated_at = ? WHERE id = ?",
                       arguments: [current + 1, now, id])
            return WorkflowRecord(id: id, name: workflow.name, version: current + 1, active: row["active"], workflow: workflow)
        }
        let id = "wf_" + Self.newID()
        try db.run(sql: "INSERT INTO workflow (id, name, current_version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)",
                   arguments: [id, workflow.name, now, now])
        try db.run(sql: "INSERT INTO workflow_version (workflow_id, version, definition, created_at) VALUES (?, 1, ?, ?)",
                   arguments: [id, definition, now])
        return WorkflowRecord(id: id, name: workflow.name, version: 1, active: false, workflow: workflow)
    }

    /// The workflow with this id or name, at `version` (default: its current version).
    public func workflow(_ idOrName: String, version: Int? = nil) throws -> WorkflowRecord? {
        try pool.read { db in try workflow(idOrName, version: version, db: db) }
    }

    func workflow(_ idOrName: String, version: Int?, db: Database) throws -> WorkflowRecord? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM workflow WHERE id = ? OR name = ?"), arguments: [idOrName, idOrName])
        else { return nil }
        let id: String = row["id"]
        let wanted = version ?? row["current_version"]
        let key = "\(id)@\(wanted)"
        let workflow: Workflow
        if let cached = versionCache.cached(key) {
            workflow = cached
        } else {
            guard let definition = try String.fetchOne(
                db.cachedStatement(sql: "SELECT definition FROM workflow_version WHERE workflow_id = ? AND version = ?"), arguments: [id, wanted])
            else { return nil }
            workflow = try versionCache.workflow(key) { try WorkflowCodec.load(definition).workflow }
        }
        return WorkflowRecord(id: id, name: row["name"], version: wanted, active: row["active"], workflow: workflow)
    }

    /// A short random id: 16 hex digits from a UUID.
    static func newID() -> String { StoreIDs.make() }
}

/// Listing, activating and deleting workflows.
extension SQLiteStore {
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

    /// Each version of a workflow: number, when, canonical definition.
    public func versions(of idOrName: String) throws -> [(version: Int, createdAt: Double, definition: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT v.version, v.created_at, v.definition FROM workflow_version v JOIN workflow w ON w.id = v.workflow_id
                WHERE w.id = ? OR w.name = ? ORDER BY v.version
                """, arguments: [idOrName, idOrName]).map { ($0["version"], $0["created_at"], $0["definition"]) }
        }
    }

    /// Marks a workflow active (its triggers fire) or not.
    public func setActive(_ idOrName: String, _ active: Bool, now: Double) throws -> Bool {
        try pool.write { db in
            try db.run(sql: "UPDATE workflow SET active = ?, updated_at = ? WHERE id = ? OR name = ?",
                       arguments: [active, now, idOrName, idOrName])
            return db.changesCount > 0
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

    /// Changes whenever a workflow is saved, activated, deactivated or deleted: a cheap key for caches of active
    /// workflows.
    /// Read at most every 250 ms; this process's own changes to workflows are seen at once.
    public func activeWorkflowsGeneration() throws -> String {
        let known = workflowChanges.cache.cached()
        if let value = known.value { return value }
        let generation = try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MAX(updated_at) AS latest, SUM(current_version) AS versions FROM workflow WHERE active = 1")
            return "\(row?["n"] as Int? ?? 0):\(row?["latest"] as Double? ?? 0):\(row?["versions"] as Int? ?? 0)"
        }
        workflowChanges.cache.remember(generation, since: known.changes)
        return generation
    }
}
