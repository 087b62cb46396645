import Foundation
import Testing
import WindFlowCore
import WindFlowStore

/// What callers of ``WorkflowStore`` rely on, for every store implementation.
@Suite struct WorkflowStoreContract {
    @Test(arguments: StoreFactory.all) func versionsAreAddedOnlyWhenTheWorkflowChanges(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let first = try await store.saveWorkflow(try ContractFixtures.workflow("deploy"), now: 10)
        #expect(first.version == 1 && !first.active)
        let unchanged = try await store.saveWorkflow(try ContractFixtures.workflow("deploy"), now: 20)
        #expect(unchanged.id == first.id && unchanged.version == 1)
        let changed = try await store.saveWorkflow(try ContractFixtures.workflow("deploy", note: "shipped"), now: 30)
        #expect(changed.id == first.id && changed.version == 2)
        #expect(try await store.workflow("deploy", version: nil)?.version == 2, "by name: the newest version")
        #expect(try await store.workflow(first.id, version: 1)?.workflow == first.workflow, "by id, at a version: as stored")
        #expect(try await store.workflow("deploy", version: 9) == nil)
        #expect(try await store.workflow("nothing", version: nil) == nil)
        let versions = try await store.versions(of: "deploy")
        #expect(versions.map(\.version) == [1, 2], "oldest first")
        #expect(versions.map(\.createdAt) == [10, 30])
        #expect(try WorkflowCodec.load(versions[0].definition).workflow == first.workflow, "a stored definition loads back")
    }

    @Test(arguments: StoreFactory.all) func activationListsAndDeletion(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        for name in ["b-second", "a-first", "c-third"] { _ = try await store.saveWorkflow(try ContractFixtures.workflow(name), now: 1) }
        #expect(try await store.workflows(activeOnly: false).map(\.name) == ["a-first", "b-second", "c-third"], "by name")
        #expect(try await store.workflows(activeOnly: true).isEmpty)
        let before = try await store.activeWorkflowsGeneration()
        #expect(try await store.setActive("b-second", true, now: 2))
        #expect(try await store.setActive("nothing", true, now: 2) == false)
        let activated = try await store.activeWorkflowsGeneration()
        #expect(activated != before, "activating changes the generation")
        #expect(try await store.workflows(activeOnly: true).map(\.name) == ["b-second"])
        #expect(try await store.workflow("b-second", version: nil)?.active == true)
        _ = try await store.saveWorkflow(try ContractFixtures.workflow("b-second", note: "v2"), now: 3)
        #expect(try await store.activeWorkflowsGeneration() != activated, "a new version of an active workflow changes it")
        #expect(try await store.workflow("b-second", version: nil)?.active == true, "a new version stays active")
        #expect(try await store.deleteWorkflow("a-first"))
        #expect(try await store.deleteWorkflow("a-first") == false)
        #expect(try await store.workflow("a-first", version: nil) == nil)
        #expect(try await store.versions(of: "a-first").isEmpty)
        #expect(try await store.workflows(activeOnly: false).map(\.name) == ["b-second", "c-third"])
    }

    @Test(arguments: StoreFactory.all) func deletingAWorkflowDeletesItsHistory(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let record = try await store.saveWorkflow(try ContractFixtures.workflow("gone"), now: 1)
        let execution = try await ContractFixtures.queued(store, record)
        #expect(try await store.deleteWorkflow(record.id))
        #expect(try await store.execution(execution.id) == nil)
        #expect(try await store.queueDepth() == 0)
    }
}
