import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

@Suite(.serialized)
struct EngineTests {
    @Test func scriptsPassOutputsOnThroughExpressions() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: outputs
            nodes:
              - {id: start, type: trigger.manual}
              - id: kv
                type: integration.script
                configuration:
                  script: |
                    echo "version=1.4.2" >> "$WINDFLOW_OUTPUT"
                    echo "replicas=3" >> "$WINDFLOW_OUTPUT"
              - id: json
                type: integration.script
                configuration:
                  script_type: python3
                  script: |
                    import json, os
                    json.dump({"tag": "v" + {{ kv.version }}, "double": int({{ kv.replicas }}) * 2}, open(os.environ["WINDFLOW_OUTPUT"], "w"))
              - id: echo
                type: integration.script
                configuration:
                  env: {TAG: "{{ json.tag }}"}
                  script: echo "$TAG {{ json.double }} {{ trigger.who }}"
            """, input: ["who": "ops"])
        #expect(execution.status == .succeeded)
        #expect(runs.last("kv")?.output?["replicas"] == 3)
        #expect(runs.last("json")?.output?["tag"] == "v1.4.2")
        #expect(runs.last("echo")?.output?["stdout"] == "v1.4.2 6 ops\n")
    }

    @Test func placeholderValuesCannotInjectShellCode() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let marker = box.path("pwned")
        let (execution, runs) = try await box.run("""
            name: injection
            nodes:
              - {id: start, type: trigger.manual}
              - {id: greet, type: integration.script, configuration: {script: "echo hello {{ trigger.name }}"}}
            """, input: ["name": .string("x\"; touch \(marker); echo \"$(touch \(marker))`touch \(marker)`")])
        #expect(execution.status == .succeeded)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(runs.last("greet")?.output?["stdout"]?.stringValue?.contains("touch") == true)
    }

    @Test func failuresAreClassifiedAndExplained() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: missing command
            nodes:
              - {id: start, type: trigger.manual}
              - {id: build, type: integration.script, configuration: {script: "definitely-not-a-command --version"}}
              - {id: never, type: integration.script, configuration: {script: "true"}}
            """)
        #expect(execution.status == .failed)
        #expect(execution.errorKind == .exit)
        #expect(execution.errorNode == "build")
        #expect(execution.errorMessage?.hasPrefix("a command was not found (exit 127)") == true)
        #expect(runs.last("build")?.output?["exit_code"] == 127)
        #expect(runs.last("never") == nil)
    }

    @Test func aTimeoutStopsTheWholeProcessGroup() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let pidFile = box.path("child.pid")
        let clock = ContinuousClock()
        let started = clock.now
        let (execution, runs) = try await box.run("""
            name: slow
            nodes:
              - {id: start, type: trigger.manual}
              - id: slow
                type: integration.script
                timeout: 1
                configuration:
                  script: |
                    sleep 60 &
                    echo $! > \(pidFile)
                    sleep 60
            """)
        // Well under the script's 60 s: the timeout ended it (not a timing — the first minute of a full run, a hundred
        // suites starting on two cores, took this run 10.7 s).
        #expect(clock.now - started < .seconds(40))
        #expect(execution.status == .failed)
        #expect(execution.errorKind == .timeout)
        #expect(runs.last("slow")?.errorMessage?.contains("timeout (1 s)") == true)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await Task.sleep(for: .milliseconds(200))
        #expect(!isAlive(pid), "the background child \(pid) still runs")
    }

    @Test func retryableFailuresAreRetriedUntilTheySucceed() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let counter = box.path("count")
        let (execution, runs) = try await box.run("""
            name: flaky
            nodes:
              - {id: start, type: trigger.manual}
              - id: flaky
                type: integration.script
                retry_count: 3
                retry: {initial_delay: 0.05, factor: 2, jitter: 0}
                configuration:
                  retryable_exit_codes: [75]
                  script: |
                    echo x >> \(counter)
                    [ "$(wc -l < \(counter))" -ge 3 ] || exit 75
                    echo "attempt=$WINDFLOW_ATTEMPT key=$WINDFLOW_IDEMPOTENCY_KEY"
            """)
        #expect(execution.status == .succeeded)
        let attempts = runs.filter { $0.nodeKey == "flaky" }
        #expect(attempts.map(\.attempt) == [1, 2, 3])
        #expect(attempts.map(\.status) == [.failed, .failed, .succeeded])
        #expect(attempts.last?.output?["stdout"] == .string("attempt=3 key=\(execution.id):flaky\n"))
    }

    @Test func nodeTypesWithoutExecutorsAreRefusedBeforeTheRun() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let workflow = try WorkflowCodec.load("""
            name: http
            nodes:
              - {id: start, type: trigger.manual}
              - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: shop}}
            """).workflow
        // An engine built without the deployment actions (a driver not configured, say).
        var executors = ExecutorRegistry()
        executors.register("integration.script", ScriptExecutor())
        let engine = WorkflowEngine(runner: ExecutionRunner(store: box.store, executors: executors))
        await #expect(throws: EngineError.self) { try await engine.enqueue(workflow) }
        do { _ = try await engine.enqueue(workflow) } catch {
            #expect("\(error)".contains("cannot run yet: windflow.deploy_stack"))
        }
        #expect(try box.store.executions().isEmpty)
    }

    @Test func loopsRunScriptsPerItem() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: loop
            nodes:
              - {id: start, type: trigger.manual}
              - {id: each, type: logic.loop, configuration: {items: "{{ trigger.services }}", mode: parallel, max_parallel: 2}}
              - {id: restart, type: integration.script, configuration: {script: "echo restarted {{ item }} {{ index }}"}}
              - {id: summary, type: integration.script, configuration: {script: "echo {{ each.count }} {{ each.results[1].restart.stdout | trim }}"}}
            edges:
              - {source: start, target: each}
              - {source: each, target: restart, branch: loop}
              - {source: restart, target: each}
              - {source: each, target: summary, branch: done}
            """, input: ["services": ["web", "api", "worker"]])
        #expect(execution.status == .succeeded)
        #expect(runs.last("each[2]/restart")?.output?["stdout"] == "restarted worker 2\n")
        #expect(runs.last("summary")?.output?["stdout"] == "3 restarted api 1\n")
        #expect(runs.last("each")?.status == .succeeded)
    }

    @Test func secretsAreRedactedFromWhatIsStored() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine(secrets: ["API_TOKEN": "s3cr3t-value-42"])
        let (execution, runs) = try await box.run("""
            name: secret
            nodes:
              - {id: start, type: trigger.manual}
              - {id: leak, type: integration.script, configuration: {env: {TOKEN: "{{ secrets.API_TOKEN }}"}, script: "echo token is $TOKEN; exit 3"}}
            """, engine: engine)
        #expect(execution.status == .failed)
        let stored = try box.store.events(of: execution.id).joined() + runs.map { "\($0.input?.jsonText ?? "") \($0.output?.jsonText ?? "") \($0.errorMessage ?? "")" }.joined()
        #expect(!stored.contains("s3cr3t-value-42"))
        #expect(stored.contains("token is [secret]"))
    }
}

@Suite(.serialized)
struct EngineFlowTests {
    @Test func aSwitchFollowsTheMatchingCase() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let yaml = """
            name: route
            nodes:
              - {id: start, type: trigger.manual}
              - id: route
                type: logic.switch
                configuration:
                  value: "{{ trigger.env }}"
                  cases: [{name: prod, equals: production}, {name: big, condition: "trigger.size > 10"}]
              - {id: p, type: integration.script, configuration: {script: "echo prod"}}
              - {id: b, type: integration.script, configuration: {script: "echo big"}}
              - {id: other, type: integration.script, configuration: {script: "echo other"}}
            edges:
              - {source: start, target: route}
              - {source: route, target: p, branch: prod}
              - {source: route, target: b, branch: big}
              - {source: route, target: other, branch: default}
            """
        for (input, expected) in [(["env": "production", "size": 1] as JSONValue, "p"), (["env": "staging", "size": 20], "b"),
                                  (["env": "dev", "size": 1], "other")] {
            let (execution, runs) = try await box.run(yaml, input: input)
            #expect(execution.status == .succeeded)
            #expect(runs.filter { $0.status == .succeeded }.map(\.nodeKey) == ["route", expected])
        }
    }

    @Test func aMergeWaitsForEveryBranchThatRuns() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: fan in
            nodes:
              - {id: start, type: trigger.manual}
              - {id: a, type: integration.script, configuration: {script: "sleep 0.2; echo a=1 >> $WINDFLOW_OUTPUT"}}
              - {id: b, type: integration.script, configuration: {script: "echo b=2 >> $WINDFLOW_OUTPUT"}}
              - {id: join, type: logic.merge, configuration: {mode: append}}
              - {id: sum, type: integration.script, configuration: {script: "echo {{ join.inputs.a.a + join.inputs.b.b }} {{ join.items | length }}"}}
            edges:
              - {source: start, target: a}
              - {source: start, target: b}
              - {source: a, target: join}
              - {source: b, target: join}
              - {source: join, target: sum}
            """)
        #expect(execution.status == .succeeded)
        #expect(runs.last("sum")?.output?["stdout"] == "3 2\n")
        // Appended as the branches finished (b first, unless a loaded machine starts b late): both are there.
        let items = runs.last("join")?.output?["items"]?.arrayValue ?? []
        #expect(items.count == 2 && items.contains { $0["b"] == 2 } && items.contains { $0["a"] == 1 })
    }

    @Test func aFailedRunStartsItsErrorWorkflowWithTheFailure() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine()
        let handler = try WorkflowCodec.load("""
            name: alert on failure
            nodes:
              - {id: failed, type: trigger.event, configuration: {event: execution.failed}}
              - {id: tell, type: integration.script, configuration: {script: "echo {{ trigger.workflow }} failed at {{ trigger.failed_node }}: {{ trigger.error }}"}}
            """).workflow
        try box.store.saveWorkflow(handler, now: 0)
        let (execution, _) = try await box.run("""
            name: nightly
            settings: {error_workflow: alert on failure}
            nodes:
              - {id: start, type: trigger.manual}
              - {id: backup, type: integration.script, configuration: {script: "echo disk full >&2; exit 1"}}
            """, engine: engine)
        #expect(execution.status == .failed)
        let alert = try #require(try box.store.executions(workflow: "alert on failure").first)
        #expect(alert.status == .succeeded)
        #expect(alert.triggerType == "trigger.event")
        #expect(try box.store.nodeRuns(of: alert.id).last("tell")?.output?["stdout"]
                == "nightly failed at backup: the script exited with status 1: disk full\n")
    }

    /// An error workflow that also listens for `execution.failed` (it is active) runs once per failure, not twice.
    @Test func anActiveErrorWorkflowListeningForFailuresRunsOncePerFailure() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine()
        let handler = try box.store.saveWorkflow(try WorkflowCodec.load("""
            name: pager
            nodes:
              - {id: failed, type: trigger.event, configuration: {event: execution.failed}}
              - {id: page, type: logic.stop, configuration: {message: "{{ trigger.execution_id }}"}}
            """).workflow, now: 0)
        _ = try box.store.setActive(handler.id, true, now: 0)
        let (execution, _) = try await box.run("""
            name: nightly
            settings: {error_workflow: pager}
            nodes:
              - {id: start, type: trigger.manual}
              - {id: backup, type: integration.script, configuration: {script: "exit 1"}}
            """, engine: engine)
        #expect(execution.status == .failed)
        let dispatcher = EventDispatcher(engine: engine)
        await dispatcher.executionEnded(execution.id)
        await dispatcher.executionEnded(execution.id)
        let pages = try box.store.executions(workflow: "pager")
        #expect(pages.count == 1, "queued with the failure; the event starts no second one")
        #expect(pages.first?.idempotencyKey == "windflow:execution.failed:\(execution.id):failed")
    }

    /// Each listening trigger starts once per execution end: two triggers of one workflow, two runs; a second
    /// publication of the same end, none.
    @Test func everyListeningTriggerStartsOncePerExecutionEnd() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine()
        let audit = try box.store.saveWorkflow(try WorkflowCodec.load("""
            name: audit
            nodes:
              - {id: to_log, type: trigger.event, configuration: {event: execution.failed}}
              - {id: to_ticket, type: trigger.event, configuration: {event: execution.failed}}
              - {id: note, type: logic.stop}
            edges: [{source: to_log, target: note}, {source: to_ticket, target: note}]
            """).workflow, now: 0)
        _ = try box.store.setActive(audit.id, true, now: 0)
        let (execution, _) = try await box.run("name: flaky\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: integration.script, configuration: {script: \"exit 3\"}}\n",
                                               engine: engine)
        let dispatcher = EventDispatcher(engine: engine)
        await dispatcher.executionEnded(execution.id)
        await dispatcher.executionEnded(execution.id)
        #expect(try box.store.executions(workflow: "audit").map(\.triggerNode).sorted() == ["to_log", "to_ticket"])
    }

    /// An error workflow goes through the checks of any start: one whose triggers are all disabled, or that cannot
    /// run, is not queued, and the failed run's log says why.
    @Test func anErrorWorkflowThatCannotStartIsNotQueued() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine()
        try box.store.saveWorkflow(try WorkflowCodec.load("""
            name: switched off
            nodes:
              - {id: failed, type: trigger.event, disabled: true, configuration: {event: execution.failed}}
              - {id: page, type: logic.stop}
            """).workflow, now: 0)
        let (execution, _) = try await box.run("""
            name: nightly
            settings: {error_workflow: switched off}
            nodes:
              - {id: start, type: trigger.manual}
              - {id: backup, type: integration.script, configuration: {script: "exit 1"}}
            """, engine: engine)
        #expect(execution.status == .failed)
        #expect(try box.store.executions(workflow: "switched off").isEmpty)
        #expect(try box.store.logs(of: execution.id).contains { $0.message.contains("'switched off' has no enabled trigger") })
    }
}

@Suite(.serialized)
struct OutputLimitTests {
    @Test func oversizedOutputsAreReplacedByAPreviewEverywhere() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = WorkflowEngine(runner: ExecutionRunner(store: box.store, configuration: EngineConfiguration(maxOutputBytes: 10_000)))
        let (execution, runs) = try await box.run("""
            name: growing merges
            nodes:
              - {id: start, type: trigger.manual}
              - {id: big, type: integration.script, configuration: {script: "head -c 50000 /dev/zero | tr '\\\\0' y"}}
              - {id: size, type: integration.script, configuration: {script: "echo {{ big.original_bytes }} {{ big.truncated }}"}}
            """, engine: engine)
        #expect(execution.status == .succeeded)
        #expect(runs.last("size")?.output?["stdout"]?.stringValue?.hasSuffix(" true\n") == true)
        #expect(try box.store.events(of: execution.id).allSatisfy { $0.utf8.count < 20_000 })
    }
}
