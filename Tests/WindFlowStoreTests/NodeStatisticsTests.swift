import Foundation
import GRDB
import Testing
@testable import WindFlowCore
@testable import WindFlowStore

/// The per-node counters and duration histograms the triggers keep agree with the node runs they summarise, through
/// inserts, the running → finished upsert, retries, and deletion by retention.
@Suite struct NodeStatisticsTests {
    @Test func theKeptFiguresMatchAFullScanThroughUpdatesAndDeletes() throws {
        let (store, directory) = try scratchStore("stats")
        defer { try? FileManager.default.removeItem(at: directory) }
        let workflow = try WorkflowCodec.load("name: stats\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: work, type: integration.script, configuration: {script: 'true'}}\n").workflow
        let record = try store.saveWorkflow(workflow, now: 0)
        var durations: [Double] = []
        var generator = SystemRandomNumberGenerator()
        for number in 0..<300 {
            let execution = try store.enqueueExecution(workflow: record, triggerNode: "start", input: [:], now: Double(number))
            // Running first, then finished: the upsert path the engine takes.
            var running = Transition()
            running.nodeRuns = [NodeRunRecord(nodeKey: "work", nodeID: "work", nodeType: "integration.script", attempt: 1, status: .running, startedAt: Double(number))]
            try store.commit(running, execution: execution.id, workflowID: record.id)
            let retried = number % 10 == 0, failed = number % 25 == 1
            var finished = Transition()
            let duration = Double.random(in: 0.05...5000, using: &generator)
            if retried {
                finished.nodeRuns.append(NodeRunRecord(nodeKey: "work", nodeID: "work", nodeType: "integration.script", attempt: 1, status: .failed, errorKind: .exit, durationMS: 3))
                finished.nodeRuns.append(NodeRunRecord(nodeKey: "work", nodeID: "work", nodeType: "integration.script", attempt: 2, status: .succeeded, durationMS: duration))
            } else {
                finished.nodeRuns.append(NodeRunRecord(nodeKey: "work", nodeID: "work", nodeType: "integration.script", attempt: 1,
                                                       status: failed ? .failed : .succeeded, durationMS: failed ? nil : duration))
            }
            if !failed { durations.append(duration) }
            finished.status = failed ? .failed : .succeeded
            finished.finishedAt = Double(number) + 1
            try store.commit(finished, execution: execution.id, workflowID: record.id)
        }
        try expectAgreement(store, workflow: record.id)
        #expect(try store.nodeStatistics(workflow: record.id)["work"]?.succeededAfterRetry == 30)
        durations.sort()
        let p95 = try #require(try store.nodeStatistics(workflow: record.id)["work"]?.p95)
        let exact = durations[Int(Double(durations.count - 1) * 0.95)]
        #expect(abs(p95 - exact) <= exact * 0.01, "p95 \(p95) within 1 % of \(exact)")
        #expect(try store.nodeStatistics(workflow: record.id)["work"]?.max == durations.last)

        _ = try store.sweep(keepDays: nil, keepExecutions: 100, now: 1_000)
        try expectAgreement(store, workflow: record.id)
        #expect(try store.nodeStatistics(workflow: record.id)["work"].map { $0.succeeded + $0.failed } ?? 0 <= 110)
    }

    /// Counts equal a COUNT over node_run; the percentile positions fall in the same bucket as the exact values.
    private func expectAgreement(_ store: SQLiteStore, workflow: String) throws {
        let kept = try #require(try store.nodeStatistics(workflow: workflow)["work"])
        let exact = try store.pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS attempts, SUM(status = 'succeeded') AS ok, SUM(status = 'failed') AS failed,
                       SUM(status = 'succeeded' AND attempt > 1) AS late
                FROM node_run WHERE workflow_id = ? AND node_id = 'work'
                """, arguments: [workflow])
        }
        #expect(kept.attempts == exact?["attempts"])
        #expect(kept.succeeded == exact?["ok"])
        #expect(kept.failed == exact?["failed"])
        #expect(kept.succeededAfterRetry == exact?["late"])
        let median = try store.pool.read { db in
            try Double.fetchAll(db, sql: "SELECT duration_ms FROM node_run WHERE workflow_id = ? AND node_id = 'work' AND status = 'succeeded' ORDER BY duration_ms",
                                arguments: [workflow])
        }
        let p50 = median[(median.count - 1) / 2]
        #expect(abs((kept.p50 ?? 0) - p50) <= p50 * 0.01, "p50 \(kept.p50 ?? 0) vs \(p50)")
    }
}
