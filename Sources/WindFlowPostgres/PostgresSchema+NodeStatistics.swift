import WindFlowCore
import WindFlowStore

/// Per-node counters and duration histograms kept up to date by a trigger on `node_run`, as the SQLite store keeps
/// them (`NodeStatisticsTables`): `node_stats` counts attempts and outcomes, `node_duration` counts succeeded
/// durations per bucket of three significant digits, from which percentiles are read without scanning the runs.
extension PostgresSchema {
    static let nodeStatistics: [String] = [
        """
        CREATE TABLE node_stats (
            workflow_id text NOT NULL,
            node_id text NOT NULL,
            attempts bigint NOT NULL DEFAULT 0,
            ok bigint NOT NULL DEFAULT 0,
            failed bigint NOT NULL DEFAULT 0,
            late bigint NOT NULL DEFAULT 0,
            timed bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (workflow_id, node_id)
        )
        """,
        """
        CREATE TABLE node_duration (
            workflow_id text NOT NULL,
            node_id text NOT NULL,
            bucket double precision NOT NULL,
            runs bigint NOT NULL,
            PRIMARY KEY (workflow_id, node_id, bucket)
        )
        """,
        // The lower edge of a duration's bucket at three significant digits (0.123, 1.23, 12.3, 123, 1230 …);
        // trunc() as SQLite's CAST(… AS INTEGER), which truncates.
        """
        CREATE FUNCTION windflow_duration_bucket(ms double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN ms < 0.1 THEN 0::double precision \(bucketCases) ELSE trunc(ms / 100000::double precision) * 100000::double precision END
        $$
        """,
        """
        CREATE FUNCTION windflow_node_stats_apply(r node_run, sign bigint) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            is_ok boolean := r.status = \(NodeRunStatus.succeeded.sql);
            is_timed boolean := r.status = \(NodeRunStatus.succeeded.sql) AND r.duration_ms IS NOT NULL;
        BEGIN
            INSERT INTO node_stats AS s (workflow_id, node_id, attempts, ok, failed, late, timed)
                VALUES (r.workflow_id, r.node_id, sign, sign * is_ok::int, sign * (r.status = \(NodeRunStatus.failed.sql))::int,
                        sign * (is_ok AND r.attempt > 1)::int, sign * is_timed::int)
                ON CONFLICT (workflow_id, node_id) DO UPDATE SET
                    attempts = s.attempts + excluded.attempts, ok = s.ok + excluded.ok, failed = s.failed + excluded.failed,
                    late = s.late + excluded.late, timed = s.timed + excluded.timed;
            IF is_timed THEN
                INSERT INTO node_duration AS d (workflow_id, node_id, bucket, runs)
                    VALUES (r.workflow_id, r.node_id, windflow_duration_bucket(r.duration_ms), sign)
                    ON CONFLICT (workflow_id, node_id, bucket) DO UPDATE SET runs = d.runs + excluded.runs;
            END IF;
        END $$
        """,
        """
        CREATE FUNCTION windflow_node_stats() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM windflow_node_stats_apply(OLD, -1); END IF;
            IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM windflow_node_stats_apply(NEW, 1); END IF;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER node_stats_change AFTER INSERT OR DELETE OR UPDATE OF status, attempt, duration_ms ON node_run
            FOR EACH ROW EXECUTE FUNCTION windflow_node_stats()
        """,
    ]

    /// `WHEN ms < 10^(e+1) THEN trunc(ms / 10^(e-2)) * 10^(e-2)` for e from -1 to 6, as `NodeStatisticsTables.bucket`.
    private static var bucketCases: String {
        (-1...6).map { exponent in
            let step = power(exponent - 2), limit = power(exponent + 1)
            return "WHEN ms < \(limit)::double precision THEN trunc(ms / \(step)::double precision) * \(step)::double precision"
        }.joined(separator: " ")
    }

    private static func power(_ exponent: Int) -> String {
        exponent >= 0 ? "1" + String(repeating: "0", count: exponent) + ".0" : "0." + String(repeating: "0", count: -exponent - 1) + "1"
    }
}
