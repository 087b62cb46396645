import Foundation
import WindFlowCore
import WindFlowDesigner
import WindFlowPostgres
import WindFlowStore

/// The optimization analysis over the same history as ``AdviceBenchmarks/optimizer(executions:)``, kept in
/// PostgreSQL: the per-node counters and histograms there are kept by a trigger too (`node_stats`, `node_duration`).
extension AdviceBenchmarks {
    /// - Parameter url: a PostgreSQL server's URL (`postgresql://user@host:port/db`); the history goes in a schema of
    ///   its own, dropped afterwards. - Returns: the analysis timed, the node runs stored, and the fill's seconds.
    static func postgresOptimizer(url: String, executions: Int) async throws -> (Measurement, rows: Int, fillSeconds: Double) {
        let schema = "bench_advice_\(UInt32.random(in: 0...UInt32.max))"
        let store = try await PostgresStore.open(url: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)")
        defer {
            store.close()
            _ = try? psql(url, schema: nil, "SET client_min_messages = warning; DROP SCHEMA \(schema) CASCADE")
        }
        let record = try await store.saveWorkflow(try historyWorkflow(), now: 0)
        let started = Date()
        let rows = Int(try psql(url, schema: schema, fillSQL(workflow: record.id, executions: executions))
            .split(separator: "\n").last { Int($0) != nil } ?? "") ?? 0
        let fillSeconds = Date().timeIntervalSince(started)
        let optimizer = Optimizer(store: store)
        let measurement = await Measurement.run("optimization analysis over \(rows) node runs on PostgreSQL", warmup: 2, iterations: 10) {
            _ = try? await optimizer.analyse("big history")
        }
        return (measurement, rows, fillSeconds)
    }

    /// The same distribution as the SQLite fill: 1 % of executions fail at one step, step 5 is retried in 20 % of
    /// them, durations grow with the step. The node runs go in 100 executions a statement, each its own transaction,
    /// as the engine's commits are: one transaction that updates the same counter rows a million times leaves a chain
    /// of row versions no one can prune until it ends, and slows down quadratically.
    static func fillSQL(workflow: String, executions: Int) -> String {
        var sql = """
            CREATE TABLE fill_e AS SELECT n, CASE WHEN n % 100 = 0 THEN 1 + (n / 100) % 9 END AS failed_step,
                random() < 0.2 AS retried FROM generate_series(0, \(executions - 1)) n;
            INSERT INTO execution (id, workflow_id, workflow_version, workflow_name, trigger_node, trigger_type, input, status, created_at, started_at, finished_at)
                SELECT 'ex_' || n, '\(workflow)', 1, 'big history', 'start', 'trigger.manual', '{}',
                       CASE WHEN failed_step IS NULL THEN 'succeeded' ELSE 'failed' END, n * 60.0, n * 60.0, n * 60.0 + 5 FROM fill_e;
            CREATE TABLE fill_s AS SELECT e.n, e.failed_step, e.retried, i,
                CASE WHEN i = 0 THEN 'start' ELSE 'step' || i END AS node,
                CASE WHEN i = 0 THEN 'trigger.manual' ELSE 'integration.script' END AS type,
                CASE WHEN i = 0 THEN 0.1 ELSE i * 20 + random() * i * 10 END AS duration
                FROM fill_e e, generate_series(0, 9) i WHERE e.failed_step IS NULL OR i <= e.failed_step;
            CREATE INDEX ON fill_s (n);

            """
        for first in stride(from: 0, to: executions, by: 100) {
            sql += """
                INSERT INTO node_run (execution_id, workflow_id, node_key, node_id, node_type, attempt, status, error_kind, started_at, finished_at, duration_ms)
                    SELECT 'ex_' || n, '\(workflow)', node, node, type, 1, 'failed', 'exit', n * 60.0, n * 60.0 + 0.01, 10.0
                    FROM fill_s WHERE n >= \(first) AND n < \(first + 100) AND i = 5 AND retried
                    UNION ALL
                    SELECT 'ex_' || n, '\(workflow)', node, node, type, CASE WHEN i = 5 AND retried THEN 2 ELSE 1 END,
                           CASE WHEN i = failed_step THEN 'failed' ELSE 'succeeded' END, CASE WHEN i = failed_step THEN 'timeout' END,
                           n * 60.0, n * 60.0 + duration / 1000, duration FROM fill_s WHERE n >= \(first) AND n < \(first + 100);

                """
        }
        return sql + "DROP TABLE fill_s; DROP TABLE fill_e; VACUUM ANALYZE;\nSELECT COUNT(*) FROM node_run;\n"
    }

    /// Runs `sql` with psql (set-up, not measured); prints only the rows. - Returns: what psql printed.
    static func psql(_ url: String, schema: String?, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A file, not -c: psql sends a file's statements one by one, each in its own transaction.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-fill-\(UUID().uuidString).sql")
        try sql.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        process.arguments = ["psql", url.components(separatedBy: "?")[0], "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-f", file.path]
        var environment = ProcessInfo.processInfo.environment
        if let schema { environment["PGOPTIONS"] = "-c search_path=\(schema)" }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw StoreError("psql failed (\(process.terminationStatus)): \(text)") }
        return text
    }
}
