import Foundation
import GRDB
import WindFlowCore

/// WindFlow's store on SQLite (WAL, `synchronous = NORMAL`: durable against process crashes). Every state
/// transition is committed before anything depends on it; under load, the async writes of concurrent executions
/// share transactions (``GroupCommitter``).
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    public let limits: StoreLimits
    /// Decoded workflow versions; versions never change, so entries never go stale.
    let versionCache = VersionCache()
    /// Shares write transactions between concurrent callers of the async writes (executions, webhooks, claims).
    let committer: GroupCommitter
    /// Keeps the active-workflows generation between reads (see ``activeWorkflowsGeneration()``).
    let workflowChanges = WorkflowChanges()

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Throws: ``StoreError`` when the file cannot be opened or migrated.
    public init(path: String, limits: StoreLimits = StoreLimits()) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            committer = GroupCommitter(pool: pool)
            pool.add(transactionObserver: workflowChanges, extent: .databaseLifetime)
        } catch {
            throw StoreError("cannot open the database at \(path): \(error)")
        }
        self.limits = limits
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: workflows, executions, events, node runs, logs, timers, queue") { db in
            try db.execute(sql: """
                CREATE TABLE workflow (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    current_version INTEGER NOT NULL,
                    active INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE workflow_version (
                    workflow_id TEXT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
                    version INTEGER NOT NULL,
                    definition TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (workflow_id, version)
                ) WITHOUT ROWID;
                CREATE TABLE execution (
                    id TEXT PRIMARY KEY,
                    workflow_id TEXT NOT NULL,
                    workflow_version INTEGER NOT NULL,
                    workflow_name TEXT NOT NULL,
                    trigger_node TEXT NOT NULL,
                    trigger_type TEXT NOT NULL,
                    input TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    error_kind TEXT,
                    error_message TEXT,
                    error_node TEXT,
                    restarted_from TEXT,
                    restart_node TEXT,
                    cancel_requested INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX execution_by_workflow ON execution(workflow_id, created_at);
                CREATE INDEX execution_by_status ON execution(status, created_at);
                CREATE TABLE execution_event (
                    execution_id TEXT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    event TEXT NOT NULL,
                    PRIMARY KEY (execution_id, sequence)
                ) WITHOUT ROWID;
                CREATE TABLE node_run (
                    id INTEGER PRIMARY KEY,
                    execution_id TEXT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
                    workflow_id TEXT NOT NULL,
                    node_key TEXT NOT NULL,
                    node_id TEXT NOT NULL,
                    node_type TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    input TEXT,
                    output TEXT,
                    truncated INTEGER NOT NULL DEFAULT 0,
                    error_kind TEXT,
                    error_message TEXT,
                    log_tail TEXT,
                    started_at REAL,
                    finished_at REAL,
                    duration_ms REAL,
                    UNIQUE (execution_id, node_key, attempt)
                );
                -- Per-node analytics (duration percentiles, failure and retry rates, error kinds) over millions of rows.
                CREATE INDEX node_run_by_node ON node_run(workflow_id, node_id, started_at);
                CREATE INDEX node_run_failures ON node_run(workflow_id, error_kind) WHERE error_kind IS NOT NULL;
                CREATE TABLE execution_log (
                    id INTEGER PRIMARY KEY,
                    execution_id TEXT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
                    node_key TEXT,
                    at REAL NOT NULL,
                    level TEXT NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX execution_log_by_execution ON execution_log(execution_id, id);
                CREATE TABLE timer (
                    execution_id TEXT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
                    node_key TEXT NOT NULL,
                    fire_at REAL NOT NULL,
                    PRIMARY KEY (execution_id, node_key)
                ) WITHOUT ROWID;
                CREATE INDEX timer_by_time ON timer(fire_at);
                CREATE TABLE queue (
                    execution_id TEXT PRIMARY KEY REFERENCES execution(id) ON DELETE CASCADE,
                    available_at REAL NOT NULL,
                    claimed_by TEXT,
                    claimed_at REAL
                ) WITHOUT ROWID;
                CREATE INDEX queue_by_time ON queue(available_at);
                """)
        }
        migrator.registerMigration("v2: API keys") { db in
            try db.execute(sql: """
                CREATE TABLE api_key (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL,
                    last_used_at REAL
                );
                """)
        }
        migrator.registerMigration("v3: schedules") { db in
            try db.execute(sql: """
                CREATE TABLE schedule (
                    workflow_id TEXT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
                    node_id TEXT NOT NULL,
                    next_fire_at REAL NOT NULL,
                    PRIMARY KEY (workflow_id, node_id)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4: secrets") { db in
            try db.execute(sql: """
                CREATE TABLE secret (
                    name TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    updated_at REAL NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5: designer proposals and LLM calls") { db in
            try db.execute(sql: """
                CREATE TABLE proposal (
                    id TEXT PRIMARY KEY,
                    status TEXT NOT NULL,
                    prose TEXT NOT NULL,
                    workflow_name TEXT NOT NULL,
                    base_workflow_id TEXT,
                    base_version INTEGER,
                    definition TEXT,
                    valid INTEGER NOT NULL,
                    report TEXT NOT NULL,
                    rounds TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    latency_ms REAL NOT NULL,
                    explanation TEXT NOT NULL,
                    assumptions TEXT NOT NULL,
                    diff TEXT,
                    created_at REAL NOT NULL,
                    accepted_workflow_id TEXT,
                    accepted_version INTEGER,
                    decided_at REAL
                );
                CREATE INDEX proposal_by_time ON proposal(created_at);
                CREATE TABLE llm_call (
                    id INTEGER PRIMARY KEY,
                    at REAL NOT NULL,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    purpose TEXT NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    latency_ms REAL NOT NULL,
                    attempts INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    error TEXT,
                    proposal_id TEXT
                );
                CREATE INDEX llm_call_by_time ON llm_call(at);
                """)
        }
        migrator.registerMigration("v6: file trigger snapshots") { db in
            try db.execute(sql: """
                CREATE TABLE file_watch (
                    watch_key TEXT PRIMARY KEY,
                    snapshot TEXT NOT NULL,
                    looked_at REAL NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v7: suggestions") { db in
            try db.execute(sql: """
                CREATE TABLE suggestion (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    workflow_id TEXT NOT NULL,
                    workflow_version INTEGER NOT NULL,
                    execution_id TEXT,
                    node_id TEXT,
                    rule TEXT NOT NULL,
                    title TEXT NOT NULL,
                    rationale TEXT NOT NULL,
                    confidence REAL NOT NULL,
                    patch TEXT NOT NULL,
                    evidence TEXT NOT NULL,
                    source TEXT NOT NULL,
                    status TEXT NOT NULL,
                    applied_version INTEGER,
                    created_at REAL NOT NULL,
                    decided_at REAL
                );
                CREATE INDEX suggestion_by_workflow ON suggestion(workflow_id, created_at);
                """)
        }
        migrator.registerMigration("v8: node statistics index") { db in
            // Covering index for per-node analytics: counts and duration percentiles without reading the wide rows.
            try db.execute(sql: "CREATE INDEX node_run_stats ON node_run(workflow_id, node_id, status, duration_ms, attempt)")
        }
        migrator.registerMigration("v9: node statistics kept up to date") { db in
            try db.execute(sql: NodeStatisticsTables.schema)
        }
        migrator.registerMigration("v10: stacks") { db in
            try db.execute(sql: """
                CREATE TABLE stack (
                    name TEXT PRIMARY KEY,
                    definition TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v11: event feed") { db in
            // Every stored execution event in one order, for the stream of all runs (resumable by its id).
            try db.execute(sql: """
                CREATE TABLE event_feed (
                    id INTEGER PRIMARY KEY,
                    execution_id TEXT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL
                );
                CREATE INDEX event_feed_by_execution ON event_feed(execution_id);
                CREATE TRIGGER event_feed_insert AFTER INSERT ON execution_event BEGIN
                    INSERT INTO event_feed (execution_id, sequence) VALUES (NEW.execution_id, NEW.sequence);
                END;
                -- An execution's end is not an event of its own: it takes sequence 0 in the feed.
                CREATE TRIGGER event_feed_end AFTER UPDATE OF status ON execution
                WHEN NEW.status IN \(ExecutionStatus.sql(ExecutionStatus.terminal)) AND OLD.status <> NEW.status BEGIN
                    INSERT INTO event_feed (execution_id, sequence) VALUES (NEW.id, 0);
                END;
                """)
        }
        migrator.registerMigration("v12: structured failure details") { db in
            // The facts a failure carries beyond its message (HTTP status, exit code, error class), as JSON.
            try db.execute(sql: "ALTER TABLE node_run ADD COLUMN error_details TEXT")
        }
        migrator.registerMigration("v13: idempotency keys") { db in
            try db.execute(sql: "ALTER TABLE execution ADD COLUMN idempotency_key TEXT")
            try db.execute(sql: """
                CREATE UNIQUE INDEX execution_idempotency ON execution (workflow_id, idempotency_key)
                    WHERE idempotency_key IS NOT NULL
                """)
        }
        migrator.registerMigration("v14: claim leases") { db in
            // Claims are held under a lease their worker renews; another worker may take one whose lease ended.
            try db.execute(sql: "ALTER TABLE queue ADD COLUMN lease_until REAL")
        }
        return migrator
    }
}

extension Database {
    /// Executes `sql` through the connection's statement cache: the hot paths run the same few statements for
    /// every transition, and compiling them each time costs more than running them.
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

/// Decoded workflow versions by "id@version", bounded (every store keeps one: versions never change once stored).
public final class VersionCache: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var entries: [String: Workflow] = [:]
    private let limit = 512

    public init() {}

    /// The decoded version, if it is cached (versions never change once stored).
    public func cached(_ key: String) -> Workflow? { lock.withLock { entries[key] } }

    /// The cached version, else `decode()`'s, kept for next time.
    public func workflow(_ key: String, decode: () throws -> Workflow) rethrows -> Workflow {
        if let found = lock.withLock({ entries[key] }) { return found }
        let decoded = try decode()
        lock.withLock {
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = decoded
        }
        return decoded
    }
}
