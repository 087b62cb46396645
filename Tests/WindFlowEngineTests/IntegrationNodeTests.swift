import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// Integration nodes against real peers on loopback.
@Suite(.serialized)
struct IntegrationNodeTests {
    let server: LoopbackServer

    init() throws {
        server = try LoopbackServer()
    }

    @Test func httpParsesJSONAndFeedsLaterNodes() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: http
            nodes:
              - {id: start, type: trigger.manual}
              - {id: get, type: integration.http, configuration: {url: "\(server.base)/json", query: {page: "{{ trigger.page }}"}}}
              - id: post
                type: integration.http
                configuration:
                  method: POST
                  url: "\(server.base)/echo"
                  headers: {X-Name: "{{ get.body.name }}"}
                  body: {count: "{{ get.body.items | length }}", status: "{{ get.status }}"}
            """, input: ["page": 2])
        #expect(execution.status == "succeeded", "\(execution.errorMessage ?? "")")
        #expect(runs.last("get")?.output?["body"]?["items"] == [1, 2])
        let echo = try #require(runs.last("post")?.output?["body"])
        #expect(echo["method"] == "POST")
        #expect(echo["headers"]?["x-name"] == "windflow")
        #expect(echo["body"] == "{\"count\":2,\"status\":200}")
        #expect(echo["headers"]?["content-type"] == "application/json")
    }

    @Test func unexpectedStatusesFailWithTheRightClass() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (denied, _) = try await box.run("""
            name: denied
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, retry_count: 3, retry: {initial_delay: 0.01}, configuration: {url: "\(server.base)/auth"}}
            """)
        #expect(denied.status == "failed")
        #expect(denied.errorKind == "http")
        #expect(denied.errorMessage?.contains("answered 401 (expected 200-299): bad credentials; check the credentials") == true)
        #expect(try box.store.nodeRuns(of: denied.id).count == 1, "a 401 must not be retried")
        let (allowed, _) = try await box.run("""
            name: allowed
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/auth", auth: {type: bearer, token: "{{ secrets.TOKEN }}"}}}
            """, engine: box.engine(secrets: ["TOKEN": "good"]))
        #expect(allowed.status == "succeeded")
        let (expected, _) = try await box.run("""
            name: expected 404
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/status/404", expected_status: [404, 410]}}
            """)
        #expect(expected.status == "succeeded")
    }

    @Test func serverErrorsAreRetriedWithBackoffUntilTheyPass() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let key = UUID().uuidString
        let (execution, runs) = try await box.run("""
            name: flaky
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, retry_count: 4, retry: {initial_delay: 0.05, jitter: 0}, configuration: {url: "\(server.base)/flaky?key=\(key)&fail=2"}}
            """)
        #expect(execution.status == "succeeded")
        #expect(runs.map(\.status) == ["failed", "failed", "succeeded"])
        #expect(runs.last?.output?["body"]?["attempts"] == 3)
    }

    @Test func httpTimeoutsAndRefusedConnectionsAreRetryable() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: slow
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, retry_count: 1, retry: {initial_delay: 0.01}, configuration: {url: "\(server.base)/slow?seconds=3", timeout: 0.3}}
            """)
        #expect(execution.status == "failed")
        #expect(execution.errorKind == "timeout")
        #expect(runs.count == 2)
    }
}
