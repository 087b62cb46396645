import Foundation
import Testing
import WindFlowCore
import WindFlowStore

/// What the designer relies on from ``DesignerStore``, for every store implementation.
@Suite struct DesignerStoreContract {
    static func proposal(_ name: String, at time: Double) -> ProposalRecord {
        ProposalRecord(id: "", prose: "back up \(name) nightly", workflowName: name, definition: "name: \(name)\n", valid: true,
                       report: [], rounds: [["round": 1]], provider: "offline", model: "planner", promptTokens: 10, completionTokens: 20,
                       latencyMs: 3.5, explanation: "a schedule, then a backup", assumptions: ["02:00 is the backup time"], createdAt: time)
    }

    @Test(arguments: StoreFactory.all) func proposalsAreKeptUntilAcceptedOrDiscardedOnce(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let first = try await store.saveProposal(Self.proposal("nightly", at: 1))
        let second = try await store.saveProposal(Self.proposal("weekly", at: 2))
        #expect(first.hasPrefix("prop_") && first != second)
        let stored = try #require(try await store.proposal(first))
        var expected = Self.proposal("nightly", at: 1)
        expected.id = first
        #expect(stored == expected, "stored as given")
        #expect(try await store.proposals(limit: 10).map(\.id) == [second, first], "newest first")
        #expect(try await store.proposals(limit: 1).count == 1)

        let accepted = try #require(try await store.acceptProposal(first, workflow: try ContractFixtures.workflow("nightly"), activate: true, now: 5))
        #expect(accepted.active && accepted.version == 1)
        #expect(try await store.workflow("nightly", version: nil)?.active == true, "accepting stores the workflow, active as asked")
        let decided = try #require(try await store.proposal(first))
        #expect(decided.status == .accepted && decided.acceptedWorkflowID == accepted.id && decided.acceptedVersion == 1 && decided.decidedAt == 5)
        #expect(try await store.acceptProposal(first, workflow: try ContractFixtures.workflow("nightly"), activate: false, now: 6) == nil, "once")
        #expect(try await store.discardProposal(first, now: 7) == false, "an accepted proposal is not discarded")
        #expect(try await store.discardProposal(second, now: 7))
        #expect(try await store.proposal(second)?.status == .discarded)
        #expect(try await store.acceptProposal(second, workflow: try ContractFixtures.workflow("weekly"), activate: false, now: 8) == nil)
        #expect(try await store.workflow("weekly", version: nil) == nil)
        #expect(try await store.proposal("prop_none") == nil)
    }

    @Test(arguments: StoreFactory.all) func modelCallsAreRecordedAttachedAndTotalled(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let call = { (at: Double, purpose: String, outcome: String) in
            LLMCallRecord(at: at, provider: "openai", model: "qwen", purpose: purpose, promptTokens: 100, completionTokens: 10,
                          latencyMs: 900, attempts: 1, outcome: outcome)
        }
        try await store.recordLLMCall(call(1, "design", "ok"))
        try await store.recordLLMCall(call(2, "fix", "ok"))
        try await store.recordLLMCall(call(3, "repair", "timeout"))
        try await store.recordLLMCall(call(4, "design", "ok"))
        let proposal = try await store.saveProposal(DesignerStoreContract.proposal("p", at: 4))
        try await store.attachLLMCalls(since: 2, purposeIn: ["design", "repair"], toProposal: proposal)
        let calls = try await store.llmCalls(limit: 10)
        #expect(calls.map(\.at) == [4, 3, 2, 1], "newest first")
        #expect(calls.map(\.proposalID) == [proposal, proposal, nil, nil], "only the calls since, of the purposes named")
        #expect(try await store.llmCalls(limit: 2).count == 2)
        let totals = try await store.llmCallTotals()
        #expect(totals.map { "\($0.provider) \($0.outcome) \($0.calls) \($0.promptTokens) \($0.completionTokens)" }
                == ["openai ok 3 300 30", "openai timeout 1 100 10"])
    }

    @Test(arguments: StoreFactory.all) func successCountsAreFinishedRunsPerWorkflowName(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("counted"), now: 1)
        for status: ExecutionStatus in [.succeeded, .succeeded, .failed] {
            let execution = try await ContractFixtures.queued(store, workflow)
            var ended = Transition()
            ended.status = status
            ended.finishedAt = 2
            try await store.commit([ended], execution: execution.id, workflowID: workflow.id)
        }
        _ = try await ContractFixtures.queued(store, workflow)
        let counts = try await store.successCounts()
        #expect(counts["counted"]?.succeeded == 2 && counts["counted"]?.finished == 3, "unfinished runs do not count")
    }
}
