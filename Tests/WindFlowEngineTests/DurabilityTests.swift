import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

@Suite(.serialized)
struct DurabilityTests {
    @Test func aWaitParksTheRunInTheStoreAndWakesLater() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        // On a manual clock: the wait passes when the test moves the clock, not by sleeping.
        let clock = ManualClock(1_800_000_000)
        let engine = box.engine(parkAfter: 0.2, clock: clock)
        let workflow = try WorkflowCodec.load("""
            name: wait
            nodes:
              - {id: start, type: trigger.manual}
              - {id: pause, type: logic.wait, configuration: {duration: 1}}
              - {id: after, type: integration.script, configuration: {script: "echo woke after {{ pause.waited_seconds | round }} s"}}
            """).workflow
        let record = try await engine.enqueue(workflow)
        let first = try await engine.runner.run(record.id)
        guard case .parked(let until) = first else {
            Issue.record("expected the run to park, got \(first)")
            return
        }
        #expect(try box.store.execution(record.id)?.status == .waiting)
        #expect(try box.store.nextTimer() == until)
        // A new runner (as after a restart) picks it up from the store.
        clock.set(until + 0.01)
        let resumed = try await box.engine(clock: clock).runner.run(record.id)
        #expect(resumed == .finished(.succeeded, nil))
        let runs = try box.store.nodeRuns(of: record.id)
        #expect(runs.last("after")?.output?["stdout"]?.stringValue?.hasPrefix("woke after") == true)
        #expect((runs.last("pause")?.output?["waited_seconds"]?.doubleValue ?? 0) >= 0.99)
        #expect(runs.last("pause")?.status == .succeeded)
        #expect(try box.store.nextTimer() == nil)
    }

    @Test func anInterruptedNodeRunsAgainWithTheNextAttemptAndTheSameIdempotencyKey() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let trace = box.path("trace")
        let engine = box.engine()
        let workflow = try WorkflowCodec.load("""
            name: interrupted
            nodes:
              - {id: start, type: trigger.manual}
              - {id: first, type: integration.script, configuration: {script: "echo first >> \(trace)"}}
              - {id: second, type: integration.script, configuration: {script: "echo second $WINDFLOW_ATTEMPT $WINDFLOW_IDEMPOTENCY_KEY >> \(trace)"}}
            """).workflow
        let record = try await engine.enqueue(workflow)
        // Simulate a crash while `second` ran: its start is recorded, its end is not.
        var machine = ExecutionStateMachine(workflow: workflow, executionID: record.id)
        let started = ExecutionEvent.started(trigger: "start", input: [:], at: 1)
        _ = machine.handle(started)
        let firstDone = ExecutionEvent.nodeFinished(NodeKey("first"), attempt: 1, outcome: .succeeded(["stdout": "first\n"], branch: nil), at: 2)
        _ = machine.handle(firstDone)
        for event in [started, firstDone] {
            try box.store.commit(Transition(event: event.jsonValue.jsonText), execution: record.id, workflowID: record.workflowID)
        }
        try box.store.commit(
            { var t = Transition(); t.nodeRuns = [NodeRunRecord(nodeKey: "second", nodeID: "second", nodeType: "integration.script", attempt: 1, status: .running, startedAt: 2)]; return t }(),
            execution: record.id, workflowID: record.workflowID)
        let results = try await engine.resumeAll()
        #expect(results.map(\.id) == [record.id])
        #expect(results.first?.result == .finished(.succeeded, nil))
        // `first` did not run again; `second` ran as attempt 2 with the execution's key for it.
        #expect(try String(contentsOfFile: trace, encoding: .utf8) == "second 2 \(record.id):second\n")
    }

    @Test func restartFromAStepReusesUpstreamOutputs() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let trace = box.path("trace"), flag = box.path("fixed")
        let engine = box.engine()
        let yaml = """
            name: restart
            nodes:
              - {id: start, type: trigger.manual}
              - {id: build, type: integration.script, configuration: {script: "echo build >> \(trace); echo artifact=app-1.tar >> $WINDFLOW_OUTPUT"}}
              - {id: deploy, type: integration.script, configuration: {script: "echo deploy {{ build.artifact }} >> \(trace); test -f \(flag)"}}
              - {id: notify, type: integration.script, configuration: {script: "echo notify >> \(trace)"}}
            """
        let (failed, _) = try await box.run(yaml, engine: engine)
        #expect(failed.status == .failed)
        #expect(failed.errorNode == "deploy")
        FileManager.default.createFile(atPath: flag, contents: nil)
        let restarted = try await engine.restart(failed.id, from: "deploy")
        let result = try await engine.runToEnd(restarted.id)
        #expect(result == .finished(.succeeded, nil))
        #expect(try String(contentsOfFile: trace, encoding: .utf8) == "build\ndeploy app-1.tar\ndeploy app-1.tar\nnotify\n")
        let runs = try box.store.nodeRuns(of: restarted.id)
        #expect(runs.last("build")?.status == .reused)
        #expect(try box.store.execution(restarted.id)?.restartedFrom == failed.id)
        await #expect(throws: EngineError.self) { try await engine.restart(failed.id, from: "deplyo") }
    }

    @Test func cancellingARunningExecutionStopsItsNodes() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine()
        let workflow = try WorkflowCodec.load("""
            name: long
            nodes:
              - {id: start, type: trigger.manual}
              - {id: long, type: integration.script, configuration: {script: "sleep 30"}}
            """).workflow
        let record = try await engine.enqueue(workflow)
        async let result = engine.runToEnd(record.id)
        try await Task.sleep(for: .milliseconds(300))
        try await engine.cancel(record.id)
        #expect(try await result == .finished(.cancelled, nil))
        let stored = try #require(try box.store.execution(record.id))
        #expect(stored.status == .cancelled)
        #expect(stored.errorKind == nil)
        #expect(try box.store.nodeRuns(of: record.id).last("long")?.status == .cancelled)
    }

    @Test func retentionDeletesOldFinishedExecutions() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let yaml = "name: tiny\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: logic.stop}\n"
        for _ in 0..<5 { _ = try await box.run(yaml) }
        #expect(try box.store.sweep(keepDays: nil, keepExecutions: 2, now: Date().timeIntervalSince1970) == 3)
        #expect(try box.store.executions().count == 2)
        #expect(try box.store.sweep(keepDays: 0, keepExecutions: nil, now: Date().timeIntervalSince1970 + 1) == 2)
    }

    @Test func storedValuesAreCappedAndTheCutIsRecorded() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: big
            nodes:
              - {id: start, type: trigger.manual}
              - {id: big, type: integration.script, configuration: {script: "head -c 600000 /dev/zero | tr '\\\\0' x", max_output_bytes: 2000000}}
            """)
        #expect(execution.status == .succeeded)
        let big = try #require(runs.last("big"))
        #expect(big.truncated)
        #expect(big.output?["original_bytes"]?.intValue ?? 0 > 600_000)
    }
}
