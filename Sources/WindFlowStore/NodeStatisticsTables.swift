import WindFlowCore

/// Per-node counters and duration histograms kept up to date by triggers on `node_run`, so the optimizer reads a few
/// hundred rows instead of scanning every run: `node_stats` counts attempts and outcomes, `node_duration` counts
/// succeeded durations per bucket of three significant digits (exact to the millisecond below one second, within 1 %
/// above), from which percentiles are read.
enum NodeStatisticsTables {
    /// The bucket of a duration in milliseconds: its lower edge at three significant digits (0.123, 1.23, 12.3, 123,
    /// 1230 …), so a percentile read from buckets is within 1 % of the exact one.
    static func bucket(_ column: String) -> String {
        var cases = ""
        for exponent in -1...6 {
            let step = pow10(exponent - 2)
            cases += "WHEN \(column) < \(pow10(exponent + 1)) THEN CAST(\(column) / \(step) AS INTEGER) * \(step) "
        }
        return "(CASE WHEN \(column) < 0.1 THEN 0 \(cases)ELSE CAST(\(column) / 100000 AS INTEGER) * 100000 END)"
    }

    private static func pow10(_ exponent: Int) -> String {
        exponent >= 0 ? "1" + String(repeating: "0", count: exponent) + ".0" : "0." + String(repeating: "0", count: -exponent - 1) + "1"
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) one row's contribution; `row` is NEW or OLD. Two upserts.
    static func apply(_ row: String, sign: Int) -> String {
        let timed = "(\(row).status = \(NodeRunStatus.succeeded.sql) AND \(row).duration_ms IS NOT NULL)"
        return """
            INSERT INTO node_stats (workflow_id, node_id, attempts, ok, failed, late, timed)
                VALUES (\(row).workflow_id, \(row).node_id, \(sign), \(sign) * (\(row).status = \(NodeRunStatus.succeeded.sql)), \(sign) * (\(row).status = \(NodeRunStatus.failed.sql)),
                        \(sign) * (\(row).status = \(NodeRunStatus.succeeded.sql) AND \(row).attempt > 1), \(sign) * \(timed))
                ON CONFLICT (workflow_id, node_id) DO UPDATE SET
                    attempts = attempts + excluded.attempts, ok = ok + excluded.ok, failed = failed + excluded.failed,
                    late = late + excluded.late, timed = timed + excluded.timed;
            INSERT INTO node_duration (workflow_id, node_id, bucket, runs)
                SELECT \(row).workflow_id, \(row).node_id, \(bucket("\(row).duration_ms")), \(sign) WHERE \(timed)
                ON CONFLICT (workflow_id, node_id, bucket) DO UPDATE SET runs = runs + excluded.runs;
            """
    }

    static var schema: String {
        """
        CREATE TABLE node_stats (
            workflow_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            ok INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            late INTEGER NOT NULL DEFAULT 0,
            timed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (workflow_id, node_id)
        ) WITHOUT ROWID;
        CREATE TABLE node_duration (
            workflow_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            bucket REAL NOT NULL,
            runs INTEGER NOT NULL,
            PRIMARY KEY (workflow_id, node_id, bucket)
        ) WITHOUT ROWID;
        INSERT INTO node_stats (workflow_id, node_id, attempts, ok, failed, late, timed)
            SELECT workflow_id, node_id, COUNT(*), SUM(status = \(NodeRunStatus.succeeded.sql)), SUM(status = \(NodeRunStatus.failed.sql)),
                   SUM(status = \(NodeRunStatus.succeeded.sql) AND attempt > 1), SUM(status = \(NodeRunStatus.succeeded.sql) AND duration_ms IS NOT NULL)
            FROM node_run GROUP BY workflow_id, node_id;
        INSERT INTO node_duration (workflow_id, node_id, bucket, runs)
            SELECT workflow_id, node_id, \(bucket("duration_ms")) AS b, COUNT(*)
            FROM node_run WHERE status = \(NodeRunStatus.succeeded.sql) AND duration_ms IS NOT NULL GROUP BY workflow_id, node_id, b;
        CREATE TRIGGER node_stats_insert AFTER INSERT ON node_run BEGIN
        \(apply("NEW", sign: 1))
        END;
        CREATE TRIGGER node_stats_update AFTER UPDATE OF status, attempt, duration_ms ON node_run BEGIN
        \(apply("OLD", sign: -1))
        \(apply("NEW", sign: 1))
        END;
        CREATE TRIGGER node_stats_delete AFTER DELETE ON node_run BEGIN
        \(apply("OLD", sign: -1))
        END;
        """
    }
}
