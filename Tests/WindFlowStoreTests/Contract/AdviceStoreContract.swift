import Foundation
import Testing
import WindFlowCore
import WindFlowStore

/// What the fix and optimization advisors rely on from ``AdviceStore``, for every store implementation.
@Suite struct AdviceStoreContract {
    /// Runs `node` of `workflow` once per outcome, each in an execution of its own that then ends.
    static func history(_ store: any WindFlowStorage, _ workflow: WorkflowRecord, node: String = "note",
                        _ outcomes: [(NodeRunStatus, FailureKind?, Double)], branch: String? = nil) async throws {
        for (index, (status, kind, duration)) in outcomes.enumerated() {
            let execution = try await ContractFixtures.queued(store, workflow, now: Double(index))
            var run = Transition()
            run.nodeRuns = [NodeRunRecord(nodeKey: node, nodeID: node, nodeType: "logic.stop", attempt: 1, status: status,
                                          input: ["n": .int(index)], output: branch.map { ["branch": .string($0)] } ?? [:],
                                          errorKind: kind, startedAt: Double(index), finishedAt: Double(index) + duration / 1000,
                                          durationMS: duration)]
            run.status = status == .succeeded ? .succeeded : .failed
            run.finishedAt = Double(index) + 1
            try await store.commit([run], execution: execution.id, workflowID: workflow.id)
        }
    }

    @Test(arguments: StoreFactory.all) func aNodesHistoryCountsOutcomesFailuresAndDurations(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("flaky"), now: 1)
        try await Self.history(store, workflow, [(.succeeded, nil, 100), (.failed, .timeout, 5000), (.failed, .timeout, 5000),
                                                 (.failed, .http, 50), (.succeeded, nil, 300)])
        let history = try await store.nodeHistory(workflow: workflow.id, node: "note")
        #expect(history.attempts == 5 && history.succeeded == 2 && history.failed == 3)
        #expect(history.failuresByKind == ["timeout": 2, "http": 1])
        #expect(history.durations.sorted() == [100, 300], "succeeded attempts only")
        #expect(history.lastSuccessfulInput == ["n": 4])
        let statistics = try #require(try await store.nodeStatistics(workflow: workflow.id)["note"])
        #expect(statistics.attempts == 5 && statistics.succeeded == 2 && statistics.failed == 3)
        #expect(try await store.nodeHistory(workflow: workflow.id, node: "other").attempts == 0)
    }

    @Test(arguments: StoreFactory.all) func branchCountsAreTheBranchesTaken(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("routing"), now: 1)
        try await Self.history(store, workflow, node: "route", [(.succeeded, nil, 1), (.succeeded, nil, 1)], branch: "eu")
        try await Self.history(store, workflow, node: "route", [(.succeeded, nil, 1)], branch: "us")
        #expect(try await store.branchCounts(workflow: workflow.id, node: "route", limit: 100) == ["eu": 2, "us": 1])
    }

    @Test(arguments: StoreFactory.all) func suggestionsAreListedAppliedOnceAndTheirOutcomeFollowed(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("advised"), now: 1)
        let failed = try await ContractFixtures.queued(store, workflow)
        let suggestion = SuggestionRecord(kind: "fix", workflowID: workflow.id, workflowVersion: 1, executionID: failed.id, nodeID: "note",
                                          rule: "retry_timeouts", title: "Retry the timeouts", rationale: "2 of 5 timed out", confidence: 0.8,
                                          patch: [["op": "set", "path": "nodes.note.retry.max_attempts", "value": 3]],
                                          evidence: ["timeouts": 2], source: "rules", createdAt: 10)
        let id = try await store.saveSuggestion(suggestion)
        let other = try await store.saveSuggestion(SuggestionRecord(kind: "optimization", workflowID: workflow.id, workflowVersion: 1, rule: "cache",
                                                                    title: "Cache", rationale: "same input", confidence: 0.5, patch: [],
                                                                    evidence: [:], source: "history", createdAt: 20))
        #expect(id.hasPrefix("sug_") && id != other)
        var expected = suggestion
        expected.id = id
        #expect(try await store.suggestion(id) == expected, "stored as given")
        #expect(try await store.suggestions(workflow: workflow.id, execution: nil, limit: 10).map(\.id) == [other, id], "newest first")
        #expect(try await store.suggestions(workflow: nil, execution: failed.id, limit: 10).map(\.id) == [id])
        #expect(try await store.suggestions(workflow: "wf_none", execution: nil, limit: 10).isEmpty)
        let stored = try #require(try await store.suggestion(id))
        #expect(try await store.outcome(of: stored) == nil, "not applied yet")
        let applied = try #require(try await store.applySuggestion(id, workflow: try ContractFixtures.workflow("advised", note: "fixed"), now: 30))
        #expect(applied.version == 2)
        #expect(try await store.applySuggestion(id, workflow: try ContractFixtures.workflow("advised", note: "again"), now: 31) == nil, "once")
        let after = try #require(try await store.suggestion(id))
        #expect(after.status == .applied && after.appliedVersion == 2 && after.decidedAt == 30)
        let run = try await ContractFixtures.queued(store, applied)
        var ended = Transition()
        ended.status = .succeeded
        ended.finishedAt = 40
        try await store.commit([ended], execution: run.id, workflowID: workflow.id)
        let outcome = try #require(try await store.outcome(of: after))
        #expect(outcome.succeeded == 1 && outcome.finished == 1, "runs of the applied version only")
    }
}
