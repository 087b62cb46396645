import Foundation
import GRDB
import WindFlowCore

extension SQLiteStore {
    /// Per node of a workflow: attempts, outcomes, and succeeded-attempt duration percentiles in milliseconds, read
    /// from the counters and duration histograms the store keeps up to date (``NodeStatisticsTables``): a few hundred
    /// rows whatever the history's size. Percentiles are exact to the millisecond below one second and within 1 %
    /// above; the maximum is exact.
    public func nodeStatistics(workflow id: String) throws -> [String: NodeStatistics] {
        try pool.read { db in
            var result: [String: NodeStatistics] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT node_id, attempts, ok, failed, late, timed FROM node_stats WHERE workflow_id = ? AND attempts > 0",
                                        arguments: [id]) {
                var statistics = NodeStatistics()
                statistics.attempts = row["attempts"]
                statistics.succeeded = row["ok"]
                statistics.failed = row["failed"]
                statistics.succeededAfterRetry = row["late"]
                let timed: Int = row["timed"]
                let node: String = row["node_id"]
                if timed > 0 {
                    let p50Index = (timed - 1) / 2, p95Index = Int(Double(timed - 1) * 0.95)
                    var seen = 0
                    for bucket in try Row.fetchAll(db, sql: """
                        SELECT bucket, runs FROM node_duration WHERE workflow_id = ? AND node_id = ? AND runs > 0 ORDER BY bucket
                        """, arguments: [id, node]) {
                        let runs: Int = bucket["runs"]
                        let value: Double = bucket["bucket"]
                        if statistics.p50 == nil, p50Index < seen + runs { statistics.p50 = value }
                        if p95Index < seen + runs { statistics.p95 = value; break }
                        seen += runs
                    }
                    statistics.max = try Double.fetchOne(db, sql: """
                        SELECT MAX(duration_ms) FROM node_run INDEXED BY node_run_stats WHERE workflow_id = ? AND node_id = ? AND status = \(NodeRunStatus.succeeded.sql)
                        """, arguments: [id, node])
                }
                result[node] = statistics
            }
            return result
        }
    }

    /// Finished runs of a workflow started by a schedule, and how many started while the one before was still running.
    public func scheduleOverlaps(workflow id: String, limit: Int = 1000) throws -> (runs: Int, overlapping: Int, p95Seconds: Double?) {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT started_at, finished_at FROM execution
                WHERE workflow_id = ? AND trigger_type = 'trigger.schedule' AND started_at IS NOT NULL AND finished_at IS NOT NULL
                ORDER BY started_at DESC LIMIT ?
                """, arguments: [id, limit])
            return ScheduleOverlaps.summary(rows.map { (start: $0["started_at"] as Double, end: $0["finished_at"] as Double) })
        }
    }
}

extension SQLiteStore {
    /// The evaluated inputs of one node type's succeeded attempts in the workflow's latest `executions` runs, by
    /// execution then node (for finding identical calls).
    public func recentInputs(workflow id: String, nodeType: String, executions: Int = 50) throws -> [String: [String: JSONValue]] {
        try pool.read { db in
            var result: [String: [String: JSONValue]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT execution_id, node_id, input FROM node_run
                WHERE node_type = ? AND status = \(NodeRunStatus.succeeded.sql) AND input IS NOT NULL
                  AND execution_id IN (SELECT id FROM execution WHERE workflow_id = ? ORDER BY created_at DESC LIMIT ?)
                """, arguments: [nodeType, id, executions]) {
                let text: String = row["input"]
                guard let value = try? JSONValue.parse(text) else { continue }
                result[row["execution_id"], default: [:]][row["node_id"]] = value
            }
            return result
        }
    }

    /// How often each output of a condition or switch was taken in its latest `limit` successful runs ("true" /
    /// "false" for a condition, the case name for a switch).
    public func branchCounts(workflow id: String, node: String, limit: Int = 1000) throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT branch, COUNT(*) AS taken FROM (
                    SELECT COALESCE(json_extract(output, '$.branch'),
                                    CASE json_extract(output, '$.result') WHEN 1 THEN 'true' WHEN 0 THEN 'false' END) AS branch
                    FROM node_run INDEXED BY node_run_by_node
                    WHERE workflow_id = ? AND node_id = ? AND status = \(NodeRunStatus.succeeded.sql) AND json_valid(output)
                    ORDER BY started_at DESC LIMIT ?)
                WHERE branch IS NOT NULL GROUP BY branch
                """, arguments: [id, node, limit]) {
                counts[row["branch"]] = row["taken"]
            }
            return counts
        }
    }
}
