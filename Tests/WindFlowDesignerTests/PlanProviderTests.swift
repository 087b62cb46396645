import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner

/// Plans over each provider's wire format, against the scripted server, which refuses (400) a schema its real
/// counterpart would refuse: OpenAI's json_schema (strict: every property required, additionalProperties false),
/// Anthropic's tool input_schema, Ollama's format.
@Suite(.serialized)
struct PlanProviderTests {
    static let plan = """
        {"name": "Site check", "trigger": {"type": "trigger.schedule", "with": {"schedule": "*/5 * * * *"}},
         "steps": [{"type": "integration.http", "name": "check", "with": {"url": "https://example.org/health"},
                    "on_error": [{"type": "integration.notification", "name": "tell", "with": {"channels": ["slack"], "message": "down", "slack_webhook_url": "{{ secrets.SLACK_WEBHOOK_URL }}"}}]}]}
        """
    static let prose = "check https://example.org/health every 5 minutes and tell slack when it fails"

    func design(_ provider: LLMConfiguration.Provider, strict: Bool = false, grammar: Bool = false, repairsFactsAlone: Bool = true,
                planStart: PlanStart = .example, prose: String = prose, answers: [String] = [plan]) async throws
        -> (Design, [JSONValue], ScriptedLLM)
    {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        try await llm.script(answers.map { ScriptedLLM.Step(content: $0) })
        var configuration = llm.configuration(provider, stream: false)
        configuration.strictSchemas = strict
        configuration.compactGrammar = grammar
        let (proposal, design) = try await box.proposals(configuration.makeProvider(), repairsFactsAlone: repairsFactsAlone, planStart: planStart).propose(prose)
        #expect(proposal.valid, "\(design.report.errors) \(design.rounds.map(\.errors))")
        return (design, try await llm.requests(), llm)
    }

    @Test func openAIGetsThePlanSchemaThePromptCacheAndABoundedAnswer() async throws {
        let (design, requests, _) = try await design(.openai)
        let body = try #require(requests.first?["body"])
        let schema = try #require(body["response_format"]?["json_schema"]?["schema"])
        #expect(schema["properties"]?["steps"] != nil && schema["properties"]?["trigger"] != nil)
        #expect(body["response_format"]?["json_schema"]?["strict"] == nil)
        #expect(body["cache_prompt"] == true)
        #expect(body["max_tokens"]?.intValue == Designer.planMaxTokens)
        // The schema is written in the order the model should think: a step's type before its parameters.
        let raw = requests.first?["raw"]?.stringValue ?? ""
        let definition = try #require(raw.range(of: "\"integration_http_0\":{"))
        let tail = raw[definition.upperBound...]
        let type = try #require(tail.range(of: "\"properties\":{\"type\":{"))
        let with = try #require(tail.range(of: "\"with\":{"))
        #expect(type.lowerBound < with.lowerBound)
        #expect(design.workflow?.edges.contains { $0.source == "check" && $0.branch == "error" && $0.target == "tell" } == true)
        #expect(design.plan != nil)
    }

    @Test func aLocalLlamaServerGetsTheSchemaAsACompactGrammarInstead() async throws {
        let (design, requests, _) = try await design(.openai, grammar: true)
        let body = try #require(requests.first?["body"])
        let grammar = try #require(body["grammar"]?.stringValue)
        #expect(body["response_format"] == nil)
        #expect(grammar.hasPrefix("root ::= "))
        // No rule lets whitespace in between tokens: the only blanks are inside string literals and classes.
        #expect(!grammar.contains("space"))
        #expect(grammar.contains(#""\"type\":" ("\"integration.http\"")"#))
        #expect(design.isValid)
        #expect(LLMConfiguration(provider: .openai, baseURL: "http://127.0.0.1:8091").compactGrammar)
        #expect(!LLMConfiguration(provider: .openai).compactGrammar)
        #expect(try !LLMConfiguration.resolve(provider: "openai", baseURL: "http://127.0.0.1:8091", environment: ["WINDFLOW_LLM_GRAMMAR": "0"]).compactGrammar)
    }

    @Test func aSmallModelStartsFromTheRequestsDraftAndMayOnlyWriteTheTriggerItsWordsName() async throws {
        let (design, requests, _) = try await design(.openai, planStart: .draft)
        let body = try #require(requests.first?["body"])
        let prompt = body["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        // The offline planner's plan of this request, not another workflow's: its schedule, its URL, its Slack step.
        #expect(prompt.contains("Draft plan made from the request's words"), "\(prompt)")
        #expect(!prompt.contains("Example plan"))
        let draft = try #require(prompt.components(separatedBy: "\n").first { $0.hasPrefix("{\"name\"") })
        #expect(draft.contains("\"trigger.schedule\"") && draft.contains("*/5 * * * *") && draft.contains("https://example.org/health"), "\(draft)")
        #expect(draft.contains("integration.notification"))
        let triggers = try #require(body["response_format"]?["json_schema"]?["schema"]?["properties"]?["trigger"]?["anyOf"]?.arrayValue)
        #expect(triggers.count == 1)
        #expect(triggers.first?["properties"]?["type"]?["enum"] == ["trigger.schedule"])
        #expect(design.isValid)
    }

    @Test func theDraftIsShownWithoutItsDetailsAndTheStepsTheModelKeepsGetThemBack() async throws {
        let prose = "Weekdays at 8:30, query the orders Postgres database for yesterday's orders grouped by status and email the numbers to sales@example.org."
        let templates = try TemplateCatalog()
        let recommender = TemplateRecommender(candidates: TemplateRecommender.candidates(catalog: templates, workflows: []), history: [:])
        let offline = OfflinePlanner(registry: .standard, recommender: recommender).plan(prose)
        let draft = try #require(Designer.draftPlan(offline, registry: .standard))
        let full = try #require(PlanCompiler(registry: .standard).compile(draft).workflow.nodes.first { $0.type == "integration.database" })
        #expect(full.retryCount > 0 && full.timeout != nil && full.configuration["max_rows"] != nil, "the template's query has details: \(draft.jsonText)")
        // The model copies what it is shown; here it keeps the draft as it is.
        let shown = DraftBrief(draft, registry: .standard)
        let brief = shown.shown.jsonText
        let (design, requests, _) = try await design(.openai, grammar: true, planStart: .draft, prose: prose, answers: [brief])
        let prompt = requests.first?["body"]?["messages"]?.arrayValue?.last { $0["role"] == "user" }?["content"]?.stringValue ?? ""
        #expect(prompt.contains(brief))
        #expect(!brief.contains("\"timeout\"") && !brief.contains("\"retry\"") && !brief.contains("max_rows"), "\(brief)")
        // The template's query and message are shown by their first words, and come back whole.
        #expect(!brief.contains("FILTER (WHERE status") && brief.contains("…"), "\(brief)")
        #expect(shown.texts.values.contains { $0.contains("FILTER (WHERE status = 'refunded')") })
        let kept = try #require(design.workflow?.nodes.first { $0.id == full.id })
        #expect(kept.retryCount == full.retryCount && kept.timeout == full.timeout && kept.configuration == full.configuration)
        // Every type is listed, whatever the request, so the prompt's prefix is the same on every call.
        for type in NodeRegistry.standard.types where type.category != .logic {
            #expect(prompt.contains("\(type.id): ("), "\(type.id) is listed")
        }
    }

    @Test func fromADraftLlamaServerIsGivenTheAnswersStartAndWritesOnlyTheSteps() async throws {
        // The scripted server answers with the whole turn, as llama-server does.
        let templates = try TemplateCatalog()
        let recommender = TemplateRecommender(candidates: TemplateRecommender.candidates(catalog: templates, workflows: []), history: [:])
        let draft = try #require(Designer.draftPlan(OfflinePlanner(registry: .standard, recommender: recommender).plan(Self.prose), registry: .standard))
        let shown = DraftBrief(draft, registry: .standard).shown
        let (design, requests, _) = try await design(.openai, grammar: true, planStart: .draft, answers: [shown.jsonText])
        let body = try #require(requests.first?["body"])
        let begun = try #require(body["messages"]?.arrayValue?.last)
        let start = try #require(begun["content"]?.stringValue)
        #expect(begun["role"] == "assistant")
        #expect(start.hasPrefix(#"{"name":"#) && start.hasSuffix(#","steps":["#) && start.contains(#""trigger":{"type":"trigger.schedule""#), "\(start)")
        #expect(shown.jsonText.hasPrefix(start), "the start is the draft's own, as shown")
        // The grammar is the steps' and the end: nothing before the first step.
        let grammar = try #require(body["grammar"]?.stringValue)
        #expect(grammar.hasPrefix("root ::= d-step-0 (\",\" d-step-0){0,11} \"]}\""), "\(grammar.prefix(120))")
        #expect(design.isValid && design.plan?.name == draft.name && design.rounds.count == 1)
    }

    @Test func theAnswersStartIsPutBackWhenTheServerSendsOnlyTheRestAndNeverSentWithoutAGrammar() async throws {
        var fromDraft = PlanSchema(dialect: .grammar)
        fromDraft.allowsAssumptions = false
        let schema = fromDraft.schema
        let start = #"{"name":"Site check","trigger":{"type":"trigger.manual","with":{}},"steps":["#
        let rest = #"{"type":"integration.http","name":"check","with":{"url":"https://example.org"}}]}"#
        var request = LLMRequest(system: "You design workflows as plans.", messages: [LLMMessage(.user, "check example.org")], schema: schema, purpose: "design")
        request.grammar = CompactGrammar(schema).text
        request.start = AnswerStart(text: start, grammar: try #require(CompactGrammar.rest(of: schema, afterOpening: "steps")).text)
        for (grammar, strict) in [(true, false), (false, false), (true, true)] {
            let llm = try await ScriptedLLM()
            try await llm.script(grammar && !strict ? rest : start + rest)
            var configuration = llm.configuration(.openai, stream: false)
            configuration.compactGrammar = grammar
            configuration.strictSchemas = strict
            let completion = try await configuration.makeProvider()!.complete(request, progress: nil)
            #expect(completion.text == start + rest, "grammar \(grammar), strict \(strict): \(completion.text)")
            let sent = try #require(try await llm.requests().first?["body"])
            let roles = sent["messages"]?.arrayValue?.compactMap { $0["role"]?.stringValue } ?? []
            if grammar && !strict {
                #expect(roles.last == "assistant" && sent["grammar"]?.stringValue == request.start?.grammar)
            } else {
                #expect(roles.last == "user" && sent["grammar"] == nil && sent["response_format"] != nil, "no start without the grammar: \(roles)")
            }
        }
        // A server that ignored the begun turn and answered whole keeps its answer.
        let llm = try await ScriptedLLM()
        try await llm.script(#"{"name":"Other","trigger":{"type":"trigger.manual","with":{}},"steps":[]}"#)
        var configuration = llm.configuration(.openai, stream: false)
        configuration.compactGrammar = true
        #expect(try await configuration.makeProvider()!.complete(request, progress: nil).text.hasPrefix(#"{"name":"Other""#))
        // A schema after whose array another property may come has no such grammar.
        #expect(CompactGrammar.rest(of: PlanSchema(dialect: .grammar).schema, afterOpening: "steps") == nil, "assumptions may follow the steps")
        #expect(CompactGrammar.rest(of: schema, afterOpening: "trigger") == nil)
    }

    @Test func aDraftForARequestThatNamesNoTriggerRunsByHandAndSaysSo() async throws {
        let prose = "deploy the shop stack to staging"
        let answer = #"{"name": "Deploy shop", "trigger": {"type": "trigger.manual", "with": {}}, "steps": [{"type": "windflow.deploy_stack", "name": "deploy", "with": {"stack_id": "shop", "environment": "staging"}}]}"#
        let (design, requests, _) = try await design(.openai, grammar: true, planStart: .draft, prose: prose, answers: [answer])
        // The answer is begun with the draft's trigger; the grammar goes on from the steps.
        let start = requests.first?["body"]?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        #expect(start.contains(#""trigger":{"type":"trigger.manual""#), "\(start)")
        let grammar = try #require(requests.first?["body"]?["grammar"]?.stringValue)
        #expect(!grammar.contains("trigger.webhook") && !grammar.contains("trigger.schedule") && !grammar.contains("trigger.manual"))
        #expect(design.assumptions.contains { $0.contains("started by hand") }, "\(design.assumptions)")
    }

    @Test func fromADraftAPlanThatLeavesOutAStepTheWordsAskForKeepsTheDraftAndSaysWhy() async throws {
        let prose = "back up the shop stack, then deploy shop to production and tell slack when it is done"
        let answer = #"{"name": "Backup", "trigger": {"type": "trigger.manual", "with": {}}, "steps": [{"type": "windflow.backup_data", "name": "backup", "with": {"stack_id": "shop"}}]}"#
        let (design, requests, _) = try await design(.openai, planStart: .draft, prose: prose, answers: [answer])
        let types = design.workflow?.nodes.map(\.type) ?? []
        #expect(types.contains("windflow.backup_data") && types.contains("windflow.deploy_stack") && types.contains("integration.notification"), "\(types)")
        #expect(design.assumptions.contains { $0.contains("left out") && $0.contains("windflow.deploy_stack") }, "\(design.assumptions)")
        #expect(requests.count == 1, "no round is spent on it")
        // From a draft the plan has no assumptions to write (the model wrote its missing steps there).
        let schema = requests.first?["body"]?["response_format"]?["json_schema"]?["schema"]
        #expect(schema?["properties"]?["assumptions"] == nil && schema?["properties"]?["steps"] != nil)
    }

    @Test func fromADraftAPlanThatDoesMoreThanTheDraftIsKept() async throws {
        let prose = "deploy the shop stack to production"
        let answer = #"{"name": "Deploy shop", "trigger": {"type": "trigger.manual", "with": {}}, "steps": [{"type": "windflow.validate_stack", "name": "validate", "with": {"stack_id": "shop"}}, {"type": "windflow.deploy_stack", "name": "deploy", "with": {"stack_id": "shop", "environment": "production"}}]}"#
        let (design, _, _) = try await design(.openai, planStart: .draft, prose: prose, answers: [answer])
        #expect(design.workflow?.nodes.map(\.id) == ["trigger", "validate", "deploy"], "\(design.workflow?.nodes.map(\.id) ?? [])")
        #expect(!design.assumptions.contains { $0.contains("draft") })
    }

    @Test func aHostedModelGetsAnExampleAndEveryTrigger() async throws {
        let (_, requests, _) = try await design(.openai)
        let body = try #require(requests.first?["body"])
        let prompt = body["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        #expect(!prompt.contains("Draft plan"))
        let triggers = body["response_format"]?["json_schema"]?["schema"]?["properties"]?["trigger"]?["anyOf"]?.arrayValue ?? []
        #expect(triggers.count == NodeRegistry.standard.types.filter(\.isTrigger).count)
    }

    @Test func openAIStrictGetsTheStrictDialectAndTakesIt() async throws {
        let (_, requests, _) = try await design(.openai, strict: true)
        let format = try #require(requests.first?["body"]?["response_format"]?["json_schema"])
        #expect(format["strict"] == true)
        #expect(format["schema"]?["additionalProperties"] == false)
        #expect(format["schema"]?["required"]?.arrayValue?.count == format["schema"]?["properties"]?.objectValue?.count)
    }

    @Test func theScriptedServerRefusesAGrammarSchemaSentAsStrict() async throws {
        let llm = try await ScriptedLLM()
        let schema = PlanSchema(dialect: .grammar).schema
        let body: JSONValue = ["model": "x", "messages": [], "response_format": ["type": "json_schema", "json_schema": ["name": "t", "strict": true, "schema": schema]]]
        let response = try await CurlClient.shared.perform(CurlRequest(
            method: "POST", url: llm.base + "/v1/chat/completions", headers: [("Content-Type", "application/json")], body: Data(body.jsonText.utf8)))
        #expect(response.status == 400)
    }

    @Test func anthropicGetsThePlanSchemaAsItsToolsInputSchema() async throws {
        let (_, requests, _) = try await design(.anthropic)
        let tool = try #require(requests.first?["body"]?["tools"]?.arrayValue?.first)
        #expect(tool["input_schema"]?["properties"]?["steps"] != nil)
        #expect(requests.first?["body"]?["max_tokens"]?.intValue == Designer.planMaxTokens)
    }

    @Test func ollamaGetsThePlanSchemaAsItsFormat() async throws {
        let (_, requests, _) = try await design(.ollama)
        #expect(requests.first?["body"]?["format"]?["properties"]?["trigger"] != nil)
    }

    @Test func aRepairSendsTheProblemsAtTheirPlanPathsNotTheCatalogAgain() async throws {
        let broken = Self.plan.replacingOccurrences(of: "\"with\": {\"url\": \"https://example.org/health\"}", with: "\"with\": {}")
        let (design, requests, _) = try await design(.openai, answers: [broken, Self.plan])
        #expect(design.rounds.map(\.purpose) == ["design", "repair"])
        let repair = requests.last?["body"]?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        #expect(repair.contains("steps[0].with.url"), "\(repair)")
        #expect(!repair.contains("Node types"))
        // The stable part comes first and is the same in both calls.
        let systems = requests.map { $0["body"]?["messages"]?.arrayValue?.first?["content"]?.stringValue ?? "" }
        #expect(systems.count == 2 && systems[0] == systems[1] && !systems[0].isEmpty)
    }

    @Test func aHostedModelsPlanThatDisagreesWithTheRequestsScheduleIsRepaired() async throws {
        let wrong = Self.plan.replacingOccurrences(of: "*/5 * * * *", with: "0 * * * *")
        let (design, requests, _) = try await design(.openai, answers: [wrong, Self.plan])
        #expect(design.rounds.count == 2)
        let repair = requests.last?["body"]?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        #expect(repair.contains("*/5 * * * *"), "\(repair)")
    }

    @Test func aSmallLocalModelsValidPlanWithAnotherScheduleTakesTheRequestsWithoutARoundAndSaysSo() async throws {
        // The 1.5B model answered such a repair with the same plan three times in four: no round is spent on it.
        let wrong = Self.plan.replacingOccurrences(of: "*/5 * * * *", with: "0 * * * *")
        let (design, _, _) = try await design(.openai, repairsFactsAlone: false, answers: [wrong, Self.plan])
        #expect(design.rounds.count == 1)
        #expect(design.workflow?.nodes.first?.configuration["schedule"] == "*/5 * * * *")
        #expect(design.assumptions.contains { $0.contains("schedule was set from the request") })
    }

    @Test func aPlanWithErrorsGetsTheRequestsScheduleWithItsRepair() async throws {
        let wrong = Self.plan.replacingOccurrences(of: "*/5 * * * *", with: "0 * * * *")
            .replacingOccurrences(of: "\"with\": {\"url\": \"https://example.org/health\"}", with: "\"with\": {}")
        let (design, requests, _) = try await design(.openai, answers: [wrong, Self.plan])
        #expect(design.rounds.count == 2)
        let repair = requests.last?["body"]?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        #expect(repair.contains("*/5 * * * *") && repair.contains("steps[0].with.url"), "\(repair)")
    }

    @Test func garbageFromTheModelIsARepairRoundNeverACrashOrAStoredValidProposal() async throws {
        let (llm, box) = (try await ScriptedLLM(), try DesignSandbox())
        defer { box.remove() }
        let many = (0..<10_000).map { _ in #"{"type": "integration.http", "name": "h", "with": {"url": "http://x"}}"# }.joined(separator: ",")
        try await llm.script([
            ScriptedLLM.Step(content: String(Self.plan.prefix(120))),
            ScriptedLLM.Step(content: #"{"name": "t", "trigger": {"type": "trigger.manual", "with": {}}, "steps": [\#(many)]}"#),
            ScriptedLLM.Step(content: #"{"name": "t", "trigger": {"type": "trigger.manual", "with": {}}, "steps": [{"type": "quantum.teleport", "name": "x", "with": {}}]}"#),
        ])
        let (proposal, design) = try await box.proposals(llm.configuration(.openai, stream: false).makeProvider()).propose("do a thing")
        #expect(!proposal.valid)
        #expect(design.rounds.count == 3)
        #expect(design.rounds[0].errors.joined().contains("cut off"))
        #expect(design.rounds[1].errors.joined().contains("more than \(DesignPlan.maxSteps) steps"))
        #expect(design.rounds[2].errors.joined().contains("quantum.teleport"))
    }
}
