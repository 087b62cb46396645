import CurlHTTP
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore

/// `windflow serve --db postgres://…` on a real, throwaway PostgreSQL: a run goes through the PostgreSQL store from
/// the webhook to its end, and another process reads it there; a wrong URL or a server that is not there is said.
@Suite(.serialized)
struct PostgresServeTests {
    @Test func serveOnPostgresRunsAWorkflowThatAnotherProcessThenReads() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-pg-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        let server = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2"], scratch: scratch)
        defer { kill(server.process.processIdentifier, SIGKILL) }
        let marker = scratch.appendingPathComponent("marker").path
        let created = try await server.call("POST", "/api/v1/workflows", body: """
            name: two steps
            nodes:
              - {id: start, type: trigger.manual}
              - {id: first, type: integration.script, configuration: {script: "echo first >> \(marker)"}}
              - {id: second, type: integration.script, configuration: {script: "echo second-$WINDFLOW_ATTEMPT >> \(marker)"}}
            edges: [{source: start, target: first}, {source: first, target: second}]
            """)
        let id = try #require(created["id"]?.stringValue, "\(created)")
        let execution = try #require(try await server.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")["execution_id"]?.stringValue)
        #expect(try await ServeShutdownTests.waitFor(execution, on: server, status: ["succeeded", "failed"], within: 30) == "succeeded")
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "first\nsecond-1\n", "each node once, in order")
        let output = (try? String(contentsOf: server.output, encoding: .utf8)) ?? ""
        #expect(output.contains("(database \(url))"), "\(output)")
        _ = await server.terminate(within: 20)
        let shown = try await windflow(["executions", "show", execution, "--db", url])
        #expect(shown.status == 0 && shown.stdout.contains("succeeded"), "\(shown.stdout)\(shown.stderr)")
        let listed = try await windflow(["executions", "list"], environment: ["WINDFLOW_DB": url])
        #expect(listed.stdout.contains(String(execution.prefix(12))), "WINDFLOW_DB selects it too: \(listed.stdout)\(listed.stderr)")
    }

    @Test func aMalformedURLOrAnAbsentServerIsSaidWithTheFix() async throws {
        let malformed = try await windflow(["executions", "list", "--db", "postgres://127.0.0.1:5432/windflow"])
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("names no user") && malformed.stderr.contains("expected postgres://USER"), "\(malformed.stderr)")
        let port = 1  // privileged and unused on loopback: the connection is refused
        let absent = try await windflow(["executions", "list", "--db", "postgres://windflow:hunter2@127.0.0.1:\(port)/windflow"])
        #expect(absent.status != 0)
        #expect(absent.stderr.contains("cannot reach PostgreSQL") && absent.stderr.contains("127.0.0.1:\(port)"), "\(absent.stderr)")
        #expect(absent.stderr.contains("check that the server is running"), "\(absent.stderr)")
        #expect(!absent.stderr.contains("hunter2"), "the password is never shown")
    }

    /// `windflow store copy`: an SQLite store moved to PostgreSQL, used there, refused a second time, and brought back.
    @Test func aStoreIsCopiedToPostgresUsedThereAndCopiedBack() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-pg-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        let (local, back) = (scratch.appendingPathComponent("local.sqlite").path, scratch.appendingPathComponent("back.sqlite").path)
        let file = scratch.appendingPathComponent("hello.yaml")
        try """
            name: hello
            nodes:
              - {id: start, type: trigger.manual}
              - {id: say, type: integration.script, configuration: {script: "echo hello"}}
            """.write(to: file, atomically: true, encoding: .utf8)
        let first = try await windflow(["run", file.path, "--db", local])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let executions = try await windflow(["executions", "list", "--db", local, "--format", "json"])
        let id = try #require(try JSONValue.parse(executions.stdout).arrayValue?.first?["id"]?.stringValue, "\(executions.stdout)")

        let copied = try await windflow(["store", "copy", "--from", "sqlite:" + local, "--to", url])
        #expect(copied.status == 0 && copied.stdout.contains("every table's count matches the source"), "\(copied.stdout)\(copied.stderr)")
        #expect(copied.stdout.contains("execution: 1") && copied.stdout.contains("workflow_version: 1"), "\(copied.stdout)")
        let shown = try await windflow(["executions", "show", id, "--db", url])
        #expect(shown.status == 0 && shown.stdout.contains("succeeded"), "\(shown.stdout)\(shown.stderr)")
        let second = try await windflow(["run", file.path, "--db", url])
        #expect(second.status == 0, "the copy takes new runs: \(second.stdout)\(second.stderr)")

        let again = try await windflow(["store", "copy", "--from", local, "--to", url])
        #expect(again.status != 0 && again.stderr.contains("already holds") && again.stderr.contains("--overwrite"), "\(again.stderr)")
        let home = try await windflow(["store", "copy", "--from", url, "--to", "sqlite:" + back])
        #expect(home.status == 0 && home.stdout.contains("execution: 2"), "\(home.stdout)\(home.stderr)")
        let listed = try await windflow(["executions", "list", "--db", back, "--format", "json"])
        #expect(try JSONValue.parse(listed.stdout).arrayValue?.count == 2, "\(listed.stdout)")

        let same = try await windflow(["store", "copy", "--from", local, "--to", "sqlite:" + local])
        #expect(same.status != 0 && same.stderr.contains("the same store"), "\(same.stderr)")
        let missing = try await windflow(["store", "copy", "--from", scratch.appendingPathComponent("none.sqlite").path, "--to", back])
        #expect(missing.status != 0 && missing.stderr.contains("there is no SQLite file"), "\(missing.stderr)")
    }
}
