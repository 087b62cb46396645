import PostgresNIO
import WindFlowCore
import WindFlowStore

/// API keys (only their SHA-256 hashes), secrets, stacks, schedule plans, file snapshots and /metrics figures.
extension PostgresStore: ServiceStateStore {
    public func createAPIKey(name: String, now: Double) async throws -> String {
        let key = StoreIDs.apiKey()
        try await run("INSERT INTO api_key (id, name, hash, created_at) VALUES (\("key_" + StoreIDs.make()), \(name), \(Hashes.sha256Hex(key)), \(now))")
        return key
    }

    public func isValidAPIKey(_ key: String) async throws -> Bool {
        try await run("SELECT 1 FROM api_key WHERE hash = \(Hashes.sha256Hex(key))") > 0
    }

    public func apiKeys() async throws -> [(id: String, name: String, createdAt: Double)] {
        try await rows("SELECT id, name, created_at FROM api_key ORDER BY created_at, id COLLATE \"C\"").map { row in
            let columns = Columns(row)
            return (try columns("id"), try columns("name"), try columns("created_at"))
        }
    }

    /// Revokes a key, unless it is the last one (which would lock everyone out of the API). The keys are locked
    /// while it counts them, so two processes revoking the last two keys at once cannot both succeed.
    public func revokeAPIKey(_ id: String) async throws -> Bool {
        try await transaction { session in
            let keys = try await session.rows("SELECT id FROM api_key ORDER BY id FOR UPDATE").map { try Columns($0)("id", String.self) }
            guard keys.contains(id) else { return false }
            guard keys.count > 1 else { throw StoreError("'\(id)' is the last API key; create another before revoking it") }
            try await session.run("DELETE FROM api_key WHERE id = \(id)")
            return true
        }
    }

    public func apiKeyCount() async throws -> Int {
        try await value("SELECT COUNT(*) FROM api_key", as: Int.self) ?? 0
    }

    public func setSecret(_ name: String, value: String, now: Double) async throws {
        try await run("""
            INSERT INTO secret (name, value, updated_at) VALUES (\(name), \(value), \(now))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """)
    }

    public func deleteSecret(_ name: String) async throws -> Bool {
        try await run("DELETE FROM secret WHERE name = \(name) RETURNING 1") > 0
    }

    public func secretNames() async throws -> [(name: String, updatedAt: Double)] {
        try await rows("SELECT name, updated_at FROM secret ORDER BY name COLLATE \"C\"").map { row in
            let columns = Columns(row)
            return (try columns("name"), try columns("updated_at"))
        }
    }

    public func secrets() async throws -> [String: String] {
        var secrets: [String: String] = [:]
        for row in try await rows("SELECT name, value FROM secret") {
            let columns = Columns(row)
            secrets[try columns("name")] = try columns("value")
        }
        return secrets
    }

    /// Stores or replaces the stack file `name`; returns whether it was new (`xmax = 0`: the row was inserted).
    public func saveStack(_ name: String, definition: String, now: Double) async throws -> Bool {
        try await value("""
            INSERT INTO stack (name, definition, created_at, updated_at) VALUES (\(name), \(definition), \(now), \(now))
            ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
            RETURNING (xmax = 0) AS inserted
            """, as: Bool.self) ?? false
    }

    public func stack(_ name: String) async throws -> StackRecord? {
        try await rows("SELECT * FROM stack WHERE name = \(name)").first.map(Self.stack)
    }

    public func stacks() async throws -> [StackRecord] {
        try await rows("SELECT * FROM stack ORDER BY name COLLATE \"C\"").map(Self.stack)
    }

    public func deleteStack(_ name: String) async throws -> Bool {
        try await run("DELETE FROM stack WHERE name = \(name) RETURNING 1") > 0
    }

    private static func stack(_ row: PostgresRow) throws -> StackRecord {
        let columns = Columns(row)
        return StackRecord(name: try columns("name"), definition: try columns("definition"), createdAt: try columns("created_at"),
                           updatedAt: try columns("updated_at"))
    }

    public func nextFire(workflow: String, node: String) async throws -> Double? {
        try await value("SELECT next_fire_at FROM schedule WHERE workflow_id = \(workflow) AND node_id = \(node)", as: Double.self)
    }

    public func setNextFire(workflow: String, node: String, at: Double) async throws {
        try await run("""
            INSERT INTO schedule (workflow_id, node_id, next_fire_at) VALUES (\(workflow), \(node), \(at))
            ON CONFLICT (workflow_id, node_id) DO UPDATE SET next_fire_at = excluded.next_fire_at
            """)
    }

    public func fileSnapshot(_ key: String) async throws -> String? {
        try await value("SELECT snapshot FROM file_watch WHERE watch_key = \(key)", as: String.self)
    }

    public func setFileSnapshot(_ key: String, _ snapshot: String, now: Double) async throws {
        try await run("""
            INSERT INTO file_watch (watch_key, snapshot, looked_at) VALUES (\(key), \(snapshot), \(now))
            ON CONFLICT (watch_key) DO UPDATE SET snapshot = excluded.snapshot, looked_at = excluded.looked_at
            """)
    }

    /// Figures for /metrics: executions by status and by trigger type, queue depth, recent node durations (seconds).
    public func metrics() async throws -> (byStatus: [String: Int], byTrigger: [String: Int], queueDepth: Int, durations: [Double]) {
        var byStatus: [String: Int] = [:], byTrigger: [String: Int] = [:]
        for row in try await rows("SELECT status, COUNT(*) AS n FROM execution GROUP BY status") {
            byStatus[try Columns(row)("status")] = try Columns(row)("n")
        }
        for row in try await rows("SELECT trigger_type, COUNT(*) AS n FROM execution GROUP BY trigger_type") {
            byTrigger[try Columns(row)("trigger_type")] = try Columns(row)("n")
        }
        let durations = try await rows("SELECT duration_ms FROM node_run WHERE duration_ms IS NOT NULL ORDER BY id DESC LIMIT 100000")
            .map { try Columns($0)("duration_ms", Double.self) / 1000 }
        return (byStatus, byTrigger, try await queueDepth(), durations)
    }
}
