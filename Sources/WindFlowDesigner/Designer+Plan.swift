import Foundation
import WindFlowCore

/// How much of the registry the prompt and the schema carry.
public enum CatalogScope: String, Sendable {
    /// The types the request can need (retrieval over the registry and the templates): small local models.
    case relevant
    /// Every type: hosted models, which read long prompts fast.
    case full
}

/// What a plan prompt shows the model besides the catalog.
public enum PlanStart: String, Sendable, CaseIterable {
    /// The offline planner's plan for this very request (the template it fits, filled from the request's words, or
    /// the steps it names), for the model to correct; the trigger the request's words name is the only one the schema
    /// allows. A small model copies what it is shown: shown a draft of this request, it copies the right shape.
    case draft
    /// The recommended template as a plan, as an example of the form: hosted models, which need no draft.
    case example
}

extension Designer {
    /// The most tokens a plan answer may take; a plan is short (≈ 150–350 tokens written compactly), and a model
    /// that loops must stop.
    static let planMaxTokens = 640

    /// Designs by plan: the model writes a plan under a schema that makes structural errors impossible, the compiler
    /// makes the graph, the validator and the request's facts check it, and problems go back at their plan paths.
    func designByPlan(_ prose: String, editing current: Workflow?, currentPlan: DesignPlan?, recommendations: [TemplateRecommender.Recommendation],
                      provider: any LLMProvider, progress: (@Sendable (DesignProgress) -> Void)?) async throws -> Design {
        let redactor = Redactor(secrets: secrets)
        let facts = ProseFacts(prose)
        let offline = current == nil && planStart == .draft ? OfflinePlanner(registry: registry, recommender: recommender).plan(prose) : nil
        let draft = offline.flatMap { Self.draftPlan($0, registry: registry) }
        let brief = draft.map { DraftBrief($0, registry: registry) }
        let types = catalogTypes(prose, current: current, recommendation: draft == nil ? recommendations.first?.workflow : nil, draft: draft)
        var values: [String: Any] = ["catalog": planCatalog(), "prose": prose, "facts": Self.factLines(facts)]
        if !Self.factLines(facts).isEmpty { values["has_facts"] = true }
        if let draft {
            values["draft"] = brief?.shown.jsonText
        } else if let example = examplePlan(recommendations.first?.workflow, types: types) {
            values["example"] = example
        }
        if let currentPlan { values["current"] = currentPlan.jsonText }
        let request = redactor.redact(prompts.render("plan-request", values))
        let system = prompts.render("plan", [:])
        // From a draft, the trigger the request's words name is the only one allowed: the 1.5B model otherwise wrote a
        // webhook for "deploy shop to staging" and for "when the workflow Deploy fails" (docs/DESIGN-QUALITY.md).
        let triggers = draft != nil ? ["trigger.\((facts.trigger ?? .manual).rawValue)"] : nil
        var grammarSchema = PlanSchema(registry: registry, types: types, dialect: .grammar)
        var strictSchema = PlanSchema(registry: registry, types: types, dialect: .strict)
        grammarSchema.triggerTypes = triggers
        strictSchema.triggerTypes = triggers
        grammarSchema.allowsAssumptions = draft == nil
        strictSchema.allowsAssumptions = draft == nil
        let schema = grammarSchema.schema
        let strict = strictSchema.schema
        let grammar = CompactGrammar(schema).text
        // From a draft, the code writes the first answer's start — the draft's title and trigger, the trigger already
        // held by the schema to the one the request's words name — and the model goes on with the steps.
        let start = brief.flatMap { Self.answerStart($0.shown, schema: schema) }
        var messages = [LLMMessage(.user, request)]
        var design = Design(provider: provider.name, model: provider.model, recommendations: recommendations)
        for round in 0...maxRepairRounds {
            let purpose = round == 0 ? "design" : "repair"
            progress?(.round(round + 1, purpose: purpose))
            var call = LLMRequest(system: system, messages: messages, schema: schema, purpose: purpose)
            call.strictSchema = strict
            call.grammar = grammar
            if round == 0 { call.start = start }
            call.maxTokens = Self.planMaxTokens
            let (completion, begun) = try await ask(provider, call, round: round + 1, into: &design, progress: progress)
            var record = begun
            record.answer = String(completion.text.prefix(8000))
            let feedback = readPlanAnswer(completion.text, prose: prose, facts: facts, current: current, brief: brief,
                                          askModel: round < maxRepairRounds, into: &design, record: &record)
            if completion.truncated { record.errors.append("the answer was cut off at the token limit") }
            design.rounds.append(record)
            progress?(.validated(round: round + 1, errors: record.errors.count, fixes: record.fixes))
            if feedback.isEmpty { break }
            messages.append(LLMMessage(.assistant, String(completion.text.prefix(8000))))
            let problems = completion.truncated ? ["the answer was cut off: write a shorter plan (fewer steps, shorter texts)"] + feedback : feedback
            messages.append(LLMMessage(.user, redactor.redact(prompts.render("plan-repair", ["problems": Array(problems.prefix(12))]))))
        }
        if let draft, let offline {
            keepDraftIfBetter(&design, draft: draft, offline: offline, facts: facts)
            if facts.trigger == nil, design.workflow != nil, !design.assumptions.contains(OfflinePlanner.startedByHand) {
                design.assumptions.append(OfflinePlanner.startedByHand)
            }
        }
        // Facts the model still disagrees with after its repairs: the request's words win, and the proposal says so.
        if var workflow = design.workflow, design.report.isValid {
            let aligned = AutoFixer.alignSchedule(&workflow, withRequest: prose)
            if !aligned.isEmpty {
                design.fixes += aligned
                design.assumptions.append("the schedule was set from the request's own words: \(aligned.joined(separator: "; "))")
            }
            let stacks = Self.alignStack(&workflow, facts: facts)
            if !stacks.isEmpty {
                design.fixes += stacks
                design.assumptions.append("the stack was set from the request's own words: \(stacks.joined(separator: "; "))")
            }
            if Validator(registry: registry).validate(workflow).isValid {
                design.workflow = workflow
                design.assumptions += Self.factDisagreements(workflow, facts: facts).map { "not done as the request says: \($0)" }
            }
        }
        if let current, let workflow = design.workflow {
            design.diff = LineDiff.diff(WorkflowCodec.yaml(current, registry: registry), WorkflowCodec.yaml(workflow, registry: registry)).joined(separator: "\n")
        }
        return design
    }

    /// The start of an answer from a draft, `{"name":…,"trigger":…,"steps":[` as the draft is shown, and the grammar
    /// of its steps (``AnswerStart``): ≈ 20–40 tokens the 1.5B model copied one by one, read instead with the prompt.
    static func answerStart(_ shown: DesignPlan, schema: JSONValue) -> AnswerStart? {
        guard let rest = CompactGrammar.rest(of: schema, afterOpening: "steps"), case .object(let plan) = shown.jsonValue,
            let name = plan["name"], let trigger = plan["trigger"]
        else { return nil }
        let text = #"{"name":"# + name.jsonText + #","trigger":"# + trigger.jsonText(keysFirst: DesignPlan.keyOrder) + #","steps":["#
        return AnswerStart(text: text, grammar: rest.text)
    }

    /// Reads one answer: a plan (compiled, validated, checked against the facts) or, from a model that wrote a whole
    /// graph anyway, a workflow. Returns the problems to send back; empty when the design is done.
    private func readPlanAnswer(_ text: String, prose: String, facts: ProseFacts, current: Workflow?, brief: DraftBrief?, askModel: Bool,
                                into design: inout Design, record: inout DesignRound) -> [String] {
        guard let value = Self.jsonObject(in: text) else {
            record.outcome = "unreadable"
            let reason = text.trimmingCharacters(in: .whitespaces).hasPrefix("{") ? "the answer stops in the middle of its JSON: it was cut off" : "the answer holds no JSON object"
            record.errors = [reason]
            if design.workflow == nil { design.report = ValidationReport(problems: [Problem(.syntaxError, path: "", message: reason)]) }
            return ["\(reason): reply with the plan's JSON object only"]
        }
        if value["trigger"] == nil, value["steps"] == nil, value["nodes"] != nil || value["workflow"]?["nodes"] != nil {
            return readGraphAnswer(text, prose: prose, current: current, into: &design, record: &record)
        }
        let read = DesignPlan.read(value)
        guard var plan = read.plan else {
            record.outcome = "unreadable"
            record.errors = read.problems.map(\.description)
            if design.workflow == nil { design.report = ValidationReport(problems: read.problems) }
            return read.problems.map(Self.feedbackLine)
        }
        if let brief { plan = brief.restore(plan, registry: registry) }
        let output = PlanCompiler(registry: registry).compile(plan)
        var workflow = output.workflow
        if let current { workflow = Self.keepingDetails(of: current, in: workflow) }
        if workflow.name.isEmpty { workflow.name = OfflinePlanner.title(prose) }
        var report = Validator(registry: registry).validate(workflow)
        let repair = ReferenceRepair.apply(report, to: workflow, registry: registry, facts: facts, askModel: askModel)
        let referenceFixes = repair.fixes
        if !repair.fixes.isEmpty || !repair.assumptions.isEmpty {
            workflow = repair.workflow
            report = Validator(registry: registry).validate(workflow)
        }
        let planProblems = read.problems + output.problems + report.errors.map(output.planProblem)
        let disagreements = Self.factDisagreements(workflow, facts: facts)
        record.fixes = output.fixes + referenceFixes
        record.errors = planProblems.map(\.description) + disagreements
        let readErrors = (read.problems + output.problems).filter { $0.severity == .error }
        record.outcome = report.isValid && readErrors.isEmpty ? "valid" : "invalid"
        design.workflow = workflow
        design.plan = plan
        design.report = ValidationReport(problems: report.problems + readErrors)
        design.fixes += output.fixes + referenceFixes
        // The model's assumptions, then what the reference repair had to assume about this answer.
        design.assumptions = plan.assumptions + repair.assumptions
        // Unless ``repairsFactsAlone``, a valid plan that disagrees with the request's facts is not sent back on that
        // account alone: the 1.5B model answered such a repair with the same plan three times in four; the facts are
        // aligned after the rounds (the request's words win, and the proposal says so). With errors, they go along.
        let errors = planProblems.filter { $0.severity == .error }.map(Self.feedbackLine)
        return errors.isEmpty && !repairsFactsAlone ? [] : repair.hints + errors + disagreements
    }

    /// A whole graph (the first generation's answer, or a model that did not write a plan): read tolerantly,
    /// auto-fixed, validated. Returns the problems to send back; empty when it is valid.
    func readGraphAnswer(_ text: String, prose: String, current: Workflow?, into design: inout Design, record: inout DesignRound) -> [String] {
        do {
            let parsed = try ResponseParser.parse(text)
            var (workflow, fixes) = AutoFixer(registry: registry).fix(parsed.loaded.workflow)
            fixes += AutoFixer.alignSchedule(&workflow, withRequest: prose)
            if let current { workflow.name = current.name }
            if workflow.name.trimmingCharacters(in: .whitespaces).isEmpty { workflow.name = OfflinePlanner.title(prose) }
            let readProblems = parsed.loaded.problems.filter { $0.severity == .error }
            var report = Validator(registry: registry).validate(LoadedWorkflow(workflow: workflow, problems: readProblems))
            let repair = ReferenceRepair.apply(report, to: workflow, registry: registry, facts: ProseFacts(prose))
            if !repair.fixes.isEmpty || !repair.assumptions.isEmpty {
                workflow = repair.workflow
                fixes += repair.fixes
                report = Validator(registry: registry).validate(LoadedWorkflow(workflow: workflow, problems: readProblems))
            }
            record.fixes = fixes
            record.errors = report.errors.map(\.description)
            record.outcome = report.isValid ? "valid" : "invalid"
            design.workflow = workflow
            design.report = report
            design.fixes += fixes
            if !parsed.explanation.isEmpty { design.explanation = parsed.explanation }
            design.assumptions = (parsed.assumptions.isEmpty ? design.assumptions : parsed.assumptions) + repair.assumptions
            return Array(report.errors.prefix(15).map(\.description))
        } catch {
            record.outcome = "unreadable"
            record.errors = ["\(error)"]
            if design.workflow == nil { design.report = ValidationReport(problems: [Problem(.syntaxError, path: "", message: "\(error)")]) }
            return ["\(error). Reply with the JSON object only."]
        }
    }

    static func feedbackLine(_ problem: Problem) -> String {
        var line = "\(problem.path.isEmpty ? "plan" : problem.path): \(problem.message)"
        if let suggestion = problem.suggestion { line += " (\(suggestion))" }
        return line
    }

    /// The first JSON object in a model's answer: the whole text, a fenced block, or the outermost braces.
    static func jsonObject(in text: String) -> JSONValue? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        for candidate in ResponseParser.fencedBlocks(trimmed) + [trimmed] + [ResponseParser.outermostObject(trimmed)].compactMap({ $0 }) {
            if let value = try? JSONValue.parse(candidate), case .object = value { return value }
        }
        return nil
    }

    /// An edit keeps what the plan form does not say about the nodes it keeps: display names, retry policies, notes,
    /// positions, disabled flags, and the workflow's description, tags and settings.
    static func keepingDetails(of current: Workflow, in edited: Workflow) -> Workflow {
        var workflow = edited
        workflow.name = current.name
        workflow.description = current.description
        workflow.tags = current.tags
        workflow.settings = current.settings
        let triggerID = current.nodes.first { $0.type.hasPrefix("trigger.") }?.id
        for index in workflow.nodes.indices {
            let id = workflow.nodes[index].id
            let originalID = id == "trigger" ? (triggerID ?? id) : id
            guard let original = current.node(originalID), original.type == workflow.nodes[index].type else { continue }
            if originalID != id {
                let old = id
                workflow.nodes[index].id = originalID
                for edge in workflow.edges.indices {
                    if workflow.edges[edge].source == old { workflow.edges[edge].source = originalID }
                    if workflow.edges[edge].target == old { workflow.edges[edge].target = originalID }
                }
            }
            workflow.nodes[index].name = workflow.nodes[index].name ?? original.name
            workflow.nodes[index].retry = original.retry
            workflow.nodes[index].notes = original.notes
            workflow.nodes[index].position = original.position
            workflow.nodes[index].disabled = original.disabled
            if workflow.nodes[index].timeout == nil { workflow.nodes[index].timeout = original.timeout }
        }
        return workflow
    }

    // MARK: - The prompt's parts

    /// The action types the prompt shows and the schema allows: all of them, or those the request can need.
    func catalogTypes(_ prose: String, current: Workflow?, recommendation: Workflow?, draft: DesignPlan? = nil) -> [String] {
        let actions = registry.types.filter { !$0.isTrigger && $0.category != .logic }
        guard catalogScope == .relevant else { return actions.map(\.id) }
        var chosen: [String] = []
        func add(_ id: String) { if actions.contains(where: { $0.id == id }), !chosen.contains(id) { chosen.append(id) } }
        for id in draft?.actionTypes ?? [] { add(id) }
        for id in ProseFacts(prose).actions { add(id) }
        for node in current?.nodes ?? [] { add(node.type) }
        for node in recommendation?.nodes ?? [] { add(node.type) }
        // Then by the words the request shares with each type's name, summary and parameters.
        let words = Set(TextIndex.words(prose))
        let ranked = actions.map { type -> (String, Int) in
            let text = ([type.id, type.displayName, type.summary] + type.parameters.map(\.name)).joined(separator: " ")
            return (type.id, Set(TextIndex.words(text)).intersection(words).count)
        }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
        for (id, _) in ranked.prefix(3) { add(id) }
        for id in Self.alwaysListed { add(id) }
        return actions.map(\.id).filter { chosen.prefix(9).contains($0) }
    }

    /// The types every relevant catalog carries.
    static let alwaysListed = ["integration.notification", "integration.script"]

    /// The catalog lines: every type, in registry order, whatever the request. The schema alone narrows the actions
    /// to those the request can need (``catalogTypes``): a catalog trimmed per request made the prompt differ after
    /// the triggers, so llama-server (`cache_prompt`) read ≈ 170 more tokens on every call, ≈ 2.5 s on this machine;
    /// listed whole, the system prompt and the catalog are one prefix it keeps between calls.
    func planCatalog() -> String {
        registry.types.filter { $0.isTrigger || $0.category != .logic }
            .map { NodeCatalog.line($0, optional: $0.isTrigger ? 2 : 4, withoutDefaultsFirst: true) }.joined(separator: "\n")
    }

    /// The offline planner's plan, for the model to correct (``PlanStart/draft``); nil when its graph has no plan form.
    static func draftPlan(_ offline: OfflinePlanner.Plan, registry: NodeRegistry) -> DesignPlan? {
        guard var plan = PlanDecompiler.plan(offline.workflow, registry: registry) else { return nil }
        plan.assumptions = []
        return plan
    }

    /// The model's plan is checked against the steps the request's words ask for: when it is invalid after its rounds,
    /// or leaves out a step the words ask for that the draft has (and has every one the model's plan has), the draft
    /// is kept and the proposal says why. The 1.5B model sometimes wrote the draft's later steps as assumptions
    /// ("the team must be told on Teams") instead of steps.
    func keepDraftIfBetter(_ design: inout Design, draft: DesignPlan, offline: OfflinePlanner.Plan, facts: ProseFacts) {
        let validator = Validator(registry: registry)
        let draftReport = validator.validate(offline.workflow)
        guard draftReport.isValid else { return }
        let asked = Set(facts.actions)
        let draftCovers = asked.intersection(offline.workflow.nodes.map(\.type))
        let modelCovers = asked.intersection(design.workflow?.nodes.map(\.type) ?? [])
        let missing = draftCovers.subtracting(modelCovers)
        let reason: String
        if !design.isValid {
            reason = "the model's plan was still invalid after its repairs (\(design.report.errors.prefix(2).map(\.message).joined(separator: "; ")))"
        } else if !missing.isEmpty, draftCovers.isSuperset(of: modelCovers) {
            reason = "the model's plan left out what the request asks for (\(missing.sorted().joined(separator: ", ")))"
        } else {
            return
        }
        design.workflow = offline.workflow
        design.plan = draft
        design.report = draftReport
        design.assumptions = offline.assumptions + ["\(reason): the draft made from the request's words was kept"]
    }

    /// The recommended template as a plan, its long texts shortened and its steps cut to fit a small prompt.
    func examplePlan(_ workflow: Workflow?, types: [String]) -> String? {
        guard let workflow, let whole = PlanDecompiler.plan(workflow, registry: registry) else { return nil }
        let budget = catalogScope == .relevant ? 260 : 700
        var plan = whole
        plan.assumptions = []
        plan.trigger.with = plan.trigger.with.mapValues(Self.shortened)
        plan.steps = whole.steps.map { Self.shortened($0, registry: registry) }
        // Fewer steps until it fits: the first ones show the shape.
        for count in stride(from: min(plan.steps.count, catalogScope == .relevant ? 3 : 6), through: 1, by: -1) {
            var cut = plan
            cut.steps = Array(plan.steps.prefix(count))
            let text = cut.jsonText
            if TokenEstimate.of(text) <= budget { return text }
        }
        return nil
    }

    /// A step with long texts cut, lists shortened, at most four parameters per action (the required ones and those
    /// without a default first), and at most two steps in each inner list: a small model copies what it is shown.
    static func shortened(_ step: PlanStep, registry: NodeRegistry) -> PlanStep {
        let inner = { (steps: [PlanStep]) in Array(steps.prefix(2)).map { shortened($0, registry: registry) } }
        switch step {
        case .action(var action):
            let type = registry.type(action.type)
            let ranked = action.with.keys.sorted { left, right in
                func rank(_ name: String) -> Int {
                    guard let parameter = type?.parameter(name) else { return 3 }
                    return parameter.required ? 0 : parameter.defaultValue == nil ? 1 : 2
                }
                return (rank(left), left) < (rank(right), right)
            }
            let kept = Set(ranked.prefix(4))
            action.with = action.with.filter { kept.contains($0.key) }.mapValues(shortened)
            action.timeout = nil
            if case .steps(let handler) = action.onError { action.onError = .steps(inner(handler)) }
            return .action(action)
        case .condition(let name, let condition, let then, let otherwise): return .condition(name: name, condition: condition, then: inner(then), otherwise: inner(otherwise))
        case .choice(let name, let value, let cases, let otherwise):
            return .choice(name: name, value: value, cases: cases.prefix(2).map { PlanCase(when: $0.when, condition: $0.condition, steps: inner($0.steps), name: $0.name) }, otherwise: inner(otherwise))
        case .forEach(let name, let items, let parallel, let body, let options): return .forEach(name: name, items: items, parallel: parallel, body: inner(body), options: options)
        case .parallel(let name, let branches, let join): return .parallel(name: name, branches: branches.prefix(2).map(inner), join: join)
        case .wait, .stop: return step
        }
    }

    static func shortened(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where text.count > 40:
            // Cut at a word, without an ellipsis a model would copy.
            var cut = text.prefix(40)
            cut = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
            // Never a `{{` left open: a small model copies it (expression_syntax in its own texts).
            if let open = cut.range(of: "{{", options: .backwards), !cut[open.upperBound...].contains("}}") {
                let whole = text[open.lowerBound...].range(of: "}}").map { text[..<$0.upperBound] }
                cut = whole.map { $0.count <= 60 ? $0 : cut[..<open.lowerBound] } ?? cut[..<open.lowerBound]
            }
            return .string(String(cut).trimmingCharacters(in: .whitespacesAndNewlines))
        case .array(let elements): return .array(elements.prefix(2).map(shortened))
        case .object(let members): return .object(members.mapValues(shortened))
        default: return value
        }
    }

    /// What the request says in so many words, as the prompt gives it to the model.
    static func factLines(_ facts: ProseFacts) -> [String] {
        var lines: [String] = []
        if let schedule = facts.schedule { lines.append("schedule: \(schedule.cron) (\"\(schedule.phrase)\")") }
        if let trigger = facts.trigger { lines.append("trigger: trigger.\(trigger.rawValue)") }
        if let environment = facts.environment { lines.append("environment: \(environment)") }
        if let stack = facts.stack { lines.append("stack: \(stack)") }
        if !facts.services.isEmpty { lines.append("services: \(facts.services.joined(separator: ", "))") }
        if !facts.channels.isEmpty { lines.append("notify by: \(facts.channels.joined(separator: ", "))") }
        if let channel = facts.slackChannel { lines.append("slack channel: \(channel)") }
        if !facts.emails.isEmpty { lines.append("email to: \(facts.emails.joined(separator: ", "))") }
        if !facts.urls.isEmpty { lines.append("urls: \(facts.urls.joined(separator: ", "))") }
        if let threshold = facts.threshold { lines.append("threshold: \(JSONValue.format(threshold))") }
        if let days = facts.retentionDays { lines.append("retention: \(days) days") }
        if let replicas = facts.replicas { lines.append("replicas: \(replicas)") }
        if let path = facts.path { lines.append("path: \(path)") }
        return lines
    }

    /// Every literal `stack_id` that names another stack than the request's, set to the request's; each change in
    /// words. A stack read from an expression (`{{ item }}`, `{{ trigger.stack_id }}`) is the plan's choice and kept.
    static func alignStack(_ workflow: inout Workflow, facts: ProseFacts) -> [String] {
        guard let stack = facts.stack else { return [] }
        var changes: [String] = []
        for index in workflow.nodes.indices {
            guard let written = workflow.nodes[index].configuration["stack_id"]?.stringValue, written != stack,
                !Template.containsPlaceholder(written)
            else { continue }
            workflow.nodes[index].configuration["stack_id"] = .string(stack)
            changes.append("\(workflow.nodes[index].id): stack_id '\(written)' → '\(stack)'")
        }
        return changes
    }

    /// Where the plan says otherwise than the request's own words: sent with a repair, said in the proposal.
    static func factDisagreements(_ workflow: Workflow, facts: ProseFacts) -> [String] {
        var found: [String] = []
        let text = workflow.nodes.map { JSONValue.object($0.configuration).jsonText }.joined(separator: " ")
        if let schedule = facts.schedule, schedule.assumption == nil {
            let written = workflow.nodes.first { $0.type == "trigger.schedule" }?.configuration["schedule"]?.stringValue
            if written == nil {
                found.append("trigger: the request runs on a schedule (\"\(schedule.phrase)\"): use trigger.schedule with schedule \"\(schedule.cron)\"")
            } else if written?.split(separator: " ").joined(separator: " ") != schedule.cron {
                found.append("trigger.with.schedule: the request says \"\(schedule.phrase)\", which is \"\(schedule.cron)\", not \"\(written!)\"")
            }
        }
        for email in facts.emails where !text.contains(email) {
            found.append("the request sends e-mail to \(email), which the plan never uses")
        }
        for url in facts.urls where !text.contains(url) {
            found.append("the request names \(url), which the plan never uses")
        }
        if let stack = facts.stack, text.contains("stack_id"), !text.contains("\"\(stack)\"") {
            found.append("the request is about the \(stack) stack: set stack_id to \"\(stack)\"")
        }
        return found
    }
}
