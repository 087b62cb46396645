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
    static func newID() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))
    }
}
