import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner
@testable import WindFlowStore

/// The design → validate → auto-fix → repair → proposal pipeline against scripted answers.
@Suite(.serialized)
struct DesignPipelineTests {
    @Test func proseAroundTheJSONIsReadAndTheProposalIsValidAtOnce() async throws {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        try await llm.script("Sure! Here is your workflow:\n```json\n\(Answers.valid)\n```\nLet me know if you need anything else.")
        let proposals = try box.proposals(llm.configuration(.openai).makeProvider())
        let (proposal, design) = try await proposals.propose("check example.org every 5 minutes and tell slack when it is down")
        #expect(proposal.valid && design.repairs == 0)
        #expect(proposal.explanation.contains("five minutes"))
        #expect(proposal.assumptions == ["Slack webhook in a secret"])
        #expect(proposal.promptTokens > 0 && proposal.completionTokens > 0)
        let calls = try box.store.llmCalls()
        #expect(calls.count == 1 && calls[0].outcome == "ok" && calls[0].purpose == "design" && calls[0].proposalID == proposal.id)
        // Not runnable before it is accepted.
        #expect(try box.store.workflow(proposal.workflowName) == nil)
        let saved = try await proposals.accept(proposal.id, activate: true)
        #expect(saved.version == 1 && saved.active)
        #expect(try box.store.proposal(proposal.id)?.status == .accepted)
        await #expect(throws: DesignError.self) { try await proposals.accept(proposal.id) }
    }

    @Test func hallucinatedTypesAndIdsAreFixedWithoutAModelRound() async throws {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        try await llm.script(Answers.wrapped(
            nodes: #"""
                {"id": "Every Night", "type": "cron", "configuration": {"cron": "every night at 3am"}},
                {"id": "backup-db", "type": "backup", "configuration": {"stack_id": "shop"}},
                {"id": "tell ops", "type": "slack", "configuration": {"message": "backed up {{ backup-db.backup_file }}", "slack_webhook_url": "{{ secrets.SLACK }}"}}
                """#,
            edges: ""))
        let proposals = try box.proposals(llm.configuration(.anthropic).makeProvider())
        let (proposal, design) = try await proposals.propose("back up the shop stack every night at 3am and tell ops on slack")
        #expect(proposal.valid, "\(design.report.errors)")
        #expect(design.rounds.count == 1)
        let workflow = try #require(design.workflow)
        #expect(workflow.nodes.map(\.type) == ["trigger.schedule", "windflow.backup_data", "integration.notification"])
        #expect(workflow.nodes[0].configuration["schedule"] == "0 3 * * *")
        #expect(workflow.nodes[2].configuration["channels"] == ["slack"])
        #expect(workflow.nodes[2].configuration["message"] == "backed up {{ backup_db.backup_file }}")
        #expect(workflow.edges.map { "\($0.source)>\($0.target)" } == ["every_night>backup_db", "backup_db>tell_ops"])
        #expect(design.fixes.contains("Every Night: type 'cron' → 'trigger.schedule'"))
    }

    @Test(arguments: [
        ("a type nothing resembles", Answers.wrapped(
            nodes: #"{"id": "go", "type": "trigger.manual", "configuration": {}}, {"id": "beam", "type": "quantum.teleport", "configuration": {}}"#,
            edges: #"{"source": "go", "target": "beam"}"#), "unknown_node_type"),
        ("a cycle", Answers.wrapped(
            nodes: #"{"id": "go", "type": "trigger.manual", "configuration": {}}, {"id": "a", "type": "logic.wait", "configuration": {"duration": "1s"}}, {"id": "b", "type": "logic.wait", "configuration": {"duration": "1s"}}"#,
            edges: #"{"source": "go", "target": "a"}, {"source": "a", "target": "b"}, {"source": "b", "target": "a"}"#), "cycle"),
        ("a missing required parameter", Answers.wrapped(
            nodes: #"{"id": "go", "type": "trigger.manual", "configuration": {}}, {"id": "call", "type": "integration.http", "configuration": {"method": "GET"}}"#,
            edges: #"{"source": "go", "target": "call"}"#), "missing_parameter"),
        ("truncated JSON", String(Answers.valid.prefix(300)), "cut off"),
    ])
    func aBrokenAnswerIsRepairedWithTheValidatorsOwnWords(label: String, broken: String, expected: String) async throws {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        try await llm.script(broken, Answers.valid)
        let proposals = try box.proposals(llm.configuration(.openai, stream: false).makeProvider())
        let (proposal, design) = try await proposals.propose("check example.org every 5 minutes")
        #expect(proposal.valid, "\(label): \(design.report.errors)")
        #expect(design.rounds.map(\.purpose) == ["design", "repair"], "\(label)")
        #expect(design.rounds[0].errors.joined().contains(expected), "\(label): \(design.rounds[0].errors)")
        let requests = try await llm.requests()
        let repairMessage = requests.last?["body"]?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        #expect(repairMessage.contains(expected), "\(label): the repair prompt carries the problem: \(repairMessage)")
        #expect(try box.store.llmCalls().map(\.purpose) == ["repair", "design"])
    }

    @Test func repairsStopAtTheBoundAndTheInvalidProposalCannotBeAccepted() async throws {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        let broken = Answers.wrapped(nodes: #"{"id": "go", "type": "trigger.manual", "configuration": {}}, {"id": "x", "type": "quantum.teleport", "configuration": {}}"#,
                                     edges: #"{"source": "go", "target": "x"}"#)
        try await llm.script(broken, broken, broken, broken)
        let proposals = try box.proposals(llm.configuration(.ollama).makeProvider(), maxRepairRounds: 2)
        let (proposal, design) = try await proposals.propose("teleport the database")
        #expect(!proposal.valid)
        #expect(design.rounds.count == 3, "1 design + 2 repairs, never more")
        #expect(try await llm.requests().count == 3)
        await #expect(throws: DesignError.self) { try await proposals.accept(proposal.id) }
        #expect(try box.store.workflow(proposal.workflowName) == nil)
        #expect(try box.store.proposal(proposal.id)?.status == .proposed)
    }

    @Test func garbageThenAFailingServerIsAnErrorThatNamesTheServerNotTheKey() async throws {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        try await llm.script([ScriptedLLM.Step(content: "I cannot help with that."),
                              ScriptedLLM.Step(status: 503, error: "overloaded, key sk-test-0123456789abcdef"),
                              ScriptedLLM.Step(status: 503), ScriptedLLM.Step(status: 503)])
        let proposals = try box.proposals(llm.configuration(.openai).makeProvider())
        await #expect(throws: LLMError.self) { _ = try await proposals.propose("anything") }
        let calls = try box.store.llmCalls()
        #expect(calls.map(\.outcome) == ["server", "ok"])
        #expect(!(calls[0].error ?? "").contains("0123456789abcdef"))
        #expect(try box.store.proposals().isEmpty, "no proposal from a design that could not finish")
    }

    @Test func secretsNeverReachThePrompt() async throws {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        try box.store.setSecret("DB_PASSWORD", value: "hunter2-very-secret", now: 0)
        let current = try WorkflowCodec.load("""
            name: Nightly dump
            nodes:
              - {id: start, type: trigger.manual}
              - {id: dump, type: integration.script, configuration: {script: "PGPASSWORD=hunter2-very-secret pg_dump shop > /tmp/x"}}
            edges: [{source: start, target: dump}]
            """).workflow
        try box.store.saveWorkflow(current, now: 0)
        try await llm.script(Answers.valid)
        var proposals = try box.proposals(llm.configuration(.openai).makeProvider())
        var designer = proposals.designer
        designer.secrets = try box.store.secrets()
        proposals = Proposals(store: box.store, designer: designer)
        let (proposal, _) = try await proposals.propose("also compress the dump", editing: current)
        let sent = try await llm.requests()
        #expect(!sent[0]["body"]!.jsonText.contains("hunter2"))
        #expect(sent[0]["body"]!.jsonText.contains("[secret]"))
        #expect(proposal.workflowName == "Nightly dump", "an edit keeps the workflow's name so accepting makes a new version")
        #expect(proposal.diff?.contains("+ ") == true && proposal.baseVersion == 1)
        await #expect(try proposals.accept(proposal.id).version == 2)
    }

    @Test func theRequestsScheduleWordsWinOverTheModelsCron() async throws {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        try await llm.script(Answers.valid.replacingOccurrences(of: "*/5 * * * *", with: "0 8 * * 1"))
        let (proposal, design) = try await box.proposals(llm.configuration(.openai).makeProvider()).propose("check example.org every weekday at 8:30")
        #expect(proposal.valid)
        #expect(design.workflow?.nodes.first?.configuration["schedule"] == "30 8 * * 1-5")
        #expect(design.fixes.contains { $0.contains("'0 8 * * 1' → '30 8 * * 1-5'") })
    }

    @Test func aConditionsOnlyUnlabelledEdgeIsItsTrueBranch() {
        let workflow = Workflow(name: "w", nodes: [
            WorkflowNode(id: "start", type: "trigger.manual"),
            WorkflowNode(id: "high", type: "logic.condition", configuration: ["condition": "{{ 1 > 0 }}"]),
            WorkflowNode(id: "alert", type: "logic.stop"),
        ], edges: [Edge(source: "start", target: "high"), Edge(source: "high", target: "alert")])
        let (fixed, fixes) = AutoFixer().fix(workflow)
        #expect(fixed.edges.last?.branch == "true" && fixes.count == 1)
        #expect(Validator().validate(fixed).isValid)
        // Two unlabelled edges would be a guess: left for the repair round.
        var two = workflow
        two.nodes.append(WorkflowNode(id: "calm", type: "logic.stop"))
        two.edges.append(Edge(source: "high", target: "calm"))
        #expect(AutoFixer().fix(two).workflow.edges.allSatisfy { $0.branch == nil })
    }

    @Test func theSystemPromptFitsItsBudgetAndNamesEveryType() throws {
        let templates = try TemplateCatalog()
        let designer = Designer(prompts: try PromptLibrary(), templates: templates,
                                recommender: TemplateRecommender(candidates: TemplateRecommender.candidates(catalog: templates, workflows: [])), provider: nil)
        for example in [nil, "seed-auto-scaling", "nightly-database-backup"] {
            let prompt = designer.systemPrompt(example: example)
            #expect(TokenEstimate.of(prompt) <= 1500, "\(TokenEstimate.of(prompt)) tokens")
            #expect(prompt.contains("Example answer:\n{"))
            for type in NodeRegistry.standard.ids { #expect(prompt.contains(type + ":")) }
        }
    }
}
