import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowServer

/// A webhook with `authentication: token` and no token of its own gets one at activation, shown once.
@Suite(.serialized)
struct WebhookTokenTests {
    static let workflow = """
        name: tokened
        nodes:
          - {id: hook, type: trigger.webhook, configuration: {webhook_path: /tokened, authentication: token}}
          - {id: a, type: logic.stop}
        """

    @Test func activationMakesTheTokenAndShowsItOnce() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows?activate=true", body: Self.workflow)
        #expect(created.status == 201)
        let token = try #require(created.json["activation"]?["webhook_tokens"]?["hook"]?.stringValue, "\(created.json.jsonText)")
        let secret = try #require(created.json["activation"]?["secrets"]?["hook"]?.stringValue)
        #expect(try await service.request("POST", "/webhooks/tokened", body: "{}", auth: false).status == 401)
        #expect(try await service.request("POST", "/webhooks/tokened", body: "{}", headers: [("X-WindFlow-Token", "wrong")], auth: false).status == 401)
        #expect(try await service.request("POST", "/webhooks/tokened", body: "{}", headers: [("X-WindFlow-Token", token)], auth: false).status == 202)
        let id = try #require(created.json["id"]?.stringValue)
        let again = try await service.request("POST", "/api/v1/workflows/\(id)/activate")
        #expect(again.status == 200 && again.json["activation"] == nil, "a token is shown once")
        let secrets = try await service.request("GET", "/api/v1/secrets")
        #expect(secrets.json.arrayValue?.map { $0["name"] } == [.string(secret)])
        #expect(!secrets.json.jsonText.contains(token))
        // A new token: delete the secret, activate again.
        #expect(try await service.request("DELETE", "/api/v1/secrets/\(secret)").status == 204)
        let renewed = try await service.request("POST", "/api/v1/workflows/\(id)/activate")
        let fresh = try #require(renewed.json["activation"]?["webhook_tokens"]?["hook"]?.stringValue)
        #expect(fresh != token)
        #expect(try await service.request("POST", "/webhooks/tokened", body: "{}", headers: [("X-WindFlow-Token", token)], auth: false).status == 401)
        #expect(try await service.request("POST", "/webhooks/tokened?token=\(fresh)", body: "{}", auth: false).status == 202)
        await service.stop()
    }
}
