import Foundation
import WindFlowCore
import WindFlowStore

/// Prose in, a validated workflow out: the model's answer is read tolerantly, auto-fixed where the fix is
/// unambiguous, validated against the registry, and sent back with the validator's own messages for at most
/// ``maxRepairRounds`` repairs. With no model, the offline planner designs from templates.
public struct Designer: Sendable {
    public let registry: NodeRegistry
    public let prompts: PromptLibrary
    public let templates: TemplateCatalog
    public let recommender: TemplateRecommender
    /// nil: the offline planner.
    public let provider: (any LLMProvider)?
    public var maxRepairRounds = 2
    /// Values never sent to a model (they are replaced by `[secret]` in prompts).
    public var secrets: [String: String] = [:]
    /// Where model calls get their time from.
    public var clock: any WallClock = SystemClock()
    /// Hears about every model call, whatever its outcome (the store records them).
    public var recordCall: (@Sendable (LLMCallRecord) async -> Void)?
    /// Prompt budget for the design system prompt, in estimated tokens.
    public var systemPromptBudget = 1500
    /// How much of the registry a plan prompt carries (``CatalogScope``).
    public var catalogScope: CatalogScope = .full
    /// Whether models write plans (the default) or whole graphs (the first generation, kept for comparison).
    public var designsByPlan = true
    /// Whether a valid plan that disagrees with the request's facts (another schedule, an unused e-mail address) goes
    /// back for a repair (hosted models fix it), or has them aligned after the rounds and said in its assumptions
    /// (small local models answered such repairs with the same plan).
    public var repairsFactsAlone = true
    /// What the plan prompt starts the model from (``PlanStart``).
    public var planStart: PlanStart = .example

    public init(
        registry: NodeRegistry = .standard, prompts: PromptLibrary, templates: TemplateCatalog, recommender: TemplateRecommender,
        provider: (any LLMProvider)?
    ) {
        self.registry = registry
        self.prompts = prompts
        self.templates = templates
        self.recommender = recommender
        self.provider = provider
    }

    public var providerName: String { provider?.name ?? "offline" }
    public var modelName: String { provider?.model ?? "templates" }

    /// Designs a workflow for `prose`; with `current`, changes that workflow instead.
    /// - Throws: ``LLMError`` when the model cannot be reached or refuses (after retries); an answer that is not a
    ///   workflow is not an error but a round that did not produce one.
    public func design(_ prose: String, editing current: Workflow? = nil, progress: (@Sendable (DesignProgress) -> Void)? = nil) async throws -> Design {
        let recommendations = recommender.recommend(current.map { prose + " " + $0.name + " " + $0.description } ?? prose, limit: 3)
        guard let provider else {
            progress?(.round(1, purpose: "offline"))
            let design = offlineDesign(prose, editing: current, recommendations: recommendations)
            progress?(.validated(round: 1, errors: design.report.errors.count, fixes: design.fixes))
            return design
        }
        // An edit works on the plan of the current workflow; a graph the plan form cannot say is edited whole.
        let currentPlan = current.flatMap { PlanDecompiler.plan($0, registry: registry) }
        if designsByPlan, current == nil || currentPlan != nil {
            return try await designByPlan(prose, editing: current, currentPlan: currentPlan, recommendations: recommendations,
                                          provider: provider, progress: progress)
        }
        return try await designGraph(prose, editing: current, recommendations: recommendations, provider: provider, progress: progress)
    }

    /// The first generation: the model writes the whole graph, read tolerantly, auto-fixed, validated, repaired.
    private func designGraph(_ prose: String, editing current: Workflow?, recommendations: [TemplateRecommender.Recommendation],
                             provider: any LLMProvider, progress: (@Sendable (DesignProgress) -> Void)?) async throws -> Design {
        let redactor = Redactor(secrets: secrets)
        let system = systemPrompt(example: recommendations.first?.id)
        let request = redactor.redact(prompts.render("design-request", [
            "prose": prose, "current": current.map { WorkflowCodec.yaml($0, registry: registry) } ?? "",
        ]))
        var messages = [LLMMessage(.user, request)]
        var design = Design(provider: provider.name, model: provider.model, recommendations: recommendations)
        let schema = DesignSchema.answer(registry)
        for round in 0...maxRepairRounds {
            let purpose = round == 0 ? "design" : "repair"
            progress?(.round(round + 1, purpose: purpose))
            let (completion, begun) = try await ask(provider, LLMRequest(system: system, messages: messages, schema: schema, purpose: purpose),
                                                    round: round + 1, into: &design, progress: progress)
            var record = begun
            record.answer = String(completion.text.prefix(8000))
            let feedback = readGraphAnswer(completion.text, prose: prose, current: current, into: &design, record: &record)
            if completion.truncated { record.errors.append("the answer was cut off at the token limit") }
            design.rounds.append(record)
            progress?(.validated(round: round + 1, errors: record.errors.count, fixes: record.fixes))
            if record.outcome == "valid" { break }
            messages.append(LLMMessage(.assistant, String(completion.text.prefix(8000))))
            messages.append(LLMMessage(.user, redactor.redact(prompts.render("repair", ["problems": feedback]))))
        }
        if let current, let workflow = design.workflow {
            design.diff = LineDiff.diff(WorkflowCodec.yaml(current, registry: registry), WorkflowCodec.yaml(workflow, registry: registry)).joined(separator: "\n")
        }
        return design
    }

    /// One model call of a design: progress reported, tokens and latency added to the design, its round begun.
    func ask(_ provider: any LLMProvider, _ request: LLMRequest, round number: Int, into design: inout Design,
             progress: (@Sendable (DesignProgress) -> Void)?) async throws -> (LLMCompletion, DesignRound) {
        let completion = try await provider.completeRecorded(request, at: clock.now(), record: recordCall) { event in
            switch event {
            case .text(_, let characters): progress?(.receiving(characters: characters))
            case .retrying(let attempt, let delay, let reason): progress?(.retrying(attempt: attempt, delay: delay, reason: reason))
            }
        }
        design.model = completion.model
        design.promptTokens += completion.promptTokens
        design.completionTokens += completion.completionTokens
        design.latency += completion.latency
        let round = DesignRound(number: number, purpose: request.purpose, promptTokens: completion.promptTokens,
                                completionTokens: completion.completionTokens, latency: completion.latency)
        return (completion, round)
    }

    private func offlineDesign(_ prose: String, editing current: Workflow?, recommendations: [TemplateRecommender.Recommendation]) -> Design {
        if let current { return offlineEdit(prose, editing: current, recommendations: recommendations) }
        let stopwatch = Stopwatch()
        let plan = OfflinePlanner(registry: registry, recommender: recommender).plan(prose)
        var (workflow, fixes) = AutoFixer(registry: registry).fix(plan.workflow)
        var report = Validator(registry: registry).validate(workflow)
        let repair = ReferenceRepair.apply(report, to: workflow, registry: registry, facts: ProseFacts(prose))
        if !repair.fixes.isEmpty || !repair.assumptions.isEmpty {
            workflow = repair.workflow
            fixes += repair.fixes
            report = Validator(registry: registry).validate(workflow)
        }
        var design = Design(provider: "offline", model: plan.template.map { "template:\($0)" } ?? "composed", recommendations: recommendations)
        design.workflow = workflow
        design.report = report
        design.explanation = plan.explanation
        design.assumptions = plan.assumptions + repair.assumptions
        design.fixes = fixes
        design.latency = stopwatch.seconds
        design.rounds = [DesignRound(number: 1, purpose: "offline", latency: design.latency, outcome: report.isValid ? "valid" : "invalid",
                                     errors: report.errors.map(\.description), fixes: fixes)]
        return design
    }

    /// An offline edit: the operations the prose names, applied to the current workflow; every other node kept.
    private func offlineEdit(_ prose: String, editing current: Workflow, recommendations: [TemplateRecommender.Recommendation]) -> Design {
        let stopwatch = Stopwatch()
        let edit = OfflineEditor(registry: registry, planner: OfflinePlanner(registry: registry, recommender: recommender)).edit(current, prose: prose)
        let report = Validator(registry: registry).validate(edit.workflow)
        var design = Design(provider: "offline", model: "edit", recommendations: recommendations)
        design.workflow = edit.workflow
        design.report = report
        design.explanation = edit.changes.isEmpty ? "Nothing changed." : "Changed: " + edit.changes.joined(separator: "; ") + "."
        design.assumptions = edit.assumptions
        design.latency = stopwatch.seconds
        design.rounds = [DesignRound(number: 1, purpose: "offline", latency: design.latency, outcome: report.isValid ? "valid" : "invalid",
                                     errors: report.errors.map(\.description), fixes: edit.changes)]
        design.diff = LineDiff.diff(WorkflowCodec.yaml(current, registry: registry), WorkflowCodec.yaml(edit.workflow, registry: registry)).joined(separator: "\n")
        return design
    }

    /// The design system prompt: rules, the catalog, and one example answer (the template closest to the request
    /// that fits the budget, long texts shortened).
    public func systemPrompt(example preferred: String? = nil) -> String {
        let catalog = NodeCatalog.text(registry)
        let bare = prompts.render("design", ["catalog": catalog, "example": ""])
        let room = systemPromptBudget - TokenEstimate.of(bare)
        // The recommended template, whole or its first steps, else the smallest template that fits.
        var candidates: [String] = []
        if let entry = preferred.flatMap({ templates.entry($0) }) {
            candidates += stride(from: entry.workflow.nodes.count, through: 3, by: -1).map { Self.exampleAnswer(entry.workflow, registry: registry, nodes: $0) }
        }
        candidates += templates.entries.sorted { $0.yaml.count < $1.yaml.count }.map { Self.exampleAnswer($0.workflow, registry: registry) }
        let example = candidates.first { TokenEstimate.of($0) <= room } ?? ""
        return prompts.render("design", ["catalog": catalog, "example": example])
    }

    /// A workflow as a compact answer object, for the prompt's example.
    static func exampleAnswer(_ whole: Workflow, registry: NodeRegistry, nodes limit: Int = .max) -> String {
        var workflow = whole
        if workflow.nodes.count > limit {
            workflow.nodes = Array(workflow.nodes.prefix(limit))
            let kept = Set(workflow.nodes.map(\.id))
            workflow.edges = workflow.edges.filter { kept.contains($0.source) && kept.contains($0.target) }
        }
        func shorten(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let text) where text.count > 60: return .string(String(text.prefix(57)) + "...")
            case .array(let elements): return .array(elements.prefix(3).map(shorten))
            case .object(let members): return .object(members.mapValues(shorten))
            default: return value
            }
        }
        let nodes: [JSONValue] = workflow.nodes.map { node in
            var object: [String: JSONValue] = ["id": .string(node.id), "type": .string(node.type), "configuration": shorten(.object(node.configuration))]
            if node.errorHandling != .stop { object["error_handling"] = .string(node.errorHandling.rawValue) }
            return .object(object)
        }
        let edges: [JSONValue] = workflow.edges.map { edge in
            var object: [String: JSONValue] = ["source": .string(edge.source), "target": .string(edge.target)]
            if let branch = edge.branch { object["branch"] = .string(branch) }
            return .object(object)
        }
        let answer: JSONValue = [
            "explanation": .string(String(workflow.description.prefix(100))), "assumptions": [],
            "workflow": ["name": .string(workflow.name), "nodes": .array(nodes), "edges": .array(edges)],
        ]
        return answer.jsonText
    }
}

/// A design's outcome: the workflow (when one could be read), its validation, and how it was reached.
public struct Design: Sendable {
    public var workflow: Workflow?
    /// The plan the model wrote, when it wrote one.
    public var plan: DesignPlan?
    public var report = ValidationReport(problems: [])
    public var rounds: [DesignRound] = []
    public var explanation = ""
    public var assumptions: [String] = []
    /// The deterministic fixes applied, over all rounds.
    public var fixes: [String] = []
    public var provider: String
    public var model: String
    public var promptTokens = 0
    public var completionTokens = 0
    /// Seconds spent waiting for the model (or planning offline).
    public var latency = 0.0
    public var recommendations: [TemplateRecommender.Recommendation]
    /// For an edit: the line diff against the current workflow.
    public var diff: String?

    public init(provider: String, model: String, recommendations: [TemplateRecommender.Recommendation] = []) {
        self.provider = provider
        self.model = model
        self.recommendations = recommendations
    }

    public var isValid: Bool { workflow != nil && report.isValid }
    /// Repair rounds it took (0 when the first answer was valid).
    public var repairs: Int { rounds.filter { $0.purpose == "repair" }.count }
}

/// One model call of a design (or the offline planning) and what came of it.
public struct DesignRound: Sendable {
    public var number: Int
    /// `design`, `repair` or `offline`.
    public var purpose: String
    public var promptTokens = 0
    public var completionTokens = 0
    public var latency = 0.0
    /// `valid`, `invalid` or `unreadable`.
    public var outcome = ""
    public var errors: [String] = []
    public var fixes: [String] = []
    /// What the model answered (at most 8,000 characters), for transcripts; empty offline.
    public var answer = ""

    public init(number: Int, purpose: String, promptTokens: Int = 0, completionTokens: Int = 0, latency: Double = 0, outcome: String = "",
                errors: [String] = [], fixes: [String] = []) {
        self.number = number
        self.purpose = purpose
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latency = latency
        self.outcome = outcome
        self.errors = errors
        self.fixes = fixes
    }
}

/// What a design reports while it runs.
public enum DesignProgress: Sendable {
    case round(Int, purpose: String)
    case receiving(characters: Int)
    case retrying(attempt: Int, delay: Double, reason: String)
    case validated(round: Int, errors: Int, fixes: [String])
}
