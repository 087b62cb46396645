import Foundation
import WindFlowCore
import WindFlowStore

/// Everything a designer needs that does not change between requests (the model, prompts, templates); makes a
/// designer whose recommendations and secrets are the store's as they are now.
public struct DesignerSetup: Sendable {
    public var llm: LLMConfiguration
    public var prompts: PromptLibrary
    public var templates: TemplateCatalog
    public var maxRepairRounds: Int
    /// Secrets from the process (`WINDFLOW_SECRET_*`), added to the store's.
    public var secrets: [String: String]
    /// The catalog a plan prompt carries; nil: relevant types for a local server, every type for a hosted one.
    public var catalogScope: CatalogScope?
    /// What a plan prompt starts the model from; nil: the request's draft for a local server, a template's plan as an
    /// example for a hosted one.
    public var planStart: PlanStart?

    public init(llm: LLMConfiguration, prompts: PromptLibrary, templates: TemplateCatalog, maxRepairRounds: Int = 2, secrets: [String: String] = [:]) {
        self.llm = llm
        self.prompts = prompts
        self.templates = templates
        self.maxRepairRounds = maxRepairRounds
        self.secrets = secrets
    }

    /// The offline planner with the bundled prompts and templates.
    public static func offline() throws -> DesignerSetup {
        DesignerSetup(llm: LLMConfiguration(provider: .offline), prompts: try PromptLibrary(), templates: try TemplateCatalog())
    }

    /// A designer over `store`'s workflows, history and secrets (none without a store).
    public func designer(store: (any WindFlowStorage)?) async throws -> Designer {
        let workflows = try await store?.workflows(activeOnly: false).map(\.workflow) ?? []
        let recommender = await TemplateRecommender(
            candidates: TemplateRecommender.candidates(catalog: templates, workflows: workflows), history: try store?.successCounts() ?? [:])
        var designer = Designer(prompts: prompts, templates: templates, recommender: recommender, provider: llm.makeProvider())
        designer.maxRepairRounds = maxRepairRounds
        // A model on this machine reads prompts slowly: it gets the catalog the request needs, hosted ones all of it.
        designer.catalogScope = catalogScope ?? (llm.isLocalServer ? .relevant : .full)
        // A small local model answers a repair about a fact alone with the same plan; a hosted one fixes it.
        designer.repairsFactsAlone = !llm.isLocalServer
        // A small model copies what it is shown: a draft of the request itself, rather than another workflow.
        designer.planStart = planStart ?? (llm.isLocalServer ? .draft : .example)
        var secrets = try await store?.secrets() ?? [:]
        secrets.merge(self.secrets) { _, process in process }
        if let key = llm.apiKey { secrets["LLM_API_KEY"] = key }
        designer.secrets = secrets
        return designer
    }
}
