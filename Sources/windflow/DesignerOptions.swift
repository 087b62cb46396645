import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner
import WindFlowStore

/// The model and the prompt and template folders, shared by `design` and `eval`.
struct DesignerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("openai, anthropic, ollama or offline.", discussion: "Default: $WINDFLOW_LLM_PROVIDER, else offline (templates, no model)."))
    var provider: String?

    @Option(help: "The model (default: $WINDFLOW_LLM_MODEL, else the provider's usual small model).")
    var model: String?

    @Option(name: .customLong("base-url"), help: "The server's root URL, e.g. http://127.0.0.1:8091 (default: $WINDFLOW_LLM_BASE_URL, else the provider's).")
    var baseURL: String?

    @Option(help: "Seconds one model call may take (default: $WINDFLOW_LLM_TIMEOUT, else 300).")
    var timeout: Double?

    @Option(name: .customLong("max-repairs"), help: "Repair rounds after the first answer, 0–5.")
    var maxRepairs = 2

    @Option(name: .customLong("prompts-dir"), help: "A folder of *.mustache files replacing the bundled prompts of the same name (default: $WINDFLOW_PROMPTS_DIR).")
    var promptsDirectory: String?

    @Option(name: .customLong("templates-dir"), help: "A folder of workflow templates to use instead of the bundled ones (default: $WINDFLOW_TEMPLATES_DIR).")
    var templatesDirectory: String?

    @Option(name: .customLong("start-from"), help: ArgumentHelp("What the model starts from: draft (the offline planner's plan for the request, to correct) or example (a template's plan).",
                                                            discussion: "Default: $WINDFLOW_DESIGN_START, else draft for a model on this machine, example for a hosted one."))
    var startFrom: String?

    @Flag(name: .customLong("no-stream"), help: "Ask for the whole answer at once (for servers that cannot stream).")
    var noStream = false

    func validate() throws {
        guard (0...5).contains(maxRepairs) else { throw ValidationError("--max-repairs must be between 0 and 5") }
        if let startFrom, PlanStart(rawValue: startFrom) == nil { throw ValidationError("--start-from must be draft or example, not '\(startFrom)'") }
    }

    /// The setup these options describe. The API key comes from the environment only, never a flag (flags show
    /// in `ps`).
    func setup() throws -> DesignerSetup {
        let environment = ProcessInfo.processInfo.environment
        var configuration: LLMConfiguration
        do { configuration = try LLMConfiguration.resolve(provider: provider, baseURL: baseURL, model: model) } catch { throw CLIError("\(error)") }
        if let timeout { configuration.timeout = timeout }
        configuration.stream = !noStream
        var secrets: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("WINDFLOW_SECRET_") { secrets[String(name.dropFirst(16))] = value }
        let start = startFrom ?? environment["WINDFLOW_DESIGN_START"].flatMap { $0.isEmpty ? nil : $0 }
        guard start.map({ PlanStart(rawValue: $0) != nil }) ?? true else { throw CLIError("WINDFLOW_DESIGN_START must be draft or example, not '\(start!)'") }
        do {
            var setup = DesignerSetup(
                llm: configuration,
                prompts: try PromptLibrary(overrides: promptsDirectory ?? environment["WINDFLOW_PROMPTS_DIR"].flatMap { $0.isEmpty ? nil : $0 }),
                templates: try TemplateCatalog(directory: templatesDirectory ?? environment["WINDFLOW_TEMPLATES_DIR"].flatMap { $0.isEmpty ? nil : $0 }),
                maxRepairRounds: maxRepairs, secrets: secrets)
            setup.planStart = start.flatMap(PlanStart.init(rawValue:))
            return setup
        } catch { throw CLIError("\(error)") }
    }

    /// The designer these options describe, over `store` (for history and secrets) when one is given.
    func designer(store: (any WindFlowStorage)?) async throws -> Designer {
        try await setup().designer(store: store)
    }
}

/// How the CLI shows a design's progress on standard error.
func printDesignProgress(_ event: DesignProgress) {
    switch event {
    case .round(let number, let purpose):
        printError("round \(number): \(purpose)…")
    case .receiving:
        break
    case .retrying(let attempt, let delay, let reason):
        printError("  \(reason); attempt \(attempt) in \(String(format: "%.1f", delay)) s")
    case .validated(let round, let errors, let fixes):
        for fix in fixes { printError("  fixed: \(fix)") }
        printError("  round \(round): " + (errors == 0 ? "valid" : "\(errors) error(s)"))
    }
}
