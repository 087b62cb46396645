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
        #expect(try await store.claimNext(worker: "w1", now: 5) == nil, "nothing is available before its time")
        #expect(try await store.claimNext(worker: "w1", now: 30) == older.id)
        #expect(try await store.queueDepth() == 1, "a claimed execution is not waiting")
        #expect(try await store.claimNext(worker: "w2", now: 30) == newer.id)
        #expect(try await store.claimNext(worker: "w3", now: 30) == nil)
        try await store.release(older.id)
        #expect(try await store.claimNext(worker: "w3", now: 30) == nil, "released: out of the queue until something queues it again")
        try await store.enqueueIfAbsent(older.id, now: 40)
        try await store.enqueueIfAbsent(older.id, now: 50)
        #expect(try await store.queueDepth() == 1, "queued once")
        #expect(try await store.claimNext(worker: "w3", now: 45) == older.id)
        try await store.requeue(older.id, now: 100)
        #expect(try await store.claimNext(worker: "w4", now: 60) == nil, "requeued for later")
        #expect(try await store.claimNext(worker: "w4", now: 100) == older.id)
    }

    @Test(arguments: StoreFactory.all) func aClaimedExecutionIsNotQueuedTwiceAndClaimsAreReleasedAtStart(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("running"), now: 1)
        let execution = try await ContractFixtures.queued(store, workflow, now: 1)
        #expect(try await store.claimNext(worker: "w1", now: 2) == execution.id)
        try await store.enqueueIfAbsent(execution.id, now: 3)
        #expect(try await store.claimNext(worker: "w2", now: 4) == nil, "a due timer of a claimed run does not hand it to another worker")
        try await store.releaseAllClaims()
        #expect(try await store.queueDepth() == 1)
        #expect(try await store.claimNext(worker: "w2", now: 4) == execution.id)
    }

    /// However many workers ask at once, each execution goes to one of them.
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
                        guard let id = try await store.claimNext(worker: "w\(worker)", now: 100) else { break }
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
