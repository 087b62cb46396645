import PostgresNIO
import WindFlowCore
import WindFlowStore

extension PostgresStore: WorkflowStore {
    /// Saves `workflow` under its name: a new workflow, or a new version when the definition changed.
    public func saveWorkflow(_ workflow: Workflow, now: Double) async throws -> WorkflowRecord {
        defer { generation.forget() }
        return try await transaction { session in try await Self.saveWorkflow(workflow, now: now, in: session) }
    }

    /// ``saveWorkflow(_:now:)`` inside a transaction the caller holds. The workflow's row is locked first, so two
    /// processes saving the same workflow at once make one version after the other.
    static func saveWorkflow(_ workflow: Workflow, now: Double, in session: Session) async throws -> WorkflowRecord {
        let definition = WorkflowCodec.json(workflow)
        let id = "wf_" + StoreIDs.make()
        // Inserts the workflow unless its name is taken; either way the row is then locked by this transaction.
        let inserted = try await session.run("""
            INSERT INTO workflow (id, name, current_version, created_at, updated_at) VALUES (\(id), \(workflow.name), 0, \(now), \(now))
            ON CONFLICT (name) DO NOTHING RETURNING 1
            """)
        guard let row = try await session.rows("SELECT id, current_version, active FROM workflow WHERE name = \(workflow.name) FOR UPDATE").first
        else { throw StoreError("the workflow '\(workflow.name)' was deleted while it was being saved") }
        let columns = Columns(row)
        let storedID: String = try columns("id"), current: Int = try columns("current_version"), active: Bool = try columns("active")
        if inserted == 0, current > 0 {
            let existing = try await session.value(
                "SELECT definition FROM workflow_version WHERE workflow_id = \(storedID) AND version = \(current)", as: String.self)
            if existing == definition {
                return WorkflowRecord(id: storedID, name: workflow.name, version: current, active: active, workflow: workflow)
            }
        }
        try await session.run("""
            INSERT INTO workflow_version (workflow_id, version, definition, created_at) VALUES (\(storedID), \(current + 1), \(definition), \(now))
            """)
        try await session.run("UPDATE workflow SET current_version = \(current + 1), updated_at = \(now) WHERE id = \(storedID)")
        return WorkflowRecord(id: storedID, name: workflow.name, version: current + 1, active: active, workflow: workflow)
    }

    /// The workflow with this id or name, at `version` (default: its current version).
    public func workflow(_ idOrName: String, version: Int?) async throws -> WorkflowRecord? {
        guard let row = try await rows("""
            SELECT id, name, current_version, active FROM workflow WHERE id = \(idOrName) OR name = \(idOrName) ORDER BY id = \(idOrName) DESC LIMIT 1
            """).first else { return nil }
        let columns = Columns(row)
        let id: String = try columns("id"), wanted = try version ?? columns("current_version", Int.self)
        let key = "\(id)@\(wanted)"
        let workflow: Workflow
        if let cached = versionCache.cached(key) {
            workflow = cached
        } else {
            guard let definition = try await value(
                "SELECT definition FROM workflow_version WHERE workflow_id = \(id) AND version = \(wanted)", as: String.self)
            else { return nil }
            workflow = try versionCache.workflow(key) { try WorkflowCodec.load(definition).workflow }
        }
        return WorkflowRecord(id: id, name: try columns("name"), version: wanted, active: try columns("active"), workflow: workflow)
    }

    /// The newest version of every workflow (only the active ones when `activeOnly`), by name; a version that no
    /// longer loads (written by a newer WindFlow) is left out, as in the SQLite store.
    public func workflows(activeOnly: Bool) async throws -> [WorkflowRecord] {
        let rows = try await rows("""
            SELECT w.id, w.name, w.current_version, w.active, v.definition FROM workflow w
            JOIN workflow_version v ON v.workflow_id = w.id AND v.version = w.current_version
            WHERE w.active OR NOT \(activeOnly) ORDER BY w.name COLLATE "C"
            """)
        return try rows.compactMap { row in
            let columns = Columns(row)
            let id: String = try columns("id"), version: Int = try columns("current_version"), definition: String = try columns("definition")
            let workflow: Workflow
            do { workflow = try versionCache.workflow("\(id)@\(version)") { try WorkflowCodec.load(definition).workflow } } catch {
                logger.warning("a stored workflow version does not load; it is left out", metadata: ["workflow": "\(id)", "error": "\(error)"])
                return nil
            }
            return WorkflowRecord(id: id, name: try columns("name"), version: version, active: try columns("active"), workflow: workflow)
        }
    }

    /// Each version of a workflow: number, when, canonical definition; oldest first.
    public func versions(of idOrName: String) async throws -> [(version: Int, createdAt: Double, definition: String)] {
        try await rows("""
            SELECT v.version, v.created_at, v.definition FROM workflow_version v JOIN workflow w ON w.id = v.workflow_id
            WHERE w.id = \(idOrName) OR w.name = \(idOrName) ORDER BY v.version
            """).map { row in
            let columns = Columns(row)
            return (try columns("version"), try columns("created_at"), try columns("definition"))
        }
    }

    /// Marks a workflow active (its triggers fire) or not.
    public func setActive(_ idOrName: String, _ active: Bool, now: Double) async throws -> Bool {
        defer { generation.forget() }
        return try await run("""
            UPDATE workflow SET active = \(active), updated_at = \(now) WHERE id = \(idOrName) OR name = \(idOrName) RETURNING 1
            """) > 0
    }

    /// Deletes a workflow with its versions and history.
    public func deleteWorkflow(_ idOrName: String) async throws -> Bool {
        defer { generation.forget() }
        return try await transaction { session in
            guard let id = try await session.value(
                "SELECT id FROM workflow WHERE id = \(idOrName) OR name = \(idOrName) FOR UPDATE", as: String.self)
            else { return false }
            try await session.run("DELETE FROM execution WHERE workflow_id = \(id)")
            try await session.run("DELETE FROM workflow WHERE id = \(id)")
            return true
        }
    }

    /// Changes whenever an active workflow is saved, activated, deactivated or deleted: a cheap key for caches of
    /// active workflows. Read at most every 250 ms; this process's own changes are seen at once.
    public func activeWorkflowsGeneration() async throws -> String {
        let known = generation.cached()
        if let value = known.value { return value }
        guard let row = try await rows("""
            SELECT COUNT(*) AS n, MAX(updated_at) AS latest, SUM(current_version)::bigint AS versions FROM workflow WHERE active
            """).first else { return "0:0.0:0" }
        let columns = Columns(row)
        let value = "\(try columns("n", Int.self)):\(try columns.optional("latest", Double.self) ?? 0):\(try columns.optional("versions", Int.self) ?? 0)"
        generation.remember(value, since: known.changes)
        return value
    }
}
