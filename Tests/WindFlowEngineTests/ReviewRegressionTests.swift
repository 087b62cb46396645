import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// Regressions for problems a code review found.
@Suite(.serialized)
struct ReviewRegressionTests {
    @Test func aWaitDueWhileAnotherNodeRunsStillWakes() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine(parkAfter: 0.2)
        let workflow = try WorkflowCodec.load("""
            name: wait beside work
            nodes:
              - {id: start, type: trigger.manual}
              - {id: pause, type: logic.wait, configuration: {duration: 0.5}}
              - {id: work, type: integration.script, configuration: {script: "sleep 1"}}
              - {id: join, type: logic.merge}
            edges:
              - {source: start, target: pause}
              - {source: start, target: work}
              - {source: pause, target: join}
              - {source: work, target: join}
            """).workflow
        let record = try await engine.enqueue(workflow)
        let outcome = try await withThrowingTaskGroup(of: RunResult?.self) { group in
            group.addTask { try await engine.runToEnd(record.id) }
            // A hang, not a slow machine: the run needs about a second.
            group.addTask { try await Task.sleep(for: .seconds(60)); return nil }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        #expect(outcome == .finished(.succeeded, nil), "the run hung")
    }

    @Test func aCancelAskedWhileQueuedTakesEffectBeforeAnythingRuns() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let marker = box.path("ran")
        let engine = box.engine()
        let record = try await engine.enqueue(try WorkflowCodec.load(
            "name: c\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: integration.script, configuration: {script: \"touch \(marker)\"}}\n").workflow)
        try await engine.cancel(record.id)
        #expect(try await engine.runToEnd(record.id) == .finished(.cancelled, nil))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func redactionNeverChangesTheFlow() async throws {
        // A secret that equals a branch name must not break the replay or the branch taken.
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine(secrets: ["FLAG": "true"])
        let (execution, runs) = try await box.run("""
            name: branchy
            nodes:
              - {id: start, type: trigger.manual}
              - {id: check, type: logic.condition, configuration: {condition: "1 == 1"}}
              - {id: yes, type: integration.script, configuration: {script: "echo yes"}}
            edges:
              - {source: start, target: check}
              - {source: check, target: yes, branch: "true"}
            """, engine: engine)
        #expect(execution.status == .succeeded)
        #expect(runs.last("yes")?.status == .succeeded)
    }

    @Test func continueOnALoopGoesOnAlongDone() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: tolerant loop
            nodes:
              - {id: start, type: trigger.manual}
              - {id: each, type: logic.loop, error_handling: continue, configuration: {items: [1, 2]}}
              - {id: body, type: integration.script, configuration: {script: "exit {{ item }}"}}
              - {id: after, type: integration.script, configuration: {script: "echo after"}}
            edges:
              - {source: start, target: each}
              - {source: each, target: body, branch: loop}
              - {source: each, target: after, branch: done}
            """)
        #expect(execution.status == .succeeded)
        #expect(runs.last("after")?.output?["stdout"] == "after\n")
    }

    @Test func gitRefusesValuesThatWouldBeOptions() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, _) = try await box.run("""
            name: injected
            nodes:
              - {id: start, type: trigger.manual}
              - {id: push, type: integration.git, configuration: {operation: push, directory: "\(box.path("w"))", branch: "{{ trigger.ref }}"}}
            """, input: ["ref": "--mirror"])
        #expect(execution.status == .failed)
        #expect(execution.errorMessage?.contains("must not start with '-'") == true)
    }

    @Test func plusSignsInQueryValuesStayPlusSigns() async throws {
        let server = try await LoopbackServer.start()
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: promql
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/echo", query: {q: "sum(a) + sum(b)", at: "2026-01-01T00:00:00+02:00"}}}
            """)
        #expect(execution.status == .succeeded)
        let path = runs.last("call")?.output?["body"]?["path"]?.stringValue ?? ""
        #expect(path.contains("q=sum(a)%20%2B%20sum(b)"), "\(path)")
        #expect(path.contains("%2B02:00"))
    }
}

@Suite(.serialized)
struct ShellQuotingTests {
    @Test func singleQuotedBracesStayTheShellsOwn() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let yaml = """
            name: quoting
            nodes:
              - {id: start, type: trigger.manual}
              - id: show
                type: integration.script
                configuration:
                  script: |
                    echo '{{.Names}} {{ not an expression'
                    echo "name: {{ trigger.name }}"
            """
        #expect(try validate(yaml).problems.isEmpty)
        let (execution, runs) = try await box.run(yaml, input: ["name": "it's $(whoami)"])
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        #expect(runs.last("show")?.output?["stdout"] == "{{.Names}} {{ not an expression\nname: it's $(whoami)\n")
    }
}

func validate(_ yaml: String) throws -> ValidationReport {
    Validator().validate(try WorkflowCodec.load(yaml))
}

@Suite(.serialized)
struct ErrorWorkflowDurabilityTests {
    @Test func theErrorWorkflowIsQueuedWithTheFailureItself() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.store.saveWorkflow(try WorkflowCodec.load(
            "name: on failure\nnodes:\n  - {id: failed, type: trigger.event, configuration: {event: execution.failed}}\n  - {id: a, type: logic.stop}\n").workflow, now: 0)
        let engine = box.engine()
        let record = try await engine.enqueue(try WorkflowCodec.load(
            "name: fragile\nsettings: {error_workflow: on failure}\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: integration.script, configuration: {script: \"exit 9\"}}\n").workflow)
        // Only the failed run: whoever runs it next (a worker, or resume after a crash) finds the error workflow queued.
        #expect(try await engine.runner.run(record.id) == .finished(.failed, ExecutionError(kind: .exit, message: "the script exited with status 9", node: NodeKey("a"))))
        let queued = try box.store.queuedFollowUps(of: record.id)
        #expect(queued.count == 1)
        #expect(try box.store.execution(queued[0])?.input["failed_node"] == "a")
        #expect(try box.store.unfinishedExecutions().map(\.id) == queued)
    }
}

@Suite(.serialized)
struct ParkedTimeoutTests {
    @Test func aParkedRunStillEndsAtItsWorkflowTimeout() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine(parkAfter: 0.1)
        let record = try await engine.enqueue(try WorkflowCodec.load("""
            name: patient
            settings: {timeout: 1}
            nodes:
              - {id: start, type: trigger.manual}
              - {id: pause, type: logic.wait, configuration: {duration: 1h}}
            """).workflow)
        guard case .parked(let until) = try await engine.runner.run(record.id) else {
            Issue.record("expected the run to park")
            return
        }
        #expect(until - Date().timeIntervalSince1970 < 2, "it parks until the workflow timeout, not the wait")
        #expect(try box.store.dueTimers(now: Date().timeIntervalSince1970 + 2).contains { $0.nodeKey == ExecutionRunner.timeoutTimer })
        let result = try await engine.runToEnd(record.id)
        guard case .finished(.failed, let error) = result else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
        #expect(error?.kind == .timeout)
    }
}
