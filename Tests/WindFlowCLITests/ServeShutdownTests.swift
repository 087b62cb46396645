import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore

/// The real `windflow serve` process, stopped with SIGTERM: running nodes get the grace period to finish; what is
/// still running after it is parked in the store and resumes at the next start.
@Suite(.serialized)
struct ServeShutdownTests {
    /// A `windflow serve` child with its stdout in a file.
    final class Server {
        let process = Process()
        let output: URL
        /// Its logs (standard error).
        let errors: URL
        var base = ""
        var key = ""

        init(_ arguments: [String], scratch: URL, key: String? = nil, environment: [String: String] = [:]) async throws {
            output = scratch.appendingPathComponent("serve-\(UUID().uuidString).out")
            FileManager.default.createFile(atPath: output.path, contents: nil)
            errors = scratch.appendingPathComponent("serve-\(UUID().uuidString).err")
            FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.executableURL = try windflowBinary()
            process.arguments = ["serve"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("WindFlow listening on ") }) {
                    base = String(line.dropFirst("WindFlow listening on ".count).prefix { $0 != " " })
                    self.key = key ?? text.split(separator: "\n").first { $0.hasPrefix("API key") }.map { String($0.split(separator: " ").last ?? "") } ?? ""
                    return
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw CLITestError("windflow serve did not start: \((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
        }

        func call(_ method: String, _ path: String, body: String? = nil) async throws -> JSONValue {
            let response = try await CurlClient.shared.perform(CurlRequest(
                method: method, url: base + path, headers: [("Authorization", "Bearer \(key)")], body: body.map { Data($0.utf8) }))
            return (try? JSONDecoder().decode(JSONValue.self, from: response.body)) ?? .null
        }

        /// Sends SIGTERM and waits (bounded) for the exit; returns the seconds it took, or nil if it did not exit.
        func terminate(within limit: Double) async -> Double? {
            let started = Date()
            kill(process.processIdentifier, SIGTERM)
            while process.isRunning, Date().timeIntervalSince(started) < limit { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            return Date().timeIntervalSince(started)
        }
    }

    static func waitFor(_ execution: String, on server: Server, status wanted: Set<String>, within seconds: Double) async throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let status = try await server.call("GET", "/api/v1/executions/\(execution)")["status"]?.stringValue, wanted.contains(status) { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    static func workflow(marker: String, sleep: Double) -> String {
        """
        name: slow step
        nodes:
          - {id: start, type: trigger.manual}
          - {id: slow, type: integration.script, configuration: {script: "sleep \(sleep); echo $WINDFLOW_ATTEMPT >> \(marker)"}}
        """
    }

    @Test func aRunningNodeFinishesWithinTheGracePeriod() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("windflow.yaml")
        try "port: 0\nworkers: 2\nshutdown_grace: 20\ndb: \(scratch.path)/db.sqlite\n".write(to: config, atomically: true, encoding: .utf8)
        let server = try await Server(["--config", config.path], scratch: scratch)
        let marker = scratch.appendingPathComponent("marker").path
        let created = try await server.call("POST", "/api/v1/workflows", body: Self.workflow(marker: marker, sleep: 1.5))
        let id = try #require(created["id"]?.stringValue, "\(created)")
        let execution = try #require(try await server.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")["execution_id"]?.stringValue)
        #expect(try await Self.waitFor(execution, on: server, status: ["running"], within: 10) == "running")
        _ = try #require(await server.terminate(within: 20), "serve did not stop")
        // That it waited for the node is what the marker says (not how long the stop took: on a loaded machine
        // "running" is seen late, and most of the node's 1.5 s may be over by then).
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "1\n", "the node finished, once")
        let listed = try await windflow(["executions", "show", execution, "--db", scratch.path + "/db.sqlite"])
        #expect(listed.stdout.contains("succeeded"), "\(listed.stdout)")
        #expect(((try? String(contentsOf: server.output, encoding: .utf8)) ?? "").contains("WindFlow stopped"))
    }

    @Test func drainingTakesNoNewExecutionsAndTheQueuedOnesRunAtTheNextStart() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let database = scratch.path + "/db.sqlite"
        let first = try await Server(["--port", "0", "--db", database, "--workers", "1", "--shutdown-grace", "20"], scratch: scratch)
        let marker = scratch.appendingPathComponent("marker").path
        // Long enough to be seen running by a poll, and to still run when the shutdown comes, on a loaded machine.
        let created = try await first.call("POST", "/api/v1/workflows", body: Self.workflow(marker: marker, sleep: 10))
        let id = try #require(created["id"]?.stringValue, "\(created)")
        let running = try #require(try await first.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")["execution_id"]?.stringValue)
        #expect(try await Self.waitFor(running, on: first, status: ["running"], within: 10) == "running")
        // The only worker is busy: this one waits in the queue, and must still be waiting after the shutdown.
        let queued = try #require(try await first.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")["execution_id"]?.stringValue)
        _ = try #require(await first.terminate(within: 20), "serve did not stop")
        let shown = try await windflow(["executions", "show", queued, "--db", database])
        #expect(shown.stdout.contains("queued"), "\(shown.stdout)")
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "1\n", "only the running one ran")
        let second = try await Server(["--port", "0", "--db", database], scratch: scratch, key: first.key)
        #expect(try await Self.waitFor(queued, on: second, status: ["succeeded", "failed"], within: 60) == "succeeded")
        _ = await second.terminate(within: 10)
    }

    @Test func whatOutlivesTheGracePeriodResumesAtTheNextStart() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let database = scratch.path + "/db.sqlite"
        let first = try await Server(["--port", "0", "--db", database, "--shutdown-grace", "0.5"], scratch: scratch)
        let marker = scratch.appendingPathComponent("marker").path
        let created = try await first.call("POST", "/api/v1/workflows", body: Self.workflow(marker: marker, sleep: 4))
        let id = try #require(created["id"]?.stringValue, "\(created)")
        let execution = try #require(try await first.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")["execution_id"]?.stringValue)
        #expect(try await Self.waitFor(execution, on: first, status: ["running"], within: 10) == "running")
        let took = try #require(await first.terminate(within: 10), "serve did not stop")
        #expect(took < 3.5, "it stopped at the grace period, not at the end of the node")
        #expect(!FileManager.default.fileExists(atPath: marker), "the interrupted attempt did not finish")
        let second = try await Server(["--port", "0", "--db", database], scratch: scratch, key: first.key)
        #expect(try await Self.waitFor(execution, on: second, status: ["succeeded", "failed"], within: 20) == "succeeded")
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "2\n", "resumed as attempt 2, and only that attempt finished")
        _ = await second.terminate(within: 10)
    }
}
