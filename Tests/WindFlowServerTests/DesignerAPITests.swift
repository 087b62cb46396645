import CurlHTTP
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner
@testable import WindFlowStore

/// The designer over HTTP on the real server, with the scripted LLM server as the model.
@Suite(.serialized)
struct DesignerAPITests {
    @Test func designAcceptRunFromProseOverHTTP() async throws {
        let llm = try await LoopbackServer.start(script: "llm_server.py", arguments: [])
        let script = #"{"responses": [{"content": "{\"explanation\": \"greets\", \"assumptions\": [], \"workflow\": {\"name\": \"Greeter\", \"nodes\": [{\"id\": \"start\", \"type\": \"trigger.manual\", \"configuration\": {}}, {\"id\": \"greet\", \"type\": \"shell\", \"configuration\": {\"script\": \"echo hi\"}}], \"edges\": []}}"}]}"#
        _ = try await CurlClient.shared.perform(CurlRequest(method: "POST", url: llm.base + "/_script", body: Data(script.utf8)))
        let service = try ServiceHarness()
        defer { service.remove() }
        var setup = DesignerSetup(
            llm: LLMConfiguration(provider: .openai, baseURL: llm.base, model: "scripted", apiKey: "sk-secret-key-123456", timeout: 10),
            prompts: try PromptLibrary(), templates: try TemplateCatalog())
        // The scripted answer stands for a hosted model's, a whole graph written for the example prompt.
        setup.planStart = .example
        try await service.start(designer: setup)
        let designed = try await service.request("POST", "/api/v1/designs", body: #"{"prose": "say hi from a script"}"#)
        #expect(designed.status == 201, "\(designed.json.jsonText)")
        #expect(designed.json["valid"] == true && designed.json["provider"] == "openai")
        #expect(designed.json["rounds"]?.arrayValue?.first?["fixes"]?.arrayValue?.isEmpty == false, "the type 'shell' and the missing edge were fixed")
        #expect(!designed.json.jsonText.contains("sk-secret"))
        #expect(designed.json["recommendations"]?.arrayValue != nil, "the templates that fit come with the proposal")
        let id = try #require(designed.json["id"]?.stringValue)
        // Not a workflow until accepted.
        #expect(try await service.request("GET", "/api/v1/workflows/Greeter").status == 404)
        let accepted = try await service.request("POST", "/api/v1/proposals/\(id)/accept")
        #expect(accepted.status == 201 && accepted.json["version"] == 1)
        #expect(try await service.request("POST", "/api/v1/proposals/\(id)/accept").status == 409)
        let run = try await service.request("POST", "/api/v1/workflows/Greeter/run", body: "{}")
        let execution = try #require(run.json["execution_id"]?.stringValue)
        #expect(try await service.finished(execution)["status"] == "succeeded")
        let metrics = try await service.request("GET", "/metrics", auth: false)
        #expect(metrics.json.stringValue?.contains(#"windflow_llm_calls_total{provider="openai",outcome="ok"} 1"#) == true)
        await service.stop()
    }

    @Test func anUnreachableModelIsA502AndAnInvalidProposalCannotBeAccepted() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        let setup = DesignerSetup(
            llm: LLMConfiguration(provider: .anthropic, baseURL: "http://127.0.0.1:9", model: "m", apiKey: "sk-ant-secret-999999", maxRetries: 0),
            prompts: try PromptLibrary(), templates: try TemplateCatalog())
        try await service.start(designer: setup)
        let failed = try await service.request("POST", "/api/v1/designs", body: #"{"prose": "anything"}"#)
        #expect(failed.status == 502 && failed.json["kind"] == "unreachable")
        #expect(!failed.json.jsonText.contains("sk-ant-secret"))
        #expect(try await service.request("POST", "/api/v1/designs", body: #"{"nope": 1}"#).status == 400)
        #expect(try await service.request("POST", "/api/v1/designs", body: #"{"prose": "   "}"#).status == 400)
        let record = ProposalRecord(id: "prop_invalid", prose: "x", workflowName: "X", definition: "name: X\nnodes: []\n", valid: false,
                                    report: [["code": "empty_workflow"]], rounds: [], provider: "openai", model: "m", promptTokens: 0,
                                    completionTokens: 0, latencyMs: 0, explanation: "", assumptions: [], createdAt: 0)
        try service.store.saveProposal(record)
        let refused = try await service.request("POST", "/api/v1/proposals/prop_invalid/accept")
        #expect(refused.status == 409 && refused.json["problems"]?.arrayValue?.count == 1)
        #expect(try await service.request("GET", "/api/v1/recommendations?q=renew%20certificates").json.arrayValue?.first?["id"] == "certificate-renewal")
        await service.stop()
    }
}
