import CurlHTTP
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner
@testable import WindFlowStore

/// The scripted LLM server (scripts/test-peers/llm_server.py) on loopback, driven over its own HTTP API.
final class ScriptedLLM: @unchecked Sendable {
    // Safe: immutable after init.
    let server: LoopbackServer
    var base: String { server.base }

    init() async throws {
        server = try await LoopbackServer.start(script: "llm_server.py", arguments: [])
    }

    struct Step {
        var content = ""
        var status = 200
        var headers: [String: String] = [:]
        var delay = 0.0
        var truncate = false
        var error: String?

        var json: JSONValue {
            var object: [String: JSONValue] = [
                "content": .string(content), "status": .int(status), "delay": .double(delay), "truncate": .bool(truncate),
                "headers": .object(headers.mapValues { .string($0) }),
            ]
            if let error { object["error"] = .string(error) }
            return .object(object)
        }
    }

    func script(_ steps: [Step]) async throws {
        _ = try await CurlClient.shared.perform(CurlRequest(
            method: "POST", url: base + "/_script", headers: [("Content-Type", "application/json")],
            body: Data(JSONValue.object(["responses": .array(steps.map(\.json))]).jsonText.utf8)))
    }

    func script(_ contents: String...) async throws {
        try await script(contents.map { Step(content: $0) })
    }

    /// The requests received so far (path, headers, body).
    func requests() async throws -> [JSONValue] {
        let response = try await CurlClient.shared.perform(CurlRequest(url: base + "/_requests"))
        return try JSONDecoder().decode(JSONValue.self, from: response.body).arrayValue ?? []
    }

    func configuration(_ provider: LLMConfiguration.Provider, stream: Bool = true, key: String? = "sk-test-0123456789abcdef") -> LLMConfiguration {
        LLMConfiguration(provider: provider, baseURL: base, model: "scripted", apiKey: key, timeout: 10, maxRetries: 2, maxRetryDelay: 2, stream: stream)
    }
}

/// A scratch store for one test.
struct DesignSandbox {
    let directory: URL
    let store: SQLiteStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-design-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    func proposals(_ provider: (any LLMProvider)?, maxRepairRounds: Int = 2, repairsFactsAlone: Bool = true, planStart: PlanStart = .example) throws -> Proposals {
        let templates = try TemplateCatalog()
        let recommender = TemplateRecommender(
            candidates: TemplateRecommender.candidates(catalog: templates, workflows: try store.workflows().map(\.workflow)),
            history: try store.successCounts())
        var designer = Designer(prompts: try PromptLibrary(), templates: templates, recommender: recommender, provider: provider)
        designer.maxRepairRounds = maxRepairRounds
        designer.repairsFactsAlone = repairsFactsAlone
        designer.planStart = planStart
        return Proposals(store: store, designer: designer)
    }
}

/// Answers in the shape the design prompt asks for.
enum Answers {
    static let valid = """
        {"explanation": "Checks the site every five minutes and tells Slack when it is down.", "assumptions": ["Slack webhook in a secret"],
         "workflow": {"name": "Site check", "nodes": [
           {"id": "every_5_minutes", "type": "trigger.schedule", "configuration": {"schedule": "*/5 * * * *"}},
           {"id": "check", "type": "integration.http", "configuration": {"url": "https://example.org/health", "method": "GET"}, "error_handling": "branch"},
           {"id": "tell", "type": "integration.notification", "configuration": {"channels": ["slack"], "message": "The site is down.", "slack_webhook_url": "{{ secrets.SLACK_WEBHOOK_URL }}"}}],
          "edges": [{"source": "every_5_minutes", "target": "check"}, {"source": "check", "target": "tell", "branch": "error"}]}}
        """

    static func wrapped(nodes: String, edges: String) -> String {
        #"{"explanation": "x", "assumptions": [], "workflow": {"name": "Scripted", "nodes": [\#(nodes)], "edges": [\#(edges)]}}"#
    }
}
