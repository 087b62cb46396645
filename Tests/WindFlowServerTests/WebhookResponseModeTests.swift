import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowStore

/// `response_mode: wait`: the webhook answers with the run's result, or 202 when it takes longer than allowed.
@Suite(.serialized)
struct WebhookResponseModeTests {
    @Test func aWaitingWebhookAnswersWithTheResult() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let workflow = """
            name: answering
            nodes:
              - {id: hook, type: trigger.webhook, configuration: {webhook_path: /quote, authentication: none, response_mode: wait, response_timeout: 60}}
              - {id: price, type: integration.script, configuration: {script: "printf '{\\"total\\": %s0}' \\"{{ trigger.body.qty }}\\" > \\"$WINDFLOW_OUTPUT\\""}}
              - {id: check, type: logic.condition, configuration: {condition: "{{ price.total > 100 }}"}}
              - {id: refuse, type: logic.stop, configuration: {status: failed, message: "too expensive"}}
              - {id: fine, type: logic.stop, configuration: {message: ok}}
            edges:
              - {source: hook, target: price}
              - {source: price, target: check}
              - {source: check, target: refuse, branch: "true"}
              - {source: check, target: fine, branch: "false"}
            """
        #expect(try await service.request("POST", "/api/v1/workflows?activate=true", body: workflow).status == 201)
        let cheap = try await service.request("POST", "/webhooks/quote", body: #"{"qty": 3}"#, headers: [("Content-Type", "application/json")], auth: false)
        #expect(cheap.status == 200, "\(cheap.json.jsonText)")
        #expect(cheap.json["status"] == "succeeded")
        #expect(cheap.json["output"]?["fine"] != nil)
        let dear = try await service.request("POST", "/webhooks/quote", body: #"{"qty": 30}"#, headers: [("Content-Type", "application/json")], auth: false)
        #expect(dear.status == 500 && dear.json["detail"]?.stringValue?.contains("too expensive") == true, "\(dear.json.jsonText)")
        #expect(dear.json["execution_id"] != nil)
        await service.stop()
    }

    @Test func aSlowRunStillGetsItsExecutionIDInTime() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let workflow = """
            name: slow answer
            nodes:
              - {id: hook, type: trigger.webhook, configuration: {webhook_path: /slow, authentication: none, response_mode: wait, response_timeout: 1}}
              - {id: nap, type: logic.wait, configuration: {duration: 60}}
            """
        #expect(try await service.request("POST", "/api/v1/workflows?activate=true", body: workflow).status == 201)
        let started = Date()
        let answer = try await service.request("POST", "/webhooks/slow", body: "{}", auth: false)
        #expect(answer.status == 202 && answer.json["execution_id"] != nil)
        // Bounds loose enough for a loaded machine: the run waits a minute, the answer is due at 1 s.
        #expect(Date().timeIntervalSince(started) < 20, "it answers at the response timeout, not at the end of the run")
        await service.stop()
    }
}
