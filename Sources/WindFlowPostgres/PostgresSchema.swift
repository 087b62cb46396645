import WindFlowCore
import WindFlowStore

/// The tables of the PostgreSQL store: the SQLite store's, column for column, in types that give back exactly what
/// was stored (`double precision` for times and durations, `text` for JSON, `bigint` for counts), with identity
/// columns where SQLite orders by rowid. One statement per string (the extended protocol runs one at a time).
enum PostgresSchema {
    static let core: [String] = [
        """
        CREATE TABLE workflow (
            id text PRIMARY KEY,
            name text NOT NULL UNIQUE,
            current_version bigint NOT NULL,
            active boolean NOT NULL DEFAULT false,
            created_at double precision NOT NULL,
            updated_at double precision NOT NULL
        )
        """,
        """
        CREATE TABLE workflow_version (
            workflow_id text NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
            version bigint NOT NULL,
            definition text NOT NULL,
            created_at double precision NOT NULL,
            PRIMARY KEY (workflow_id, version)
        )
        """,
        // `seq` orders executions created at the same time, as SQLite's rowid does.
        """
        CREATE TABLE execution (
            seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            id text PRIMARY KEY,
            workflow_id text NOT NULL,
            workflow_version bigint NOT NULL,
            workflow_name text NOT NULL,
            trigger_node text NOT NULL,
            trigger_type text NOT NULL,
            input text NOT NULL,
            status text NOT NULL,
            created_at double precision NOT NULL,
            started_at double precision,
            finished_at double precision,
            error_kind text,
            error_message text,
            error_node text,
            restarted_from text,
            restart_node text,
            cancel_requested boolean NOT NULL DEFAULT false,
            idempotency_key text
        )
        """,
        "CREATE INDEX execution_by_workflow ON execution (workflow_id, created_at)",
        "CREATE INDEX execution_by_status ON execution (status, created_at)",
        "CREATE INDEX execution_by_time ON execution (created_at, seq)",
        "CREATE UNIQUE INDEX execution_idempotency ON execution (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL",
        """
        CREATE TABLE execution_event (
            execution_id text NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
            sequence bigint NOT NULL,
            event text NOT NULL,
            PRIMARY KEY (execution_id, sequence)
        )
        """,
        """
        CREATE TABLE node_run (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            execution_id text NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
            workflow_id text NOT NULL,
            node_key text NOT NULL,
            node_id text NOT NULL,
            node_type text NOT NULL,
            attempt bigint NOT NULL,
            status text NOT NULL,
            input text,
            output text,
            truncated boolean NOT NULL DEFAULT false,
            error_kind text,
            error_message text,
            error_details text,
            log_tail text,
            started_at double precision,
            finished_at double precision,
            duration_ms double precision,
            UNIQUE (execution_id, node_key, attempt)
        )
        """,
        "CREATE INDEX node_run_by_node ON node_run (workflow_id, node_id, started_at)",
        "CREATE INDEX node_run_failures ON node_run (workflow_id, error_kind) WHERE error_kind IS NOT NULL",
        "CREATE INDEX node_run_stats ON node_run (workflow_id, node_id, status, duration_ms, attempt)",
        """
        CREATE TABLE execution_log (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            execution_id text NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
            node_key text,
            at double precision NOT NULL,
            level text NOT NULL,
            message text NOT NULL
        )
        """,
        "CREATE INDEX execution_log_by_execution ON execution_log (execution_id, id)",
        """
        CREATE TABLE timer (
            execution_id text NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
            node_key text NOT NULL,
            fire_at double precision NOT NULL,
            PRIMARY KEY (execution_id, node_key)
        )
        """,
        "CREATE INDEX timer_by_time ON timer (fire_at)",
        """
        CREATE TABLE queue (
            execution_id text PRIMARY KEY REFERENCES execution(id) ON DELETE CASCADE,
            available_at double precision NOT NULL,
            claimed_by text,
            claimed_at double precision
        )
        """,
        "CREATE INDEX queue_waiting ON queue (available_at) WHERE claimed_by IS NULL",
        // Reads JSON text that may not be JSON (a truncated preview is, but a reader must not fail on a bad row).
        """
        CREATE FUNCTION windflow_jsonb(value text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            RETURN value::jsonb;
        EXCEPTION WHEN others THEN
            RETURN NULL;
        END $$
        """,
    ]

    static let service: [String] = [
        """
        CREATE TABLE api_key (
            id text PRIMARY KEY,
            name text NOT NULL,
            hash text NOT NULL UNIQUE,
            created_at double precision NOT NULL,
            last_used_at double precision
        )
        """,
        """
        CREATE TABLE schedule (
            workflow_id text NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
            node_id text NOT NULL,
            next_fire_at double precision NOT NULL,
            PRIMARY KEY (workflow_id, node_id)
        )
        """,
        "CREATE TABLE secret (name text PRIMARY KEY, value text NOT NULL, updated_at double precision NOT NULL)",
        "CREATE TABLE file_watch (watch_key text PRIMARY KEY, snapshot text NOT NULL, looked_at double precision NOT NULL)",
        """
        CREATE TABLE stack (
            name text PRIMARY KEY,
            definition text NOT NULL,
            created_at double precision NOT NULL,
            updated_at double precision NOT NULL
        )
        """,
    ]

    static let designer: [String] = [
        """
        CREATE TABLE proposal (
            id text PRIMARY KEY,
            status text NOT NULL,
            prose text NOT NULL,
            workflow_name text NOT NULL,
            base_workflow_id text,
            base_version bigint,
            definition text,
            valid boolean NOT NULL,
            report text NOT NULL,
            rounds text NOT NULL,
            provider text NOT NULL,
            model text NOT NULL,
            prompt_tokens bigint NOT NULL,
            completion_tokens bigint NOT NULL,
            latency_ms double precision NOT NULL,
            explanation text NOT NULL,
            assumptions text NOT NULL,
            diff text,
            created_at double precision NOT NULL,
            accepted_workflow_id text,
            accepted_version bigint,
            decided_at double precision
        )
        """,
        "CREATE INDEX proposal_by_time ON proposal (created_at)",
        """
        CREATE TABLE llm_call (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at double precision NOT NULL,
            provider text NOT NULL,
            model text NOT NULL,
            purpose text NOT NULL,
            prompt_tokens bigint NOT NULL,
            completion_tokens bigint NOT NULL,
            latency_ms double precision NOT NULL,
            attempts bigint NOT NULL,
            outcome text NOT NULL,
            error text,
            proposal_id text
        )
        """,
        "CREATE INDEX llm_call_by_time ON llm_call (at)",
        """
        CREATE TABLE suggestion (
            id text PRIMARY KEY,
            kind text NOT NULL,
            workflow_id text NOT NULL,
            workflow_version bigint NOT NULL,
            execution_id text,
            node_id text,
            rule text NOT NULL,
            title text NOT NULL,
            rationale text NOT NULL,
            confidence double precision NOT NULL,
            patch text NOT NULL,
            evidence text NOT NULL,
            source text NOT NULL,
            status text NOT NULL,
            applied_version bigint,
            created_at double precision NOT NULL,
            decided_at double precision
        )
        """,
        "CREATE INDEX suggestion_by_workflow ON suggestion (workflow_id, created_at)",
    ]

    /// Every stored event in one order, the order of the commits that stored them, for the stream of all runs. An
    /// identity column alone is the order of inserts, not of commits: a reader could pass position 11, committed
    /// first, and never see 10. So every insert into the feed first takes a transaction lock
    /// (``feedLock``), held until its commit: positions are handed out in commit order.
    static let feed: [String] = [
        """
        CREATE TABLE event_feed (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            execution_id text NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
            sequence bigint NOT NULL
        )
        """,
        "CREATE INDEX event_feed_by_execution ON event_feed (execution_id)",
        """
        CREATE FUNCTION windflow_feed_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM \(feedLock);
            INSERT INTO event_feed (execution_id, sequence) VALUES (NEW.execution_id, NEW.sequence);
            RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER event_feed_insert AFTER INSERT ON execution_event FOR EACH ROW EXECUTE FUNCTION windflow_feed_event()",
        // An execution's end is not an event of its own: it takes sequence 0 in the feed.
        """
        CREATE FUNCTION windflow_feed_end() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status IN \(ExecutionStatus.sql(ExecutionStatus.terminal)) AND OLD.status <> NEW.status THEN
                PERFORM \(feedLock);
                INSERT INTO event_feed (execution_id, sequence) VALUES (NEW.id, 0);
            END IF;
            RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER event_feed_end AFTER UPDATE OF status ON execution FOR EACH ROW EXECUTE FUNCTION windflow_feed_end()",
    ]

    /// The lock that orders the feed (per schema, so stores in other schemas of the database do not wait on it).
    static let feedLock = "pg_advisory_xact_lock(hashtext('windflow.feed'), hashtext(current_schema()))"
}
