import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowServer

/// The server holds requests to its OpenAPI document: undeclared methods, parameters and bodies that break it.
@Suite(.serialized)
struct ContractTests {
    @Test func anUndeclaredMethodOnAKnownPathIs405WithAllow() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let trace = try await service.request("TRACE", "/api/v1/workflows")
        #expect(trace.status == 405)
        #expect(trace.headers.header("allow") == "GET, POST")
        #expect(trace.headers.header("content-type") == "application/problem+json")
        #expect(try await service.request("PATCH", "/api/v1/workflows/anything").headers.header("allow") == "DELETE, GET, PUT")
        #expect(try await service.request("GET", "/api/v1/nowhere").status == 404, "an unknown path stays 404")
        await service.stop()
    }

    @Test func parametersAndBodiesThatBreakTheDocumentAre400() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let limit = try await service.request("GET", "/api/v1/executions?limit=abc")
        #expect(limit.status == 400)
        #expect(limit.json["violations"]?.arrayValue?.first?["path"] == "query limit")
        #expect(try await service.request("GET", "/api/v1/executions?status=done").status == 400)
        #expect(try await service.request("PUT", "/api/v1/stacks/0", body: "services: {}\n").status == 400, "a stack name starts with a letter")
        let event = try await service.request("POST", "/api/v1/events", body: #"{"event": "deploy", "payload": 5}"#)
        #expect(event.status == 400)
        #expect(event.json["violations"]?.arrayValue?.first?["path"] == "body.payload")
        #expect(try await service.request("POST", "/api/v1/events", body: #"{"event": "workflow.made"}"#).status == 400)
        #expect(try await service.request("PUT", "/api/v1/secrets/TOKEN", body: "{}").status == 400)
        let shapeless = try await service.request("POST", "/api/v1/workflows", body: "name: 5\nnodes: []\n")
        #expect(shapeless.status == 400, "\(shapeless.json.jsonText)")
        #expect(try await service.request("GET", "/api/v1/workflows/x/versions/one").status == 400)
        await service.stop()
    }

    @Test func executionsPageOnWithACursor() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start(configuration: ServerConfiguration(port: 0, workers: 0, maxBodyBytes: 64 * 1024))
        let created = try await service.request("POST", "/api/v1/workflows", body: "name: paged\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: logic.stop}\n")
        let id = try #require(created.json["id"]?.stringValue)
        var started: [String] = []
        for _ in 0..<5 { started.append(try #require(try await service.request("POST", "/api/v1/workflows/\(id)/run").json["execution_id"]?.stringValue)) }
        let first = try await service.request("GET", "/api/v1/executions?limit=2").json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        let second = try await service.request("GET", "/api/v1/executions?limit=2&cursor=\(first.last ?? "")").json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        let third = try await service.request("GET", "/api/v1/executions?limit=2&cursor=\(second.last ?? "")").json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(first + second + third == started.reversed())
        #expect(try await service.request("GET", "/api/v1/executions?cursor=ex_unknown").json == [])
        await service.stop()
    }
}
