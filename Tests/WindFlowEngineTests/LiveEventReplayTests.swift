import Testing
@testable import WindFlowCore
@testable import WindFlowEngine

/// What a live view is told, replayed from the events a run stored: no SQLite, no processes.
struct LiveEventReplayTests {
    /// The run's stored events replayed from scratch, as `name node detail` lines.
    static func replayed(_ harness: StateMachineHarness) -> [String] {
        var replay = LiveEventReplay(workflow: harness.machine.workflow, executionID: "exec-1")
        return harness.events.flatMap { replay.handle($0) }.map { event in
            let data = event.jsonValue
            let parts = [event.name, data["node"]?.stringValue, data["status"]?.stringValue, data["branch"]?.stringValue,
                         data["attempt"]?.intValue.map { "#\($0)" }, data["items"]?.intValue.map { "items=\($0)" }]
            return parts.compactMap { $0 }.joined(separator: " ")
        }
    }

    @Test func aLoopSaysItsItemsEachIterationsNodesAndItsDoneBranch() throws {
        var harness = try StateMachineHarness(ExecutionStateMachineTests.loop)
        harness.run(input: ["services": ["web", "api"]]) { key, _, _ in
            key.node == "each" ? .iterate(["web", "api"], parallel: 1) : .succeeded([:], branch: nil)
        }
        #expect(Self.replayed(harness) == [
            "execution_started", "node_finished start succeeded", "node_started each #1",
            "node_iterating each items=2", "node_started each[0]/restart #1",
            "node_finished each[0]/restart succeeded #1", "node_started each[0]/check #1",
            "node_finished each[0]/check succeeded #1", "node_started each[1]/restart #1",
            "node_finished each[1]/restart succeeded #1", "node_started each[1]/check #1",
            "node_finished each[1]/check succeeded #1", "node_finished each succeeded done #1", "node_started report #1",
            "node_finished report succeeded #1", "execution_finished succeeded",
        ])
    }

    @Test func aFailureFollowedByItsErrorBranchSaysTheBranchAndWhy() throws {
        var harness = try StateMachineHarness("""
            name: branch
            nodes:
              - {id: start, type: trigger.manual}
              - {id: deploy, type: integration.script, configuration: {script: x}, error_handling: branch}
              - {id: smoke, type: integration.script, configuration: {script: y}}
              - {id: rollback, type: integration.script, configuration: {script: z}}
            edges:
              - {source: start, target: deploy}
              - {source: deploy, target: smoke}
              - {source: deploy, target: rollback, branch: error}
            """)
        harness.run { key, _, _ in key.node == "deploy" ? .failed(NodeFailure(.exit, "health check failed", retryable: false)) : .succeeded([:], branch: nil) }
        var replay = LiveEventReplay(workflow: harness.machine.workflow, executionID: "exec-1")
        let events = harness.events.flatMap { replay.handle($0) }
        #expect(events.map(\.name) == ["execution_started", "node_finished", "node_started", "node_finished", "node_skipped", "node_started",
                                       "node_finished", "execution_finished"])
        #expect(events[3].jsonValue["branch"] == "error" && events[3].jsonValue["status"] == "failed")
        #expect(events[3].jsonValue["error"] == ["kind": "exit", "message": "health check failed"])
        #expect(events[4].jsonValue["node"] == "smoke")
    }

    @Test func aWaitSaysUntilWhenAndFinishesWhenItsTimeComes() throws {
        var harness = try StateMachineHarness("""
            name: wait
            nodes:
              - {id: start, type: trigger.manual}
              - {id: pause, type: logic.wait, configuration: {duration: 300}}
            """)
        harness.feed(.started(trigger: "start", input: [:], at: 1000))
        harness.feed(.nodeFinished(NodeKey("pause"), attempt: 1, outcome: .wait(until: 1300), at: 1000))
        harness.feed(.timerFired(NodeKey("pause"), at: 1300))
        var replay = LiveEventReplay(workflow: harness.machine.workflow, executionID: "exec-1")
        let events = harness.events.flatMap { replay.handle($0) }
        #expect(events.map(\.name) == ["execution_started", "node_finished", "node_started", "node_waiting", "node_finished", "execution_finished"])
        #expect(events[3] == .nodeWaiting(NodeKey("pause"), until: 1300, at: 1000))
        #expect(events[4] == .nodeFinished(NodeKey("pause"), attempt: 1, status: .succeeded, branch: nil, error: nil, at: 1300))
        #expect(events[3].jsonValue["until"] == "1970-01-01T00:21:40.000Z")
    }

    @Test func cancellingSaysWhichAttemptsWereStopped() throws {
        var harness = try StateMachineHarness(ExecutionStateMachineTests.chain)
        harness.feed(.started(trigger: "start", input: [:], at: 0))
        harness.feed(.cancelled(at: 1))
        harness.feed(.nodeFinished(NodeKey("a"), attempt: 1, outcome: .succeeded([:], branch: nil), at: 2))
        #expect(Self.replayed(harness) == ["execution_started", "node_finished start succeeded", "node_started a #1",
                                           "node_finished a cancelled #1", "execution_finished cancelled"])
    }
}
