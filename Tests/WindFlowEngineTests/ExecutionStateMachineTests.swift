import Testing
@testable import WindFlowCore
@testable import WindFlowEngine

struct ExecutionStateMachineTests {
    static let chain = """
        name: chain
        nodes:
          - {id: start, type: trigger.manual}
          - {id: a, type: integration.script, configuration: {script: a}}
          - {id: b, type: integration.script, configuration: {script: b}}
          - {id: c, type: integration.script, configuration: {script: c}}
        """

    @Test func aChainRunsInOrderAndSucceeds() throws {
        var harness = try StateMachineHarness(Self.chain)
        harness.run()
        #expect(harness.ran == ["a", "b", "c"])
        #expect(harness.finish?.0 == .succeeded)
        #expect(harness.machine.status == .succeeded)
    }

    @Test func theBranchNotTakenIsSkippedAndSkipsPropagate() throws {
        var harness = try StateMachineHarness("""
            name: branches
            nodes:
              - {id: start, type: trigger.manual}
              - {id: check, type: logic.condition, configuration: {condition: "{{ trigger.go }}"}}
              - {id: yes, type: integration.script, configuration: {script: y}}
              - {id: no, type: integration.script, configuration: {script: n}}
              - {id: after_no, type: integration.script, configuration: {script: n2}}
              - {id: join, type: logic.merge}
            edges:
              - {source: start, target: check}
              - {source: check, target: yes, branch: "true"}
              - {source: check, target: no, branch: "false"}
              - {source: no, target: after_no}
              - {source: yes, target: join}
              - {source: after_no, target: join}
            """)
        harness.run { key, _, _ in
            key.node == "check" ? .succeeded(["result": true], branch: "true") : .succeeded([:], branch: nil)
        }
        #expect(harness.ran == ["check", "yes", "join"])
        #expect(harness.skipped == ["no", "after_no"])
        #expect(harness.finish?.0 == .succeeded)
    }

    @Test func independentBranchesRunInParallelUpToMaxParallel() throws {
        var nodes = "  - {id: start, type: trigger.manual}\n"
        var edges = ""
        for index in 0..<10 {
            nodes += "  - {id: p\(index), type: integration.script, configuration: {script: x}}\n"
            edges += "  - {source: start, target: p\(index)}\n"
        }
        var harness = try StateMachineHarness("name: fan\nsettings: {max_parallel: 3}\nnodes:\n\(nodes)edges:\n\(edges)")
        harness.feed(.started(trigger: "start", input: [:], at: 0))
        #expect(harness.runs.count == 3)
        harness.run()
        #expect(harness.runs.count == 10)
        #expect(harness.maxInFlight == 3)
        #expect(harness.finish?.0 == .succeeded)
    }

    @Test func retryableFailuresAreRetriedWithExponentialBackoff() throws {
        var harness = try StateMachineHarness("""
            name: retry
            nodes:
              - {id: start, type: trigger.manual}
              - id: flaky
                type: integration.http
                configuration: {url: "http://127.0.0.1:9"}
                retry_count: 3
                retry: {initial_delay: 2, factor: 3, max_delay: 10, jitter: 0}
            """)
        harness.run { _, attempt, _ in
            attempt < 4 ? .failed(NodeFailure(.connection, "refused")) : .succeeded(["status": 200], branch: nil)
        }
        #expect(harness.runs.map(\.attempt) == [1, 2, 3, 4])
        // Attempts end at 1001, then delays of 2, 6, 10 (capped) after each failure, each attempt taking 1 s.
        #expect(harness.timerLog.map(\.at) == [1003, 1010, 1021])
        #expect(harness.finish?.0 == .succeeded)
    }

    @Test func nonRetryableFailuresAreNotRetried() throws {
        var harness = try StateMachineHarness("""
            name: fail
            nodes:
              - {id: start, type: trigger.manual}
              - {id: bad, type: integration.http, configuration: {url: "x"}, retry_count: 5}
              - {id: never, type: integration.script, configuration: {script: x}}
            """)
        harness.run { _, _, _ in .failed(NodeFailure(.validation, "url is not a URL")) }
        #expect(harness.runs.count == 1)
        #expect(harness.finish?.0 == .failed)
        #expect(harness.finish?.1?.kind == .validation)
        #expect(harness.finish?.1?.node == NodeKey("bad"))
        #expect(!harness.ran.contains("never"))
    }

    @Test func retriesStopAfterRetryCount() throws {
        var harness = try StateMachineHarness("""
            name: fail
            nodes:
              - {id: start, type: trigger.manual}
              - {id: down, type: integration.http, configuration: {url: "x"}, retry_count: 2}
            """)
        harness.run { _, _, _ in .failed(NodeFailure(.timeout, "timed out after 30 s")) }
        #expect(harness.runs.map(\.attempt) == [1, 2, 3])
        #expect(harness.finish?.1?.kind == .timeout)
    }

    @Test func retryJitterIsDeterministicPerExecution() throws {
        let yaml = """
            name: jitter
            nodes:
              - {id: start, type: trigger.manual}
              - {id: flaky, type: integration.http, configuration: {url: "x"}, retry_count: 1, retry: {initial_delay: 10, jitter: 0.5}}
            """
        var first = try StateMachineHarness(yaml, id: "e1")
        var again = try StateMachineHarness(yaml, id: "e1")
        var other = try StateMachineHarness(yaml, id: "e2")
        first.run { _, _, _ in .failed(NodeFailure(.connection, "x")) }
        again.run { _, _, _ in .failed(NodeFailure(.connection, "x")) }
        other.run { _, _, _ in .failed(NodeFailure(.connection, "x")) }
        #expect(first.timerLog.map(\.at) == again.timerLog.map(\.at))
        #expect(first.timerLog.map(\.at) != other.timerLog.map(\.at))
        #expect((1006...1016).contains(first.timerLog[0].at))
    }

    @Test func continueRecordsTheErrorAndGoesOn() throws {
        var harness = try StateMachineHarness("""
            name: continue
            nodes:
              - {id: start, type: trigger.manual}
              - {id: optional, type: integration.script, configuration: {script: x}, error_handling: continue}
              - {id: next, type: integration.script, configuration: {script: y}}
            """)
        harness.run { key, _, _ in key.node == "optional" ? .failed(NodeFailure(.exit, "exit 3")) : .succeeded([:], branch: nil) }
        #expect(harness.ran == ["optional", "next"])
        #expect(harness.machine.output(of: "optional")?["error"]?["message"] == "exit 3")
        #expect(harness.finish?.0 == .succeeded)
    }

    @Test func branchFollowsErrorEdgesWithTheErrorAsOutput() throws {
        var harness = try StateMachineHarness("""
            name: branch
            nodes:
              - {id: start, type: trigger.manual}
              - {id: deploy, type: integration.script, configuration: {script: x}, error_handling: branch}
              - {id: smoke, type: integration.script, configuration: {script: y}}
              - {id: rollback, type: integration.script, configuration: {script: "echo {{ deploy.error.message }}"}}
            edges:
              - {source: start, target: deploy}
              - {source: deploy, target: smoke}
              - {source: deploy, target: rollback, branch: error}
            """)
        harness.run { key, _, machine in
            if key.node == "deploy" { return .failed(NodeFailure(.exit, "health check failed")) }
            if key.node == "rollback" { #expect(machine.scopeRoots(for: key)["deploy"]?["error"]?["kind"] == "exit") }
            return .succeeded([:], branch: nil)
        }
        #expect(harness.ran == ["deploy", "rollback"])
        #expect(harness.skipped == ["smoke"])
        #expect(harness.finish?.0 == .succeeded)
    }

    static let loop = """
        name: loop
        nodes:
          - {id: start, type: trigger.manual}
          - {id: each, type: logic.loop, configuration: {items: "{{ trigger.services }}", mode: parallel, max_parallel: 2}}
          - {id: restart, type: integration.script, configuration: {script: "echo {{ item }}"}}
          - {id: check, type: integration.http, configuration: {url: "http://x/{{ item }}"}}
          - {id: report, type: integration.script, configuration: {script: "echo {{ each.count }}"}}
        edges:
          - {source: start, target: each}
          - {source: each, target: restart, branch: loop}
          - {source: restart, target: check}
          - {source: check, target: each}
          - {source: each, target: report, branch: done}
        """

    @Test func aLoopRunsItsBodyPerItemAndCollectsResults() throws {
        var harness = try StateMachineHarness(Self.loop)
        harness.run(input: ["services": ["web", "api", "db"]]) { key, _, machine in
            let roots = machine.scopeRoots(for: key)
            switch key.node {
            case "each": return .iterate(roots["trigger"]!["services"]!.arrayValue!, parallel: 2)
            case "restart": return .succeeded(["service": roots["item"]!, "position": roots["index"]!], branch: nil)
            default: return .succeeded([:], branch: nil)
            }
        }
        #expect(harness.ran == ["each", "each[0]/restart", "each[1]/restart", "each[0]/check", "each[1]/check",
                                "each[2]/restart", "each[2]/check", "report"])
        #expect(harness.maxInFlight == 2)
        let results = harness.machine.output(of: "each")?["results"]?.arrayValue
        #expect(results?.map { $0["restart"]?["service"] } == ["web", "api", "db"])
        #expect(results?[2]["restart"]?["position"] == 2)
        #expect(harness.machine.output(of: "each")?["count"] == 3)
        #expect(harness.finish?.0 == .succeeded)
    }

    @Test func aFailedIterationFailsTheLoop() throws {
        var harness = try StateMachineHarness(Self.loop)
        harness.run(input: ["services": ["web", "api"]]) { key, _, machine in
            switch key.node {
            case "each": return .iterate(["web", "api"], parallel: 1)
            case "check" where machine.scopeRoots(for: key)["item"] == "api": return .failed(NodeFailure(.http, "503"))
            default: return .succeeded([:], branch: nil)
            }
        }
        #expect(harness.finish?.0 == .failed)
        #expect(harness.finish?.1?.kind == .loopIteration)
        #expect(harness.finish?.1?.message == "item 1: node 'check' failed: 503")
        #expect(!harness.ran.contains("report"))
    }

    @Test func anEmptyLoopGoesStraightToDone() throws {
        var harness = try StateMachineHarness(Self.loop)
        harness.run { key, _, _ in key.node == "each" ? .iterate([], parallel: 1) : .succeeded([:], branch: nil) }
        #expect(harness.ran == ["each", "report"])
        #expect(harness.machine.output(of: "each")?["count"] == 0)
    }

    @Test func aWaitParksAndWakesAtItsTime() throws {
        var harness = try StateMachineHarness("""
            name: wait
            nodes:
              - {id: start, type: trigger.manual}
              - {id: pause, type: logic.wait, configuration: {duration: 300}}
              - {id: after, type: integration.script, configuration: {script: x}}
            """)
        harness.feed(.started(trigger: "start", input: [:], at: 1000))
        harness.feed(.nodeFinished(NodeKey("pause"), attempt: 1, outcome: .wait(until: 1301), at: 1001))
        harness.inFlight.removeAll()
        #expect(harness.machine.status == .waiting)
        #expect(harness.machine.pendingTimers.map(\.at) == [1301])
        harness.feed(.timerFired(NodeKey("pause"), at: 1301))
        #expect(harness.ran.last == "after")
        #expect(harness.machine.output(of: "pause")?["waited_seconds"] == 300.0)
    }

    @Test func stopEndsTheRunWithItsStatusAndMessage() throws {
        var harness = try StateMachineHarness("""
            name: stop
            nodes:
              - {id: start, type: trigger.manual}
              - {id: guard_, type: logic.stop, configuration: {status: failed, message: "nothing to deploy"}}
              - {id: never, type: integration.script, configuration: {script: x}}
            """)
        harness.run { key, _, _ in key.node == "guard_" ? .stop(succeeded: false, message: "nothing to deploy") : .succeeded([:], branch: nil) }
        #expect(harness.finish?.0 == .failed)
        #expect(harness.finish?.1?.kind == .stopped)
        #expect(harness.ran == ["guard_"])
    }

    @Test func cancellingStopsRunningNodesAndIsNotAFailure() throws {
        var harness = try StateMachineHarness(Self.chain)
        harness.feed(.started(trigger: "start", input: [:], at: 0))
        harness.feed(.cancelled(at: 1))
        #expect(harness.actions.contains(.cancel([NodeKey("a")])))
        #expect(harness.finish?.0 == .cancelled)
        #expect(harness.finish?.1 == nil)
        // A late result changes nothing.
        harness.feed(.nodeFinished(NodeKey("a"), attempt: 1, outcome: .succeeded([:], branch: nil), at: 2))
        #expect(harness.machine.status == .cancelled)
    }

    @Test func replayingTheEventsRebuildsTheSameState() throws {
        var harness = try StateMachineHarness(Self.loop)
        harness.durations = ["check": 3]
        harness.run(input: ["services": ["a", "b", "c"]], steps: 5) { key, _, _ in
            key.node == "each" ? .iterate(["a", "b", "c"], parallel: 2) : .succeeded(["ok": true], branch: nil)
        }
        #expect(!harness.machine.status.isTerminal)
        var replayed = ExecutionStateMachine(workflow: harness.machine.workflow, executionID: "exec-1")
        for event in harness.events { _ = replayed.handle(event) }
        #expect(replayed.runningAttempts == harness.machine.runningAttempts)
        #expect(replayed.outputs == harness.machine.outputs)
        #expect(replayed.status == harness.machine.status)
        // Resuming re-runs what was in flight with the next attempt number.
        let interrupted = Array(replayed.runningAttempts.keys)
        let actions = replayed.handle(.resumed(interrupted: interrupted, at: 2000))
        let reruns = actions.compactMap { if case .run(let key, let attempt) = $0 { return "\(key)#\(attempt)" } else { return nil } }
        #expect(reruns == harness.machine.runningAttempts.sorted { $0.key < $1.key }.map { "\($0.key)#\($0.value + 1)" })
    }

    @Test func aDisabledNodeIsSkippedButTheFlowGoesThrough() throws {
        var harness = try StateMachineHarness("""
            name: disabled
            nodes:
              - {id: start, type: trigger.manual}
              - {id: a, type: integration.script, configuration: {script: a}, disabled: true}
              - {id: b, type: integration.script, configuration: {script: b}}
            """)
        harness.run()
        #expect(harness.ran == ["b"])
        #expect(harness.skipped == ["a"])
    }

    @Test func otherTriggersAndWhatOnlyTheyLeadToAreSkipped() throws {
        var harness = try StateMachineHarness("""
            name: two triggers
            nodes:
              - {id: nightly, type: trigger.schedule, configuration: {schedule: "0 2 * * *"}}
              - {id: start, type: trigger.manual}
              - {id: only_nightly, type: integration.script, configuration: {script: n}}
              - {id: both, type: integration.script, configuration: {script: b}}
            edges:
              - {source: nightly, target: only_nightly}
              - {source: only_nightly, target: both}
              - {source: start, target: both}
            """)
        harness.run()
        #expect(harness.ran == ["both"])
        #expect(harness.skipped == ["nightly", "only_nightly"])
    }

    @Test func mergeFirstRunsOnTheFirstArrival() throws {
        var harness = try StateMachineHarness("""
            name: race
            nodes:
              - {id: start, type: trigger.manual}
              - {id: fast, type: integration.script, configuration: {script: f}}
              - {id: slow, type: integration.script, configuration: {script: s}}
              - {id: join, type: logic.merge, configuration: {mode: first}}
            edges:
              - {source: start, target: fast}
              - {source: start, target: slow}
              - {source: fast, target: join}
              - {source: slow, target: join}
            """)
        harness.feed(.started(trigger: "start", input: [:], at: 0))
        harness.feed(.nodeFinished(NodeKey("fast"), attempt: 1, outcome: .succeeded(["v": 1], branch: nil), at: 1))
        #expect(harness.ran.last == "join")
        #expect(harness.machine.incomingOutputs(for: NodeKey("join")).map(\.source) == ["fast"])
    }
}
