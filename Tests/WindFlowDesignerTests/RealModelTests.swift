import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner

/// Opt-in (`WINDFLOW_REAL_LLM=1`): a few eval cases against the real local model of scripts/local-llm.sh
/// (`WINDFLOW_LLM_BASE_URL`, default http://127.0.0.1:8091). Prints the report; checks the pipeline, not the model's
/// wisdom, so a weak answer fails no test but shows in the figures.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["WINDFLOW_REAL_LLM"] == "1"))
struct RealModelTests {
    static var base: String { ProcessInfo.processInfo.environment["WINDFLOW_LLM_BASE_URL"] ?? "http://127.0.0.1:8091" }

    @Test func theSystemPromptFitsTheBudgetInTheModelsOwnTokens() async throws {
        let templates = try TemplateCatalog()
        let designer = Designer(prompts: try PromptLibrary(), templates: templates,
                                recommender: TemplateRecommender(candidates: TemplateRecommender.candidates(catalog: templates, workflows: [])), provider: nil)
        let prompt = designer.systemPrompt(example: "nightly-database-backup")
        let response = try await CurlClient.shared.perform(CurlRequest(
            method: "POST", url: Self.base + "/tokenize", headers: [("Content-Type", "application/json")],
            body: Data(JSONValue.object(["content": .string(prompt)]).jsonText.utf8)))
        let tokens = try #require(try JSONDecoder().decode(JSONValue.self, from: response.body)["tokens"]?.arrayValue?.count)
        print("system prompt: \(tokens) tokens (Qwen2.5 tokenizer), estimated \(TokenEstimate.of(prompt))")
        #expect(tokens <= 1500)
    }

    @Test func aFewCasesDesignedByTheLocalModel() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let all = try DesignEvaluation.cases(String(contentsOf: root.appendingPathComponent("Evals/design-cases.yaml"), encoding: .utf8))
        let chosen = all.filter { ["deploy-shop-staging", "nightly-db-backup", "webhook-deploy-staging"].contains($0.id) }
        let templates = try TemplateCatalog()
        let configuration = LLMConfiguration(provider: .openai, baseURL: Self.base, model: ProcessInfo.processInfo.environment["WINDFLOW_LLM_MODEL"] ?? "local",
                                             maxTokens: 1200, timeout: 600, maxRetries: 1)
        let designer = Designer(prompts: try PromptLibrary(), templates: templates,
                                recommender: TemplateRecommender(candidates: TemplateRecommender.candidates(catalog: templates, workflows: [])),
                                provider: configuration.makeProvider())
        var local = designer
        local.catalogScope = .relevant
        let results = await DesignEvaluation.run(chosen, designer: local)
        print(DesignEvaluation.report(results, title: "local model, \(chosen.count) cases"))
        for result in results {
            #expect(result.error == nil, "\(result.id): \(result.error ?? "")")
            #expect(result.calls >= 1 && result.promptTokens > 0 && result.completionTokens > 0)
        }
    }
}
