import Foundation
import GRDB
import WindFlowCore
import WindFlowDesigner
import WindFlowStore

/// Optimization analysis over a large history: `executions` runs of a 10-node workflow (10 node runs each, with
/// realistic durations, retries and failures), inserted directly, then `Optimizer.analyse` timed.
enum AdviceBenchmarks {
    static func optimizer(executions: Int) async throws -> (Measurement, rows: Int) {
        let (store, directory) = try EngineBenchmarks.scratchStore("advice")
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = try store.saveWorkflow(try historyWorkflow(), now: 0)
        let rows = try fillHistory(at: directory.appendingPathComponent("db.sqlite").path, workflow: record.id, executions: executions)
        let optimizer = Optimizer(store: store)
        let measurement = await Measurement.run("optimization analysis over \(rows) node runs", warmup: 2, iterations: 10) {
            _ = try? await optimizer.analyse("big history")
        }
        return (measurement, rows)
    }

    /// The workflow whose history is analysed: a manual trigger and nine steps.
    static func historyWorkflow() throws -> Workflow {
        var yaml = "name: big history\nnodes:\n  - {id: start, type: trigger.manual}\n"
        for index in 1...9 {
            let type = index % 3 == 0 ? "integration.http, configuration: {url: \"http://127.0.0.1:9/x\"}" : "integration.script, timeout: 3600, configuration: {script: \"true\"}"
            yaml += "  - {id: step\(index), type: \(type)}\n"
        }
        return try WorkflowCodec.load(yaml).workflow
    }

    /// Writes `executions` runs of the nine-step workflow straight into the store's tables (synchronously: this is
    /// set-up, not what is measured). - Returns: the node runs stored.
    static func fillHistory(at path: String, workflow: String, executions: Int) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        var random = SystemRandomNumberGenerator()
        try queue.write { db in
            let execution = try db.makeStatement(sql: """
                INSERT INTO execution (id, workflow_id, workflow_version, workflow_name, trigger_node, trigger_type, input, status, created_at, started_at, finished_at)
                VALUES (?, ?, 1, 'big history', 'start', 'trigger.manual', '{}', ?, ?, ?, ?)
                """)
            let run = try db.makeStatement(sql: """
                INSERT INTO node_run (execution_id, workflow_id, node_key, node_id, node_type, attempt, status, error_kind, started_at, finished_at, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for number in 0..<executions {
                let id = "ex_\(number)"
                let at = Double(number) * 60
                let failedStep = Int.random(in: 0..<100, using: &random) == 0 ? Int.random(in: 1...9, using: &random) : nil
                try execution.execute(arguments: [id, workflow, failedStep == nil ? "succeeded" : "failed", at, at, at + 5])
                for index in 0...9 {
                    let node = index == 0 ? "start" : "step\(index)"
                    let duration = index == 0 ? 0.1 : Double(index * 20) + Double.random(in: 0...Double(index * 10), using: &random)
                    let retried = index == 5 && Int.random(in: 0..<5, using: &random) == 0
                    if retried {
                        try run.execute(arguments: [id, workflow, node, node, "integration.script", 1, "failed", "exit", at, at + 0.01, 10.0])
                    }
                    let failed = failedStep == index
                    try run.execute(arguments: [id, workflow, node, node, index == 0 ? "trigger.manual" : "integration.script", retried ? 2 : 1,
                                                failed ? "failed" : "succeeded", failed ? "timeout" : nil, at, at + duration / 1000, duration])
                    if failed { break }
                }
            }
        }
        let rows = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM node_run") ?? 0 }
        try queue.close()
        return rows
    }
}
