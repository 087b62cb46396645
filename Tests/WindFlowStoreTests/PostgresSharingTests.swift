import Foundation
import Testing
import WindFlowCore
import WindFlowPostgres
import WindFlowStore

/// What several processes on one PostgreSQL database rely on, with one store (one pool) standing for each process.
@Suite struct PostgresSharingTests {
    /// Stores opened together on one new schema, as processes starting at the same moment.
    static func stores(_ count: Int) async throws -> [any WindFlowStorage] {
        let schema = "sharing_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let url = try await SharedPostgres.shared.url() + "?sslmode=disable&pool_size=4&schema=\(schema)"
        return try await withThrowingTaskGroup(of: (any WindFlowStorage).self) { group in
            for _ in 0..<count { group.addTask { try await PostgresStore.open(url: url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func processesStartingTogetherMigrateOnceAndSeeOneAnothersWrites() async throws {
        let stores = try await Self.stores(3)
        let workflow = try await stores[0].saveWorkflow(try ContractFixtures.workflow("shared"), now: 1)
        #expect(try await stores[1].workflow("shared", version: nil)?.id == workflow.id)
        #expect(try await stores[2].saveWorkflow(try ContractFixtures.workflow("shared"), now: 2).version == 1, "unchanged: the same version")
    }

    /// An execution queued by one process reaches the other's workers through LISTEN/NOTIFY, not at their next poll.
    @Test func anExecutionQueuedByOneProcessIsAnnouncedToTheOther() async throws {
        let stores = try await Self.stores(2)
        let listener = try #require(stores[1] as? any QueueNotifications)
        var heard = listener.queueNotifications().makeAsyncIterator()
        _ = await heard.next()  // listening has started
        let workflow = try await stores[0].saveWorkflow(try ContractFixtures.workflow("announced"), now: 1)
        let clock = ContinuousClock()
        let started = clock.now
        let waiting = Task { await heard.next() != nil }
        let timeout = Task { try await Task.sleep(for: .seconds(10)); waiting.cancel() }
        _ = try await ContractFixtures.queued(stores[0], workflow, now: 2)
        #expect(await waiting.value, "no notification within 10 s")
        timeout.cancel()
        print("queue notification after \(started.duration(to: clock.now))")
    }

    @Test func workersOfTwoProcessesNeverShareAnExecution() async throws {
        let stores = try await Self.stores(2)
        let workflow = try await stores[0].saveWorkflow(try ContractFixtures.workflow("crowded"), now: 1)
        var queued: Set<String> = []
        for number in 0..<40 { queued.insert(try await ContractFixtures.queued(stores[number % 2], workflow, now: Double(number)).id) }
        let claims = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<8 {
                let store = stores[worker % 2]
                group.addTask {
                    var mine: [String] = []
                    while let id = try await store.claimNext(worker: "p\(worker % 2)-w\(worker)", now: 100, leaseUntil: 130) { mine.append(id) }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claims.count == 40 && Set(claims) == queued, "every execution claimed exactly once")
    }

    @Test func startsWithOneKeyInTwoProcessesMakeOneExecution() async throws {
        let stores = try await Self.stores(2)
        let workflow = try await stores[0].saveWorkflow(try ContractFixtures.workflow("once"), now: 1)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for attempt in 0..<10 {
                let store = stores[attempt % 2]
                group.addTask { try await ContractFixtures.queued(store, workflow, key: "webhook-42").id }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(try await stores[1].queueDepth() == 1)
    }

    /// The feed is read by position: a reader that has seen position n must never later find an event below it.
    @Test func theFeedIsInCommitOrderAcrossProcesses() async throws {
        let stores = try await Self.stores(2)
        let workflow = try await stores[0].saveWorkflow(try ContractFixtures.workflow("streamed"), now: 1)
        var executions: [String] = []
        for number in 0..<6 { executions.append(try await ContractFixtures.queued(stores[number % 2], workflow).id) }
        let reader = stores[0]
        let seen = try await withThrowingTaskGroup(of: [Int].self) { group in
            for (index, execution) in executions.enumerated() {
                let store = stores[index % 2]
                group.addTask {
                    for step in 0..<10 {
                        try await store.commit([Transition(event: ContractFixtures.event("step", ["n": .int(step)]))], execution: execution, workflowID: workflow.id)
                    }
                    return []
                }
            }
            // Reads while the writers write: each read must start after the last position it saw, with nothing skipped.
            group.addTask {
                var positions: [Int] = []
                var last = 0
                for _ in 0..<2000 where positions.count < 60 {
                    let page = try await reader.feed(after: last, workflow: nil, limit: 500)
                    positions += page.map(\.position)
                    last = page.last?.position ?? last
                    try await Task.sleep(for: .milliseconds(5))
                }
                return positions
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        let all = try await reader.feed(after: 0, workflow: nil, limit: 500).map(\.position)
        #expect(all.count == 60)
        #expect(seen == all, "a reader following the feed saw every event, in order")
    }
}
