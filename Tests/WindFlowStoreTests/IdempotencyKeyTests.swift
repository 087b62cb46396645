import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowStore

/// An idempotency key names one start of one workflow: the store keeps one execution per workflow and key.
@Suite struct IdempotencyKeyTests {
    func twoWorkflows(_ store: SQLiteStore) throws -> (WorkflowRecord, WorkflowRecord) {
        let load = { (name: String) in try WorkflowCodec.load("name: \(name)\nnodes:\n  - {id: start, type: trigger.manual}\n").workflow }
        return (try store.saveWorkflow(try load("first"), now: 0), try store.saveWorkflow(try load("second"), now: 0))
    }

    @Test func aRepeatedKeyAnswersTheExecutionItStartedAndQueuesNothing() async throws {
        let (store, directory) = try scratchStore("idempotency")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (first, second) = try twoWorkflows(store)
        let started = try store.enqueueExecution(workflow: first, triggerNode: "start", input: ["n": 1], now: 1, idempotencyKey: "order-42")
        let repeated = try await store.enqueueExecution(workflow: first, triggerNode: "start", input: ["n": 2], now: 2, restartedFrom: nil,
                                                        restartNode: nil, id: nil, seed: [], idempotencyKey: "order-42")
        #expect(repeated.id == started.id)
        #expect(repeated.input == ["n": 1], "the first start's execution, as stored")
        #expect(repeated.idempotencyKey == "order-42")
        #expect(try store.queueDepth() == 1)
        // The same key on another workflow is another start; no key is never a repeat.
        let other = try store.enqueueExecution(workflow: second, triggerNode: "start", input: [:], now: 3, idempotencyKey: "order-42")
        #expect(other.id != started.id)
        let unkeyed = try (0..<2).map { _ in try store.enqueueExecution(workflow: first, triggerNode: "start", input: [:], now: 4).id }
        #expect(Set(unkeyed).count == 2)
        #expect(try store.executions(limit: 10).count == 4)
        #expect(try store.execution(workflow: first.id, idempotencyKey: "order-42")?.id == started.id)
        #expect(try store.execution(workflow: first.id, idempotencyKey: "order-43") == nil)
    }

    /// Concurrent starts with one key share a group-commit transaction or race for the unique index: one wins,
    /// every caller gets its execution.
    @Test func concurrentStartsWithOneKeyMakeOneExecution() async throws {
        let (store, directory) = try scratchStore("idempotency-race")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (workflow, _) = try twoWorkflows(store)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for number in 0..<40 {
                group.addTask {
                    try await store.enqueueExecution(workflow: workflow, triggerNode: "start", input: ["n": .int(number)], now: Double(number),
                                                     restartedFrom: nil, restartNode: nil, id: nil, seed: [], idempotencyKey: "delivery-7").id
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(try store.executions(limit: 100).count == 1)
        #expect(try store.queueDepth() == 1)
    }

    @Test func theKeySurvivesAReopenAndIsInTheExecutionsJSON() throws {
        let (store, directory) = try scratchStore("idempotency-reopen")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (workflow, _) = try twoWorkflows(store)
        let started = try store.enqueueExecution(workflow: workflow, triggerNode: "start", input: [:], now: 1, idempotencyKey: "k1")
        let reopened = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
        #expect(try reopened.execution(started.id)?.idempotencyKey == "k1")
        #expect(try reopened.execution(started.id)?.jsonValue["idempotency_key"] == "k1")
        #expect(try reopened.enqueueExecution(workflow: workflow, triggerNode: "start", input: [:], now: 2, idempotencyKey: "k1").id == started.id)
    }
}
