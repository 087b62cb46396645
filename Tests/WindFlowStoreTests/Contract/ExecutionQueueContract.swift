import Foundation
import Testing
import WindFlowCore
import WindFlowStore

/// What the queue workers rely on from ``ExecutionQueue``, for every store implementation.
@Suite struct ExecutionQueueContract {
    @Test(arguments: StoreFactory.all) func claimsTakeTheOldestAvailableOnce(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("queued"), now: 1)
        let older = try await ContractFixtures.queued(store, workflow, now: 10)
        let newer = try await ContractFixtures.queued(store, workflow, now: 20)
        #expect(try await store.queueDepth() == 2)
        #expect(try await store.claimNext(worker: "w1", now: 5, leaseUntil: 1005) == nil, "nothing is available before its time")
        #expect(try await store.claimNext(worker: "w1", now: 30, leaseUntil: 1030) == older.id)
        #expect(try await store.queueDepth() == 1, "a claimed execution is not waiting")
        #expect(try await store.claimNext(worker: "w2", now: 30, leaseUntil: 1030) == newer.id)
        #expect(try await store.claimNext(worker: "w3", now: 30, leaseUntil: 1030) == nil)
        try await store.release(older.id)
        #expect(try await store.claimNext(worker: "w3", now: 30, leaseUntil: 1030) == nil, "released: out of the queue until something queues it again")
        try await store.enqueueIfAbsent(older.id, now: 40)
        try await store.enqueueIfAbsent(older.id, now: 50)
        #expect(try await store.queueDepth() == 1, "queued once")
        #expect(try await store.claimNext(worker: "w3", now: 45, leaseUntil: 1045) == older.id)
        try await store.requeue(older.id, now: 100)
        #expect(try await store.claimNext(worker: "w4", now: 60, leaseUntil: 1060) == nil, "requeued for later")
        #expect(try await store.claimNext(worker: "w4", now: 100, leaseUntil: 1100) == older.id)
    }

    @Test(arguments: StoreFactory.all) func aClaimedExecutionIsNotQueuedTwiceAndOnlyEndedLeasesAreReleasedAtStart(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("running"), now: 1)
        let execution = try await ContractFixtures.queued(store, workflow, now: 1)
        let other = try await ContractFixtures.queued(store, workflow, now: 1.5)  // after it: the oldest is claimed first
        #expect(try await store.claimNext(worker: "p1/w1", now: 2, leaseUntil: 10) == execution.id)
        #expect(try await store.claimNext(worker: "p2/w1", now: 2, leaseUntil: 100) == other.id)
        try await store.enqueueIfAbsent(execution.id, now: 3)
        #expect(try await store.claimNext(worker: "p3/w1", now: 4, leaseUntil: 50) == nil, "a due timer of a claimed run does not hand it to another worker")
        guard factory.shared else {
            // One process owns an SQLite file: at its start every claim is a dead process's, released at once.
            try await store.releaseClaimsAtStart(now: 5)
            #expect(try await store.queueDepth() == 2, "every claim released at the start")
            return
        }
        try await store.releaseClaimsAtStart(now: 5)
        #expect(try await store.queueDepth() == 0, "live leases are kept at a start")
        try await store.releaseClaimsAtStart(now: 20)
        #expect(try await store.queueDepth() == 1, "the ended lease is released, the other process's live one kept")
        #expect(try await store.claimNext(worker: "p3/w1", now: 20, leaseUntil: 50) == execution.id)
    }

    /// A worker's heartbeat keeps its claims; a claim whose lease ended (its process died) goes to another worker.
    @Test(arguments: StoreFactory.all) func aLeaseThatEndsLetsAnotherWorkerTakeTheExecution(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("leased"), now: 1)
        let kept = try await ContractFixtures.queued(store, workflow, now: 1)
        let lost = try await ContractFixtures.queued(store, workflow, now: 2)
        #expect(try await store.claimNext(worker: "alive", now: 3, leaseUntil: 10) == kept.id)
        #expect(try await store.claimNext(worker: "dead", now: 3, leaseUntil: 10) == lost.id)
        #expect(try await store.claimNext(worker: "other", now: 9, leaseUntil: 40) == nil, "both leases hold")
        #expect(try await store.renewClaims(worker: "alive", until: 30) == 1, "the heartbeat renews the worker's one claim")
        #expect(try await store.renewClaims(worker: "nobody", until: 30) == 0)
        #expect(try await store.claimNext(worker: "other", now: 11, leaseUntil: 40) == lost.id, "the lease that was not renewed ended")
        #expect(try await store.claimNext(worker: "third", now: 11, leaseUntil: 40) == nil, "the renewed one still holds")
        #expect(try await store.renewClaims(worker: "dead", until: 50) == 0, "a worker whose claim was taken holds nothing")
        #expect(try await store.claimNext(worker: "third", now: 31, leaseUntil: 60) == kept.id, "once the renewal lapses too")
    }

    /// However many workers ask at once, each execution goes to one of them.
    @Test(arguments: StoreFactory.all) func aWorkerWhoseClaimPassedToAnotherCannotCommitOrReleaseIt(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("fenced"), now: 1)
        let execution = try await ContractFixtures.queued(store, workflow, now: 1)
        #expect(try await store.claimNext(worker: "p1/w1", now: 2, leaseUntil: 10) == execution.id)
        let first = Transition(event: ContractFixtures.event("execution_started"))
        try await ClaimFence.$worker.withValue("p1/w1") { try await store.commit([first], execution: execution.id, workflowID: workflow.id) }
        // p1 is cut off past its lease; p2 takes the execution and resumes it.
        #expect(try await store.claimNext(worker: "p2/w1", now: 11, leaseUntil: 100) == execution.id)
        var stale = Transition(event: ContractFixtures.event("node_started", ["node": "note"]))
        stale.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .running, startedAt: 12)]
        await #expect(throws: ClaimLost.self) {
            try await ClaimFence.$worker.withValue("p1/w1") { try await store.commit([stale], execution: execution.id, workflowID: workflow.id) }
        }
        #expect(try await store.eventCount(of: execution.id) == 1, "nothing of the refused commit is kept")
        #expect(try await store.nodeRuns(of: execution.id).isEmpty)
        try await ClaimFence.$worker.withValue("p1/w1") { try await store.release(execution.id) }
        #expect(try await store.renewClaims(worker: "p2/w1", until: 200) == 1, "the stale worker's release leaves the new claim alone")
        try await ClaimFence.$worker.withValue("p2/w1") { try await store.commit([stale], execution: execution.id, workflowID: workflow.id) }
        #expect(try await store.nodeRuns(of: execution.id).count == 1)
        try await store.commit([Transition(event: ContractFixtures.event("note"))], execution: execution.id, workflowID: workflow.id)
        #expect(try await store.eventCount(of: execution.id) == 3, "a commit outside any worker (the API's) is not fenced")
    }

    @Test(arguments: StoreFactory.all) func concurrentWorkersNeverShareAnExecution(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("crowded"), now: 1)
        var queued: Set<String> = []
        for number in 0..<30 { queued.insert(try await ContractFixtures.queued(store, workflow, now: Double(number)).id) }
        let claims = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<6 {
                group.addTask {
                    var mine: [String] = []
                    for _ in 0..<30 {
                        guard let id = try await store.claimNext(worker: "w\(worker)", now: 100, leaseUntil: 1100) else { break }
                        mine.append(id)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claims.count == 30 && Set(claims) == queued, "every execution claimed exactly once")
        #expect(try await store.queueDepth() == 0)
    }
}
