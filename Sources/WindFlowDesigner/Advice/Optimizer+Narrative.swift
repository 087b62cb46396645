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
        let completion = try await provider.completeRecorded(
            LLMRequest(system: designer.prompts.render("optimize", [:]), messages: [LLMMessage(.user, request)], schema: schema, purpose: "optimize"),
            at: clock.now(), record: { [store] in await LLMCallLog.record($0, in: store) })
        let text = ResponseParser.outermostObject(completion.text) ?? completion.text
        let entries = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))?["narrative"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return Array(entries.prefix(suggestions.count))
    }
}
