import Foundation
import Testing
import WindFlowCore
import WindFlowStore

/// `windflow store copy`'s core: every table moved between the two backends, row for row, the copy usable at once
/// (keys valid, new ids after the copied ones), a non-empty target refused unless overwritten.
@Suite(.serialized)
struct StoreCopyTests {
    /// One of everything a store holds: two versions of a workflow, a finished execution with events, a node run,
    /// logs, a timer and statistics, a queued one, a schedule, a file snapshot, a secret, an API key, a stack, a
    /// proposal, a model call, a suggestion. Returns the API key.
    static func fill(_ store: any WindFlowStorage) async throws -> String {
        let first = try await store.saveWorkflow(try ContractFixtures.workflow("greet"), now: 1)
        let second = try await store.saveWorkflow(try ContractFixtures.workflow("greet", note: "changed"), now: 2)
        _ = try await store.setActive("greet", true, now: 3)
        let execution = try await ContractFixtures.queued(store, first, input: ["who": "Ada", "ratio": 0.25])
        var started = Transition(event: ContractFixtures.event("execution_started"))
        started.status = .running
        started.startedAt = 10.125
        started.dequeue = true
        var nodeFailed = Transition(event: ContractFixtures.event("node_finished", ["node": "note", "text": "é ✓ \"quoted\"\n"]))
        nodeFailed.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .failed,
                                             input: ["message": "done"], errorKind: .http, errorMessage: "503 from the API",
                                             errorDetails: FailureDetails(httpStatus: 503), startedAt: 11, finishedAt: 12.5, durationMS: 1500)]
        nodeFailed.logs = [LogRecord(nodeKey: "note", at: 12, level: "error", message: "first line")]
        var ended = Transition(event: ContractFixtures.event("execution_finished"))
        ended.status = .failed
        ended.finishedAt = 13
        ended.error = (kind: .http, message: "note failed", node: "note")
        try await store.commit([started, nodeFailed, ended], execution: execution.id, workflowID: first.id)
        // One that succeeded (per-node durations) and one parked on a timer, still queued.
        let succeeded = try await ContractFixtures.queued(store, second, now: 15)
        var ran = Transition(event: ContractFixtures.event("node_finished", ["node": "note"]))
        ran.status = .succeeded
        ran.startedAt = 15
        ran.finishedAt = 16
        ran.dequeue = true
        ran.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .succeeded,
                                      startedAt: 15, finishedAt: 15.75, durationMS: 750)]
        try await store.commit([ran], execution: succeeded.id, workflowID: second.id)
        let parked = try await ContractFixtures.queued(store, second, now: 20, key: "delivery-7")
        var waits = Transition(event: ContractFixtures.event("node_waiting", ["node": "note"]))
        waits.setTimers = [(nodeKey: "note", at: 300)]
        try await store.commit([waits], execution: parked.id, workflowID: second.id)
        try await store.setNextFire(workflow: first.id, node: "start", at: 100)
        try await store.setFileSnapshot("watch:/srv/in", #"{"a.csv": 3}"#, now: 7)
        try await store.setSecret("API_TOKEN", value: "s3cr3t-value", now: 4)
        let key = try await store.createAPIKey(name: "ci", now: 5)
        _ = try await store.saveStack("shop", definition: "services:\n  web: {image: nginx}\n", now: 6)
        let proposal = ProposalRecord(id: "", prose: "greet nightly", workflowName: "greet", definition: "name: greet\n", valid: true,
                                      report: [], rounds: [["round": 1]], provider: "offline", model: "planner", promptTokens: 10,
                                      completionTokens: 20, latencyMs: 3.5, explanation: "a greeting", assumptions: ["none"], createdAt: 8)
        _ = try await store.saveProposal(proposal)
        try await store.recordLLMCall(LLMCallRecord(at: 9, provider: "openai", model: "qwen", purpose: "design", promptTokens: 100,
                                                    completionTokens: 10, latencyMs: 900, attempts: 1, outcome: "ok"))
        _ = try await store.saveSuggestion(SuggestionRecord(kind: "fix", workflowID: first.id, workflowVersion: 1, executionID: execution.id,
                                                            nodeID: "note", rule: "retry", title: "Retry", rationale: "503", confidence: 0.8,
                                                            patch: [["op": "set", "path": "nodes.note.retry.max_attempts", "value": 3]],
                                                            evidence: ["status": 503], source: "rules", createdAt: 14))
        return key
    }

    /// Every table of a store, each as the multiset of its rows; numbers as doubles and booleans as 0/1, which is
    /// how the two backends differ in spelling the same value, and without the columns only one backend has.
    static func tables(_ store: any WindFlowStorage) async throws -> [String: [String]] {
        let dump = Dump()
        try await store.readSnapshot { reader in
            for table in StoreTables.all {
                try await reader.rows(of: table, batch: 2) { rows in
                    let own = StoreTables.backendColumns[table] ?? []
                    await dump.add(table, rows.map { row in JSONValue.object(row.filter { !own.contains($0.key) }.mapValues(Self.normalized)).jsonText })
                }
            }
        }
        return await dump.tables.mapValues { $0.sorted() }
    }

    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .bool(let flag): return .double(flag ? 1 : 0)
        case .int(let number): return .double(Double(number))
        default: return value
        }
    }

    actor Dump {
        var tables: [String: [String]] = [:]
        func add(_ table: String, _ rows: [String]) { tables[table, default: []] += rows }
    }

    @Test(arguments: [(StoreFactory.sqlite, StoreFactory.postgres), (StoreFactory.postgres, StoreFactory.sqlite), (StoreFactory.sqlite, StoreFactory.sqlite)])
    func everyTableIsCopiedRowForRowAndTheCopyWorks(_ from: StoreFactory, _ to: StoreFactory) async throws {
        let (source, target) = (try await from.open(), try await to.open())
        defer { source.remove(); target.remove() }
        let key = try await Self.fill(source.store)
        let counts = try await StoreCopy.run(from: source.store, to: target.store, overwrite: false, batch: 2)
        #expect(counts.map(\.table) == StoreTables.all)
        let expected = try await Self.tables(source.store)
        #expect(counts.first { $0.table == "execution_event" }?.rows == 5)
        for table in StoreTables.all {
            #expect(expected[table]?.isEmpty == false, "the fixture fills \(table)")
        }
        let copied = try await Self.tables(target.store)
        for table in StoreTables.all {
            #expect(copied[table] == expected[table], "\(table): \(copied[table] ?? []) ≠ \(expected[table] ?? [])")
        }
        // The copy is a working store: the key opens the API, the secret reaches runs, new ids follow the copied ones,
        // executions list in the order they were made.
        let store = target.store
        let listed = try await source.store.executions(workflow: nil, status: nil, limit: 10, before: nil).map(\.id)
        #expect(try await store.executions(workflow: nil, status: nil, limit: 10, before: nil).map(\.id) == listed)
        #expect(try await store.isValidAPIKey(key))
        #expect(try await store.secrets() == ["API_TOKEN": "s3cr3t-value"])
        #expect(try await store.workflow("greet", version: nil)?.version == 2)
        let workflow = try #require(try await store.workflow("greet", version: nil))
        let next = try await ContractFixtures.queued(store, workflow, now: 30)
        var step = Transition(event: ContractFixtures.event("node_started", ["node": "note"]))
        step.nodeRuns = [NodeRunRecord(nodeKey: "note", nodeID: "note", nodeType: "logic.stop", attempt: 1, status: .running, startedAt: 31)]
        step.logs = [LogRecord(nodeKey: "note", at: 31, level: "info", message: "after the copy")]
        try await store.commit([step], execution: next.id, workflowID: workflow.id)
        try await store.recordLLMCall(LLMCallRecord(at: 32, provider: "openai", model: "qwen", purpose: "fix", promptTokens: 1,
                                                    completionTokens: 1, latencyMs: 1, attempts: 1, outcome: "ok"))
        #expect(try await store.nodeRuns(of: next.id).count == 1)
        #expect(try await store.logs(of: next.id, after: 0).map(\.message) == ["after the copy"])
        #expect(try await store.llmCalls(limit: 10).count == 2)
    }

    @Test(arguments: [StoreFactory.sqlite, StoreFactory.postgres])
    func aTargetThatHoldsRecordsIsRefusedUnlessOverwritten(_ factory: StoreFactory) async throws {
        let (source, target) = (try await StoreFactory.sqlite.open(), try await factory.open())
        defer { source.remove(); target.remove() }
        _ = try await Self.fill(source.store)
        _ = try await target.store.saveWorkflow(try ContractFixtures.workflow("kept"), now: 1)
        _ = try await target.store.saveStack("kept", definition: "services: {}\n", now: 1)
        do {
            _ = try await StoreCopy.run(from: source.store, to: target.store, overwrite: false)
            Issue.record("a store holding records was written")
        } catch {
            #expect("\(error)".contains("already holds 1 workflow row") && "\(error)".contains("--overwrite"), "\(error)")
        }
        #expect(try await target.store.workflows(activeOnly: false).map(\.workflow.name) == ["kept"], "nothing was written")
        _ = try await StoreCopy.run(from: source.store, to: target.store, overwrite: true)
        #expect(try await target.store.workflows(activeOnly: false).map(\.workflow.name) == ["greet"])
        #expect(try await target.store.stacks().map(\.name) == ["shop"])
        #expect(try await Self.tables(target.store) == Self.tables(source.store))
    }
}
