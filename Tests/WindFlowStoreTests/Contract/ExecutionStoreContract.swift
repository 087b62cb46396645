import Foundation
import Testing
import WindFlowCore
import WindFlowStore

/// What the engine, the runtime and the service rely on from ``ExecutionStore``, for every store implementation.
@Suite struct ExecutionStoreContract {
    @Test(arguments: StoreFactory.all) func aQueuedExecutionIsStoredWithWhatItWasStartedWith(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("greet"), now: 1)
        let queued = try await store.enqueueExecution(workflow: workflow, triggerNode: "start", input: ["who": "Ada", "n": [1, 2]], now: 5,
                                                      restartedFrom: nil, restartNode: nil, id: "ex_chosen", seed: [], idempotencyKey: nil)
        #expect(queued.id == "ex_chosen", "the caller's id is kept")
        let stored = try #require(try await store.execution("ex_chosen"))
        #expect(stored == queued)
        #expect(stored.status == .queued && stored.createdAt == 5 && stored.startedAt == nil)
        #expect(stored.workflowID == workflow.id && stored.workflowVersion == 1 && stored.workflowName == "greet")
        #expect(stored.triggerNode == "start" && stored.triggerType == "trigger.manual")
        #expect(stored.input == ["who": "Ada", "n": [1, 2]])
        #expect(try await store.execution("ex_other") == nil)
        let made = try await ContractFixtures.queued(store, workflow, now: 6)
        #expect(made.id.hasPrefix("ex_") && made.id != queued.id, "the store makes ids")
        #expect(try await store.unfinishedExecutions().map(\.id).sorted() == [queued.id, made.id].sorted())
        #expect(try await store.hasUnfinishedExecution(workflow: workflow.id))
    }

    @Test(arguments: StoreFactory.all) func transitionsCommitEventsNodeRunsLogsAndTheEnd(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("steps"), now: 1)
        let execution = try await ContractFixtures.queued(store, workflow)
        var started = Transition(event: ContractFixtures.event("execution_started"))
        started.status = .running
        started.startedAt = 10
        started.dequeue = true
        var nodeStarted = Transition(event: ContractFixtures.event("node_started", ["node": "note"]))
        nodeStarted.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .running,
                                              input: ["message": "done"], startedAt: 11)]
        try await store.commit([started, nodeStarted], execution: execution.id, workflowID: workflow.id)
        #expect(try await store.execution(execution.id)?.status == .running)
        #expect(try await store.execution(execution.id)?.startedAt == 10)
        #expect(try await store.runningAttempts(of: execution.id) == ["note": 1])
        #expect(try await store.eventCount(of: execution.id) == 2)

        var nodeFailed = Transition(event: ContractFixtures.event("node_finished", ["node": "note"]))
        nodeFailed.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .failed,
                                             errorKind: .http, errorMessage: "503 from the API",
                                             errorDetails: FailureDetails(httpStatus: 503), finishedAt: 12, durationMS: 1000)]
        nodeFailed.logs = [LogRecord(nodeKey: "note", at: 12, level: "error", message: "first line"),
                           LogRecord(nodeKey: "note", at: 12, level: "info", message: "second line")]
        var ended = Transition(event: ContractFixtures.event("execution_finished"))
        ended.status = .failed
        ended.finishedAt = 13
        ended.error = (kind: .http, message: "note failed", node: "note")
        try await store.commit([nodeFailed, ended], execution: execution.id, workflowID: workflow.id)

        let record = try #require(try await store.execution(execution.id))
        #expect(record.status == .failed && record.finishedAt == 13)
        #expect(record.errorKind == .http && record.errorMessage == "note failed" && record.errorNode == "note")
        let runs = try await store.nodeRuns(of: execution.id)
        #expect(runs.count == 1, "a node run is updated in place by its key and attempt")
        #expect(runs.first?.status == .failed)
        #expect(runs.first?.input == ["message": "done"], "what a later transition leaves out is kept")
        #expect(runs.first?.errorDetails?.httpStatus == 503)
        #expect(runs.first?.startedAt == 11 && runs.first?.finishedAt == 12 && runs.first?.durationMS == 1000)
        #expect(try await store.runningAttempts(of: execution.id).isEmpty)
        #expect(try await store.events(of: execution.id).compactMap { (try? JSONValue.parse($0))?["type"]?.stringValue }
                == ["execution_started", "node_started", "node_finished", "execution_finished"], "in commit order")
        #expect(try await store.events(of: execution.id, after: 2).map(\.sequence) == [3, 4])
        #expect(try await store.logs(of: execution.id, after: 0).map(\.message) == ["first line", "second line"])
        #expect(try await store.logs(of: execution.id, node: "note", at: 12).map(\.level) == ["error", "info"])
        #expect(try await store.unfinishedExecutions().isEmpty)
        #expect(try await store.hasUnfinishedExecution(workflow: workflow.id) == false)
        #expect(try await store.queueDepth() == 0, "a finished execution leaves the queue")
        let snapshot = try #require(try await store.runSnapshot(execution.id))
        #expect(snapshot.execution == record && snapshot.events.count == 4 && snapshot.workflow?.version == 1 && !snapshot.cancelRequested)
    }

    /// One flush as the engine writes it: events with their places, an attempt started and finished in the same
    /// flush, a retry, log lines of both, a timer set and cleared; stored exactly, times to the microsecond.
    @Test(arguments: StoreFactory.all) func aFlushThatChangesOneAttemptTwiceIsStoredAsTheLastChangeOverTheFirst(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("flush"), now: 1)
        let execution = try await ContractFixtures.queued(store, workflow)
        let at = 1_765_142_400.123456
        func transition(_ type: String, _ sequence: Int) -> Transition {
            var transition = Transition(event: ContractFixtures.event(type, ["node": "note"]))
            transition.sequence = sequence
            return transition
        }
        var started = transition("execution_started", 1)
        started.status = .running
        started.startedAt = at
        started.dequeue = true
        var first = transition("node_started", 2)
        first.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .running,
                                        input: ["message": "say \"hi\" \\ ✓"], startedAt: at + 0.000001)]
        first.setTimers = [(nodeKey: "note", at: at + 30)]
        var failed = transition("node_finished", 3)
        failed.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .failed,
                                         errorKind: .exit, errorMessage: "exit 3", startedAt: at + 5, finishedAt: at + 0.5, durationMS: 499.999)]
        failed.clearTimers = ["note"]
        failed.logs = [LogRecord(nodeKey: "note", at: at + 0.4, level: "error", message: "line \"one\"\ttab")]
        var retried = transition("node_finished", 4)
        retried.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 2, status: .running, startedAt: at + 1),
                            NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 2, status: .succeeded,
                                          output: ["ok": true], finishedAt: at + 2, durationMS: 1000)]
        retried.logs = [LogRecord(nodeKey: nil, at: at + 2, level: "info", message: "second")]
        var ended = transition("execution_finished", 5)
        ended.status = .succeeded
        ended.finishedAt = at + 3
        try await store.commit([started, first, failed, retried, ended], execution: execution.id, workflowID: workflow.id)

        let record = try #require(try await store.execution(execution.id))
        #expect(record.status == .succeeded && record.startedAt == at && record.finishedAt == at + 3 && record.errorKind == nil)
        let runs = try await store.nodeRuns(of: execution.id).sorted { $0.attempt < $1.attempt }
        #expect(runs.map(\.attempt) == [1, 2] && runs.map(\.status) == [.failed, .succeeded], "\(runs)")
        #expect(runs.first?.input == ["message": "say \"hi\" \\ ✓"] && runs.first?.errorMessage == "exit 3", "kept from the first change")
        #expect(runs.first?.startedAt == at + 0.000001, "the first start stays")
        #expect(runs.first?.finishedAt == at + 0.5 && runs.first?.durationMS == 499.999)
        #expect(runs.last?.startedAt == at + 1 && runs.last?.output == ["ok": true] && runs.last?.finishedAt == at + 2)
        #expect(try await store.events(of: execution.id).count == 5)
        #expect(try await store.events(of: execution.id, after: 3).map(\.sequence) == [4, 5])
        let logs = try await store.logs(of: execution.id, after: 0)
        #expect(logs.map(\.message) == ["line \"one\"\ttab", "second"] && logs.map(\.nodeKey) == ["note", nil] && logs.first?.at == at + 0.4)
        #expect(try await store.dueTimers(now: at + 60, limit: 10).isEmpty, "set, then cleared")
        let statistics = try await store.nodeStatistics(workflow: workflow.id)
        #expect(statistics["note"]?.attempts == 2 && statistics["note"]?.failed == 1 && statistics["note"]?.succeeded == 1,
                "each attempt counted once: \(String(describing: statistics["note"]))")
    }

    @Test(arguments: StoreFactory.all) func aFailedRunsFollowUpIsQueuedInTheSameCommit(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("fragile"), now: 1)
        let handler = try await store.saveWorkflow(try ContractFixtures.workflow("on-failure"), now: 1)
        let execution = try await ContractFixtures.queued(store, workflow)
        var ended = Transition(event: ContractFixtures.event("execution_finished"))
        ended.status = .failed
        ended.finishedAt = 20
        ended.followUp = FollowUp(workflow: handler, triggerNode: "start",
                                  input: ["event": "execution.failed", "execution_id": .string(execution.id)])
        try await store.commit([ended], execution: execution.id, workflowID: workflow.id)
        let followUps = try await store.queuedFollowUps(of: execution.id)
        #expect(followUps.count == 1)
        let follow = try #require(try await store.execution(followUps[0]))
        #expect(follow.workflowName == "on-failure" && follow.status == .queued)
        #expect(try await store.queueDepth() == 1)
    }

    @Test(arguments: StoreFactory.all) func listsPageNewestFirstAndFindByPrefix(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let one = try await store.saveWorkflow(try ContractFixtures.workflow("one"), now: 1)
        let two = try await store.saveWorkflow(try ContractFixtures.workflow("two"), now: 1)
        var ids: [String] = []
        for number in 0..<7 {
            ids.append(try await ContractFixtures.queued(store, number.isMultiple(of: 2) ? one : two, now: Double(10 + number)).id)
        }
        let firstPage = try await store.executions(workflow: nil, status: nil, limit: 3, before: nil)
        #expect(firstPage.map(\.id) == Array(ids.reversed().prefix(3)))
        let secondPage = try await store.executions(workflow: nil, status: nil, limit: 3, before: firstPage.last?.id)
        #expect(secondPage.map(\.id) == Array(ids.reversed().dropFirst(3).prefix(3)))
        #expect(try await store.executions(workflow: "one", status: nil, limit: 50, before: nil).count == 4, "by name")
        #expect(try await store.executions(workflow: two.id, status: nil, limit: 50, before: nil).count == 3, "by id")
        #expect(try await store.executions(workflow: nil, status: .queued, limit: 50, before: nil).count == 7)
        #expect(try await store.executions(workflow: nil, status: .failed, limit: 50, before: nil).isEmpty)
        #expect(try await store.execution(matching: String(ids[3].prefix(12)))?.id == ids[3])
        #expect(try await store.execution(matching: "ex_") == nil, "ambiguous: no answer")
        #expect(try await store.execution(matching: ids[5])?.id == ids[5])
    }

    @Test(arguments: StoreFactory.all) func timersAreDueInOrderAndClearedSelectively(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("waits"), now: 1)
        let execution = try await ContractFixtures.queued(store, workflow)
        #expect(try await store.nextTimer() == nil)
        var waits = Transition()
        waits.setTimers = [(nodeKey: "later", at: 300), (nodeKey: "sooner", at: 100), (nodeKey: "retry", at: 200)]
        try await store.commit([waits], execution: execution.id, workflowID: workflow.id)
        #expect(try await store.nextTimer() == 100)
        #expect(try await store.dueTimers(now: 250, limit: 10).map(\.nodeKey) == ["sooner", "retry"], "oldest first, only the due")
        #expect(try await store.dueTimers(now: 250, limit: 1).map(\.nodeKey) == ["sooner"])
        var moved = Transition()
        moved.setTimers = [(nodeKey: "sooner", at: 400)]
        moved.clearTimers = ["retry"]
        try await store.commit([moved], execution: execution.id, workflowID: workflow.id)
        #expect(try await store.dueTimers(now: 1000, limit: 10).map(\.at) == [300, 400], "a timer set again moves")
        try await store.clearTimers(of: execution.id, except: ["later"])
        #expect(try await store.dueTimers(now: 1000, limit: 10).map(\.nodeKey) == ["later"])
        var ended = Transition()
        ended.status = .succeeded
        ended.finishedAt = 500
        try await store.commit([ended], execution: execution.id, workflowID: workflow.id)
        #expect(try await store.nextTimer() == nil, "an execution's end clears its timers")
    }

    @Test(arguments: StoreFactory.all) func cancelRequestsAreStored(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("long"), now: 1)
        let execution = try await ContractFixtures.queued(store, workflow)
        #expect(try await store.isCancelRequested(execution.id) == false)
        try await store.requestCancel(execution.id)
        try await store.requestCancel(execution.id)
        #expect(try await store.isCancelRequested(execution.id))
        #expect(try await store.runSnapshot(execution.id)?.cancelRequested == true)
    }

    @Test(arguments: StoreFactory.all) func theFeedCarriesEveryRunsEventsAndEnds(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let alpha = try await store.saveWorkflow(try ContractFixtures.workflow("alpha"), now: 1)
        let beta = try await store.saveWorkflow(try ContractFixtures.workflow("beta"), now: 1)
        let start = try await store.feedPosition()
        let first = try await ContractFixtures.queued(store, alpha)
        let second = try await ContractFixtures.queued(store, beta)
        try await store.commit([Transition(event: ContractFixtures.event("execution_started"))], execution: first.id, workflowID: alpha.id)
        try await store.commit([Transition(event: ContractFixtures.event("execution_started"))], execution: second.id, workflowID: beta.id)
        var ended = Transition()
        ended.status = .succeeded
        ended.finishedAt = 9
        try await store.commit([ended], execution: first.id, workflowID: alpha.id)
        let all = try await store.feed(after: start, workflow: nil, limit: 100)
        #expect(all.map(\.execution) == [first.id, second.id, first.id], "in commit order")
        #expect(all.map(\.workflow) == ["alpha", "beta", "alpha"])
        let end = try JSONValue.parse(all[2].event)
        #expect(end["type"] == "execution_finished" && end["status"] == "succeeded")
        #expect(all.map(\.position) == all.map(\.position).sorted() && Set(all.map(\.position)).count == 3)
        #expect(try await store.feed(after: all[0].position, workflow: "alpha", limit: 100).map(\.position) == [all[2].position])
        #expect(try await store.feed(after: start, workflow: nil, limit: 1).count == 1)
        #expect(try await store.feedPosition() == all[2].position)
    }

    @Test(arguments: StoreFactory.all) func aSweepDeletesOnlyOldFinishedExecutions(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("busy"), now: 1)
        let day = 86_400.0
        var finished: [String] = []
        for number in 0..<4 {
            let execution = try await ContractFixtures.queued(store, workflow, now: Double(number) * day)
            var ended = Transition(event: ContractFixtures.event("execution_finished"))
            ended.status = .succeeded
            ended.finishedAt = Double(number) * day + 1
            try await store.commit([ended], execution: execution.id, workflowID: workflow.id)
            finished.append(execution.id)
        }
        let unfinished = try await ContractFixtures.queued(store, workflow, now: 0)
        #expect(try await store.sweep(keepDays: 2.5, keepExecutions: nil, now: 4 * day) == 2, "finished before day 1.5")
        #expect(try await store.execution(finished[0]) == nil)
        #expect(try await store.events(of: finished[0]).isEmpty, "with its history")
        #expect(try await store.execution(finished[2]) != nil)
        #expect(try await store.execution(unfinished.id) != nil, "an unfinished execution is never swept")
        #expect(try await store.sweep(keepDays: nil, keepExecutions: 1, now: 4 * day) >= 1)
        #expect(try await store.execution(unfinished.id) != nil)
        #expect(try await store.execution(finished[2]) == nil, "beyond the newest one")
        #expect(try await store.execution(finished[3]) != nil, "the newest finished one is kept")
    }

    @Test(arguments: StoreFactory.all) func aRestartIsSeededWithItsFirstEvents(_ factory: StoreFactory) async throws {
        let opened = try await factory.open()
        defer { opened.remove() }
        let store = opened.store
        let workflow = try await store.saveWorkflow(try ContractFixtures.workflow("again"), now: 1)
        let original = try await ContractFixtures.queued(store, workflow)
        let seed = [Transition(event: ContractFixtures.event("execution_started")),
                    Transition(event: ContractFixtures.event("node_finished", ["node": "start"]))]
        let restart = try await store.enqueueExecution(workflow: workflow, triggerNode: "start", input: [:], now: 30, restartedFrom: original.id,
                                                       restartNode: "note", id: nil, seed: seed, idempotencyKey: nil)
        #expect(restart.restartedFrom == original.id && restart.restartNode == "note")
        #expect(restart.startedAt == 30, "a seeded execution has started")
        #expect(try await store.eventCount(of: restart.id) == 2)
        #expect(try await store.execution(restart.id) == restart)
    }
}
