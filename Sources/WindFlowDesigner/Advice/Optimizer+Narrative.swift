import Foundation
import WindFlowCore
import WindFlowStore

extension Optimizer {
    /// A few plain sentences per suggestion from the model (prompts `optimize` and `optimize-request`), for people
    /// who read prose better than patches. The figures come from the suggestions; the model only words them.
    /// - Returns: One entry per suggestion, in order; empty when the model's answer cannot be read.
    public func narrative(for suggestions: [SuggestionRecord], workflow name: String, designer: Designer) async throws -> [String] {
        guard let provider = designer.provider, !suggestions.isEmpty else { return [] }
        let findings = suggestions.map { "\($0.title): \($0.rationale)" }
        let request = Redactor(secrets: designer.secrets).redact(designer.prompts.render("optimize-request", ["workflow": name, "findings": findings]))
        let schema: JSONValue = ["type": "object", "required": ["narrative"], "properties": ["narrative": ["type": "array", "items": ["type": "string"]]]]
        let started = Date()
        do {
            let completion = try await provider.complete(
                LLMRequest(system: designer.prompts.render("optimize", [:]), messages: [LLMMessage(.user, request)], schema: schema, purpose: "optimize"),
                progress: nil)
            try? store.recordLLMCall(LLMCallRecord(
                at: started.timeIntervalSince1970, provider: provider.name, model: completion.model, purpose: "optimize",
                promptTokens: completion.promptTokens, completionTokens: completion.completionTokens, latencyMs: completion.latency * 1000,
                attempts: completion.attempts, outcome: "ok"))
            let text = ResponseParser.outermostObject(completion.text) ?? completion.text
            let entries = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))?["narrative"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return Array(entries.prefix(suggestions.count))
        } catch {
            let failure = error as? LLMError ?? LLMError(.unreachable, "\(error)")
            try? store.recordLLMCall(LLMCallRecord(
                at: started.timeIntervalSince1970, provider: provider.name, model: provider.model, purpose: "optimize", promptTokens: 0,
                completionTokens: 0, latencyMs: Date().timeIntervalSince(started) * 1000, attempts: 0, outcome: failure.kind.rawValue, error: failure.message))
            throw failure
        }
    }
}
