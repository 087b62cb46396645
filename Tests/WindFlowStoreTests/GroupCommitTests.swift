import Foundation
import GRDB
import Testing
@testable import WindFlowCore
@testable import WindFlowStore

/// Concurrent async writes share transactions, and one that fails leaves the others committed.
@Suite struct GroupCommitTests {
    @Test func concurrentWritesAllLandAndAFailingOneFailsAlone() async throws {
        let (store, directory) = try scratchStore("group")
        defer { try? FileManager.default.removeItem(at: directory) }
        let workflow = try WorkflowCodec.load("name: g\nnodes:\n  - {id: start, type: trigger.manual}\n").workflow
        let record = try store.saveWorkflow(workflow, now: 0)
        let results = await withTaskGroup(of: Result<String, any Error>.self) { group in
            for number in 0..<200 {
                group.addTask {
                    do {
                        if number == 77 {
                            // Writes a row that breaks a constraint: only this caller fails.
                            try await store.committer.write { db in try db.execute(sql: "INSERT INTO queue (execution_id, available_at) VALUES ('nope', 0)") }
                            return .success("unexpected")
                        }
                        return .success(try await store.enqueueExecution(workflow: record, triggerNode: "start", input: ["n": .int(number)], now: Double(number)).id)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<String, any Error>] = []
            for await result in group { all.append(result) }
            return all
        }
        let stored = results.compactMap { try? $0.get() }
        #expect(stored.count == 199)
        #expect(results.filter { if case .failure = $0 { true } else { false } }.count == 1)
        #expect(try store.executions(limit: 1000).count == 199)
        #expect(try store.queueDepth() == 199)
    }

    @Test func theActiveWorkflowsGenerationChangesAtOnceWithThisProcesssChanges() throws {
        let (store, directory) = try scratchStore("generation")
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try store.activeWorkflowsGeneration()
        let record = try store.saveWorkflow(try WorkflowCodec.load("name: g\nnodes:\n  - {id: start, type: trigger.manual}\n").workflow, now: 1)
        _ = try store.setActive(record.id, true, now: 2)
        #expect(try store.activeWorkflowsGeneration() != before, "not the value kept from before the change")
    }
}
