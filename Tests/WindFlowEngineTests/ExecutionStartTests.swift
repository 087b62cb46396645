import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// Every trigger starts executions through one door, ``WorkflowEngine/start(_:trigger:input:)``: the same checks
/// whoever knocks.
@Suite struct ExecutionStartTests {
    static let twoTriggers = """
        name: two doors
        nodes:
          - {id: manual, type: trigger.manual}
          - {id: hook, type: trigger.webhook, disabled: true, configuration: {webhook_path: /in, authentication: none}}
          - {id: on_deploy, type: trigger.event, configuration: {event: deploy.requested}}
          - {id: note, type: logic.stop, configuration: {message: done}}
        edges:
          - {source: manual, target: note}
          - {source: hook, target: note}
          - {source: on_deploy, target: note}
        """

    @Test func theTriggerMustBeAnEnabledTriggerOfTheVersion() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine()
        let record = try box.store.saveWorkflow(try WorkflowCodec.load(Self.twoTriggers).workflow, now: 0)
        #expect(try await engine.start(record).triggerNode == "manual", "no trigger named: the manual one")
        #expect(try await engine.start(record, trigger: "on_deploy", input: ["x": 1]).input == ["x": 1])
        for refused in ["hook", "note", "nowhere"] {
            await #expect(throws: EngineError.self, "\(refused)") { try await engine.start(record, trigger: refused) }
        }
        #expect(try box.store.executions().count == 2)
    }

    @Test func aStoredVersionThatCannotRunIsRefusedWhateverStartsIt() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let workflow = try WorkflowCodec.load("""
            name: deploy on event
            nodes:
              - {id: on_deploy, type: trigger.event, configuration: {event: deploy.requested}}
              - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: shop}}
            """).workflow
        // Stored and active, but this engine has no deployment actions: an event must not queue a run that cannot run.
        let record = try box.store.saveWorkflow(workflow, now: 0)
        _ = try box.store.setActive(record.id, true, now: 0)
        var executors = ExecutorRegistry()
        executors.register("integration.script", ScriptExecutor())
        let engine = WorkflowEngine(runner: ExecutionRunner(store: box.store, executors: executors))
        await #expect(throws: EngineError.self) { try await EventDispatcher(engine: engine).publish("deploy.requested", payload: [:]) }
        #expect(try box.store.executions().isEmpty)
    }

    @Test func theInputMustBeAnObjectAndAKeyAShortVisibleText() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine()
        let record = try box.store.saveWorkflow(try WorkflowCodec.load(Self.twoTriggers).workflow, now: 0)
        for input: JSONValue in [[1, 2], "text", 3, .null] {
            await #expect(throws: EngineError.self, "\(input.jsonText)") { try await engine.start(record, input: input) }
        }
        for key in ["", "has space", String(repeating: "k", count: 256), "caf\u{E9}", "tab\tkey"] {
            await #expect(throws: EngineError.self, "\(key)") { try await engine.start(record, idempotencyKey: key) }
        }
        #expect(try box.store.executions().isEmpty)
        let first = try await engine.start(record, idempotencyKey: String(repeating: "k", count: 255))
        let again = try await engine.start(record, trigger: "on_deploy", input: ["other": true], idempotencyKey: String(repeating: "k", count: 255))
        #expect(again.id == first.id, "a repeated key answers the first start, whatever the repeat asks")
        #expect(try box.store.executions().count == 1)
    }

    @Test func aStartWakesAnIdleWorker() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine()
        let record = try box.store.saveWorkflow(try WorkflowCodec.load(Self.twoTriggers).workflow, now: 0)
        let started = Date()
        async let woken: Void = engine.signal.wait(upTo: 300)
        try await Task.sleep(for: .milliseconds(50))
        _ = try await engine.start(record)
        await woken
        #expect(Date().timeIntervalSince(started) < 100, "woken by the start, not by the 300 s poll")
    }

    /// Nothing outside the door queues an execution: the store's enqueue is called by the engine only.
    @Test func onlyTheEngineQueuesExecutions() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        let allowed: Set<String> = ["WindFlowEngine/Runtime/ExecutionStart.swift", "WindFlowEngine/WorkflowEngine.swift"]
        var callers: [String] = []
        for case let url as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        where url.pathExtension == "swift" && !url.path.contains("/WindFlowStore/") {
            let relative = String(url.path.dropFirst(sources.path.count + 1))
            if try String(contentsOf: url, encoding: .utf8).contains(".enqueueExecution("), !allowed.contains(relative) { callers.append(relative) }
        }
        #expect(callers.isEmpty, "these queue executions without the engine's checks: \(callers)")
    }
}
