import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore

/// The probes of the security review, fired at a real `windflow serve`: webhook bodies that tried to run commands
/// through script placeholders, and script nodes that read secrets they were never given.
@Suite(.serialized)
struct WebhookSecurityTests {
    typealias Server = ServeShutdownTests.Server

    @Test func hostileWebhookBodiesCreateNoFileAndFailTheRunClearly() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-probe-\(UUID().uuidString)")
        let work = scratch.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = scratch.appendingPathComponent("x")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let server = try await Server(["--port", "0", "--db", scratch.appendingPathComponent("db.sqlite").path], scratch: scratch)
        do { try await probeHostileBodies(server, work: work, target: target) } catch {
            _ = await server.terminate(within: 5)
            throw error
        }
        _ = await server.terminate(within: 5)
    }

    func probeHostileBodies(_ server: Server, work: URL, target: URL) async throws {

        let workflow = """
            name: probe
            nodes:
              - {id: hook, type: trigger.webhook, configuration: {webhook_path: /probe, authentication: none}}
              - {id: quoted, type: integration.script, configuration: {working_directory: "\(work.path)", script: "touch \\"{{ trigger.name }}\\""}}
              - {id: arithmetic, type: integration.script, configuration: {working_directory: "\(work.path)", script: "echo $(( {{ trigger.n }} + 1 ))"}}
            edges:
              - {source: hook, target: quoted}
              - {source: quoted, target: arithmetic}
            """
        let created = try await server.call("POST", "/api/v1/workflows?activate=true", body: workflow)
        #expect(created["id"] != nil, "\(created)")

        let payloads: [JSONValue] = [
            ["name": .string("a b \(target.path)/pwned *"), "n": 1],
            ["name": "plain", "n": .string("a[$(touch \(target.path)/pwned_arith)]")],
        ]
        var executions: [String] = []
        for payload in payloads {
            let response = try await CurlClient.shared.perform(CurlRequest(
                method: "POST", url: server.base + "/webhooks/probe", headers: [("Content-Type", "application/json")],
                body: Data(payload.jsonText.utf8)))
            #expect(response.status == 202)
            let answer = try JSONDecoder().decode(JSONValue.self, from: response.body)
            executions.append(try #require(answer["execution_id"]?.stringValue))
        }
        for execution in executions {
            let status = try await ServeShutdownTests.waitFor(execution, on: server, status: ["succeeded", "failed"], within: 30)
            #expect(status == "failed")
        }
        // The first body: one file, named exactly as sent, which cannot exist (its name holds a folder that does not).
        let second = try await server.call("GET", "/api/v1/executions/\(executions[1])")
        let arithmeticRun = second["node_runs"]?.arrayValue?.first { $0["node"]?.stringValue == "arithmetic" }
        let message = arithmeticRun?["error_message"]?.stringValue ?? "\(second)"
        #expect(message.contains("not an integer"), "\(message)")
        let made = try FileManager.default.contentsOfDirectory(atPath: work.path)
        #expect(made == ["plain"], "files made by the scripts: \(made)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)
    }

    @Test func aScriptSeesNoSecretItWasNotGivenAndDerivedSecretsAreRedacted() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let secret = "probe-secret-\(UUID().uuidString.prefix(8))"
        let providerKey = "sk-provider-\(UUID().uuidString.prefix(8))"
        let server = try await Server(
            ["--port", "0", "--db", scratch.appendingPathComponent("db.sqlite").path], scratch: scratch,
            environment: ["WINDFLOW_SECRET_PROBE_TOKEN": secret, "WINDFLOW_SECRET_UNUSED": "unused-\(secret)", "OPENAI_API_KEY": providerKey])
        do { try await probeSecrets(server, secret: secret, providerKey: providerKey) } catch {
            _ = await server.terminate(within: 5)
            throw error
        }
        _ = await server.terminate(within: 5)
    }

    func probeSecrets(_ server: Server, secret: String, providerKey: String) async throws {

        let workflow = """
            name: secret probe
            nodes:
              - {id: start, type: trigger.manual}
              - {id: listing, type: integration.script, configuration: {script: "env"}}
              - {id: upper, type: integration.script, configuration: {script: "echo {{ secrets.PROBE_TOKEN | upper }}"}}
              - {id: encoded, type: integration.script, configuration: {script: "printf '%s' \\"$S\\" | base64; printf 'user:%s' \\"$S\\" | base64", env: {S: "{{ secrets.PROBE_TOKEN }}"}}}
              - {id: joined, type: logic.stop, configuration: {status: succeeded, message: "{{ 'Bearer ' + (secrets.PROBE_TOKEN | upper) }}"}}
            edges:
              - {source: start, target: listing}
              - {source: listing, target: upper}
              - {source: upper, target: encoded}
              - {source: encoded, target: joined}
            """
        let created = try await server.call("POST", "/api/v1/workflows?activate=true", body: workflow)
        let id = try #require(created["id"]?.stringValue, "\(created)")
        let started = try await server.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")
        let execution = try #require(started["execution_id"]?.stringValue, "\(started)")
        let status = try await ServeShutdownTests.waitFor(execution, on: server, status: ["succeeded", "failed"], within: 30)
        #expect(status == "succeeded")

        let record = try await server.call("GET", "/api/v1/executions/\(execution)")
        let text = record.jsonText
        let listing = record["node_runs"]?.arrayValue?.first { $0["node"]?.stringValue == "listing" }?["output"]?["stdout"]?.stringValue ?? ""
        #expect(listing.contains("PATH="), "the listing ran: \(listing)")
        #expect(!listing.contains("WINDFLOW_SECRET_"), "\(listing)")
        #expect(!listing.contains("OPENAI_API_KEY"), "\(listing)")
        let forms = [
            secret, secret.uppercased(), Data(secret.utf8).base64EncodedString(), "Bearer \(secret.uppercased())",
            providerKey, "unused-\(secret)",
        ]
        for form in forms { #expect(!text.contains(form), "\(form) is in the execution record") }
        let basic = Data("user:\(secret)".utf8).base64EncodedString()
        #expect(!text.contains(basic), "base64 of user:secret is in the record")
        #expect(text.contains("[secret]"))
    }
}
