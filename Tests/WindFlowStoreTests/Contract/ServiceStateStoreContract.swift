import Foundation
import Testing
import WindFlowCore
import WindFlowStore

/// What the service relies on from ``ServiceStateStore``, for every store implementation.
@Suite struct ServiceStateStoreContract {
    @Test(arguments: StoreFactory.all) func apiKeysAreCheckedByValueListedWithoutItAndRevoked(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        #expect(try await store.apiKeyCount() == 0)
        let ci = try await store.createAPIKey(name: "ci", now: 1)
        let laptop = try await store.createAPIKey(name: "laptop", now: 2)
        #expect(ci != laptop && ci.count >= 32, "keys are long and distinct")
        #expect(try await store.isValidAPIKey(ci))
        #expect(try await store.isValidAPIKey(laptop))
        #expect(try await store.isValidAPIKey(ci + "x") == false)
        #expect(try await store.isValidAPIKey("") == false)
        let listed = try await store.apiKeys()
        #expect(listed.map(\.name) == ["ci", "laptop"] && listed.map(\.createdAt) == [1, 2])
        #expect(!listed.contains { $0.id == ci || $0.id == laptop }, "a key's id is not the key")
        #expect(try await store.revokeAPIKey(listed[0].id))
        #expect(try await store.revokeAPIKey(listed[0].id) == false)
        #expect(try await store.isValidAPIKey(ci) == false)
        await #expect(throws: (any Error).self, "the last key cannot be revoked") { try await store.revokeAPIKey(listed[1].id) }
        #expect(try await store.isValidAPIKey(laptop))
        #expect(try await store.apiKeyCount() == 1)
    }

    @Test(arguments: StoreFactory.all) func secretsAreReplacedListedByNameAndDeleted(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        try await store.setSecret("SLACK_TOKEN", value: "xoxb-1", now: 1)
        try await store.setSecret("DB_PASSWORD", value: "hunter2", now: 2)
        try await store.setSecret("SLACK_TOKEN", value: "xoxb-2", now: 3)
        #expect(try await store.secrets() == ["SLACK_TOKEN": "xoxb-2", "DB_PASSWORD": "hunter2"])
        let names = try await store.secretNames()
        #expect(names.map(\.name) == ["DB_PASSWORD", "SLACK_TOKEN"] && names.map(\.updatedAt) == [2, 3])
        #expect(try await store.deleteSecret("DB_PASSWORD"))
        #expect(try await store.deleteSecret("DB_PASSWORD") == false)
        #expect(try await store.secrets() == ["SLACK_TOKEN": "xoxb-2"])
    }

    @Test(arguments: StoreFactory.all) func stacksAreStoredReplacedAndDeleted(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        #expect(try await store.saveStack("shop", definition: "services: {web: {image: nginx}}", now: 1))
        #expect(try await store.saveStack("shop", definition: "services: {web: {image: nginx:1.27}}", now: 5) == false, "replaced, not new")
        #expect(try await store.saveStack("blog", definition: "services: {}", now: 2))
        let shop = try #require(try await store.stack("shop"))
        #expect(shop.definition == "services: {web: {image: nginx:1.27}}" && shop.createdAt == 1 && shop.updatedAt == 5)
        #expect(try await store.stacks().map(\.name) == ["blog", "shop"])
        #expect(try await store.deleteStack("blog"))
        #expect(try await store.deleteStack("blog") == false)
        #expect(try await store.stack("blog") == nil)
    }

    @Test(arguments: StoreFactory.all) func schedulePlansAndFileSnapshotsAreKept(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("nightly", trigger: "trigger.manual"), now: 1)
        #expect(try await store.nextFire(workflow: workflow.id, node: "start") == nil)
        try await store.setNextFire(workflow: workflow.id, node: "start", at: 100)
        try await store.setNextFire(workflow: workflow.id, node: "start", at: 200)
        #expect(try await store.nextFire(workflow: workflow.id, node: "start") == 200)
        #expect(try await store.nextFire(workflow: workflow.id, node: "other") == nil)
        #expect(try await store.fileSnapshot("inbox") == nil)
        try await store.setFileSnapshot("inbox", #"{"a.csv": 1}"#, now: 1)
        try await store.setFileSnapshot("inbox", #"{"a.csv": 2}"#, now: 2)
        #expect(try await store.fileSnapshot("inbox") == #"{"a.csv": 2}"#)
    }

    @Test(arguments: StoreFactory.all) func metricsCountExecutionsByStatusAndTrigger(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("counted"), now: 1)
        let done = try await ContractFixtures.queued(store, workflow)
        _ = try await ContractFixtures.queued(store, workflow)
        var ended = Transition()
        ended.status = .succeeded
        ended.finishedAt = 3
        ended.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .succeeded, durationMS: 1500)]
        try await store.commit([ended], execution: done.id, workflowID: workflow.id)
        let metrics = try await store.metrics()
        #expect(metrics.byStatus == ["succeeded": 1, "queued": 1])
        #expect(metrics.byTrigger == ["trigger.manual": 2])
        #expect(metrics.queueDepth == 1)
        #expect(metrics.durations == [1.5], "in seconds")
    }
}
