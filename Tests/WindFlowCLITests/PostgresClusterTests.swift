import CurlHTTP
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore

/// Several `windflow serve` processes on one PostgreSQL database: each execution runs once, on one of them, and the
/// executions of a process killed with SIGKILL are resumed by another once its lease ends. Bounded in count and time.
@Suite(.serialized)
struct PostgresClusterTests {
    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func twoProcessesRunEachExecutionOnce() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        let first = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "3", "--claim-lease", "5"], scratch: scratch)
        defer { kill(first.process.processIdentifier, SIGKILL) }
        let second = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "3", "--claim-lease", "5"], scratch: scratch, key: first.key)
        defer { kill(second.process.processIdentifier, SIGKILL) }
        let ran = scratch.appendingPathComponent("ran.log").path
        let created = try await first.call("POST", "/api/v1/workflows", body: """
            name: count once
            nodes:
              - {id: start, type: trigger.manual}
              - {id: note, type: integration.script, configuration: {script: "sleep 0.05; echo \\"$WINDFLOW_EXECUTION_ID\\" >> \(ran)"}}
            """)
        let id = try #require(created["id"]?.stringValue, "\(created)")
        var executions: [String] = []
        for index in 0..<60 {
            let server = index % 2 == 0 ? first : second
            executions.append(try #require(try await server.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")["execution_id"]?.stringValue))
        }
        for execution in executions {
            #expect(try await ServeShutdownTests.waitFor(execution, on: second, status: ["succeeded", "failed"], within: 60) == "succeeded")
        }
        let seen = Self.lines(ran)
        #expect(seen.count == 60 && Set(seen) == Set(executions), "each execution ran once: \(seen.count) lines, \(Set(seen).count) distinct")
    }

    @Test func aKilledProcesssExecutionIsResumedByAnotherAfterItsLease() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        let doomed = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2", "--claim-lease", "2"], scratch: scratch)
        defer { kill(doomed.process.processIdentifier, SIGKILL) }
        let log = scratch.appendingPathComponent("steps.log").path
        let created = try await doomed.call("POST", "/api/v1/workflows", body: """
            name: survives a kill
            nodes:
              - {id: start, type: trigger.manual}
              - {id: first, type: integration.script, configuration: {script: "echo first-$WINDFLOW_ATTEMPT >> \(log)"}}
              - {id: long, type: integration.script, configuration: {script: "echo long-$WINDFLOW_ATTEMPT-$$ >> \(log); sleep 6"}}
              - {id: last, type: integration.script, configuration: {script: "echo last-$WINDFLOW_ATTEMPT >> \(log)"}}
            """)
        let id = try #require(created["id"]?.stringValue, "\(created)")
        let execution = try #require(try await doomed.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")["execution_id"]?.stringValue)
        let started = Stopwatch()
        while !Self.lines(log).contains(where: { $0.hasPrefix("long-") }), started.seconds < 30 { try await Task.sleep(for: .milliseconds(50)) }
        // A second process starts while the first holds the execution, and leaves it alone for longer than a lease:
        // the first one's heartbeat keeps it.
        let survivor = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2", "--claim-lease", "2"], scratch: scratch, key: doomed.key)
        defer { kill(survivor.process.processIdentifier, SIGKILL) }
        try await Task.sleep(for: .seconds(3))
        #expect(Self.lines(log).filter { $0.hasPrefix("long-") }.count == 1, "a live lease is not taken: \(Self.lines(log))")
        kill(doomed.process.processIdentifier, SIGKILL)
        #expect(try await ServeShutdownTests.waitFor(execution, on: survivor, status: ["succeeded", "failed"], within: 40) == "succeeded")
        let steps = Self.lines(log)
        #expect(steps.first == "first-1" && steps.filter { $0.hasPrefix("first") }.count == 1, "the completed node is not run again: \(steps)")
        #expect(steps.filter { $0.hasPrefix("long-") }.map { $0.split(separator: "-")[1] } == ["1", "2"], "the node in flight runs again, as attempt 2: \(steps)")
        #expect(steps.last == "last-1", "\(steps)")
    }

    /// The database lost for a while: /readyz says so (503), a webhook is refused rather than acknowledged and lost,
    /// the workers log the outage once and back off, and once the database is back everything works again, in the
    /// same process.
    @Test func aLostDatabaseIsSaidRetriedAndSurvived() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        let server = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2"], scratch: scratch)
        defer { kill(server.process.processIdentifier, SIGKILL) }
        let marker = scratch.appendingPathComponent("hook.log").path
        let created = try await server.call("POST", "/api/v1/workflows", body: """
            name: hooked
            nodes:
              - {id: hook, type: trigger.webhook, configuration: {webhook_path: /outage, authentication: none}}
              - {id: note, type: integration.script, configuration: {script: "echo ran >> \(marker)"}}
            """)
        let id = try #require(created["id"]?.stringValue, "\(created)")
        _ = try await server.call("POST", "/api/v1/workflows/\(id)/activate")
        func status(_ method: String, _ path: String) async -> Int {
            // The webhook's sender retries with the same Idempotency-Key, as a sender that got no 2xx should.
            (try? await CurlClient.shared.perform(CurlRequest(method: method, url: server.base + path,
                                                              headers: [("Content-Type", "application/json"), ("Idempotency-Key", "outage-delivery-1")],
                                                              body: method == "POST" ? Data("{}".utf8) : nil, timeout: 20)).status) ?? 0
        }
        #expect(await status("GET", "/readyz") == 200)
        try await postgres.halt()
        let down = Stopwatch()
        var ready = 200
        while ready == 200, down.seconds < 20 {
            ready = await status("GET", "/readyz")
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(ready == 503, "readyz says the database is gone")
        let refused = await status("POST", "/webhooks/outage")
        #expect(!(200..<300).contains(refused), "a webhook is not acknowledged while it cannot be stored: \(refused)")
        try await Task.sleep(for: .seconds(3))
        try await postgres.resume()
        let back = Stopwatch()
        while await status("GET", "/readyz") != 200, back.seconds < 30 { try await Task.sleep(for: .milliseconds(200)) }
        #expect(await status("GET", "/readyz") == 200, "ready again once the database is back")
        #expect(server.process.isRunning, "never a crash")
        let accepted = Stopwatch()
        var code = 0
        while !(200..<300).contains(code), accepted.seconds < 20 { code = await status("POST", "/webhooks/outage") }
        #expect((200..<300).contains(code))
        let ran = Stopwatch()
        while Self.lines(marker).isEmpty, ran.seconds < 30 { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .seconds(1))
        #expect(Self.lines(marker) == ["ran"], "the delivery ran once, whether the try during the outage was stored or not")
        let logs = (try? String(contentsOf: server.errors, encoding: .utf8)) ?? ""
        let outages = logs.components(separatedBy: "could not take an execution from the queue").count - 1
        #expect((1...2).contains(outages), "the outage is logged once, not at every poll: \(outages)")
    }

    /// `windflow worker`: no HTTP listener, takes executions that a `serve` on the same database queued.
    @Test func aWorkerWithNoListenerTakesExecutionsServeQueued() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        let server = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "1"], scratch: scratch)
        defer { kill(server.process.processIdentifier, SIGKILL) }
        let worker = Process()
        worker.executableURL = try windflowBinary()
        worker.arguments = ["worker", "--db", url, "--workers", "4"]
        worker.standardOutput = FileHandle.nullDevice
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        defer { kill(worker.processIdentifier, SIGKILL) }
        let ran = scratch.appendingPathComponent("ran.log").path
        let created = try await server.call("POST", "/api/v1/workflows", body: """
            name: who runs it
            nodes:
              - {id: start, type: trigger.manual}
              - {id: note, type: integration.script, configuration: {script: "sleep 0.3; echo \\"$WINDFLOW_EXECUTION_ID $PPID\\" >> \(ran)"}}
            """)
        let id = try #require(created["id"]?.stringValue, "\(created)")
        var executions: [String] = []
        for _ in 0..<20 { executions.append(try #require(try await server.call("POST", "/api/v1/workflows/\(id)/run", body: "{}")["execution_id"]?.stringValue)) }
        for execution in executions {
            #expect(try await ServeShutdownTests.waitFor(execution, on: server, status: ["succeeded", "failed"], within: 60) == "succeeded")
        }
        let lines = Self.lines(ran)
        #expect(Set(lines.map { String($0.split(separator: " ")[0]) }) == Set(executions) && lines.count == 20, "each once: \(lines)")
        let byWorker = lines.filter { $0.hasSuffix(" \(worker.processIdentifier)") }.count
        #expect(byWorker > 0, "the worker took some of them (\(byWorker) of 20)")

        let refused = try await windflow(["worker", "--db", scratch.appendingPathComponent("local.sqlite").path])
        #expect(refused.status != 0 && refused.stderr.contains("an SQLite file, which serves one process"), "\(refused.stderr)")
        for command in ["serve", "worker"] {
            let lease = try await windflow([command, "--claim-lease", "0", "--db", url])
            #expect(lease.status != 0 && lease.stderr.contains("the claim lease must be from 1 to 3600 seconds"), "\(command): \(lease.stderr)")
        }
    }

    /// Every `serve` on one database runs the scheduler; a due time still makes one execution: the fire carries an
    /// idempotency key made of the schedule node and the planned time, unique in the store. Waits for one minute
    /// boundary (at most 75 s).
    @Test func aScheduleFiresOncePerDueTimeAcrossProcesses() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        let first = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2"], scratch: scratch)
        defer { kill(first.process.processIdentifier, SIGKILL) }
        let second = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2"], scratch: scratch, key: first.key)
        defer { kill(second.process.processIdentifier, SIGKILL) }
        let fired = scratch.appendingPathComponent("fired.log").path
        let created = try await first.call("POST", "/api/v1/workflows", body: """
            name: every minute
            nodes:
              - {id: tick, type: trigger.schedule, configuration: {schedule: "* * * * *"}}
              - {id: note, type: integration.script, configuration: {script: "echo \\"$WINDFLOW_EXECUTION_ID\\" >> \(fired)"}}
            """)
        let id = try #require(created["id"]?.stringValue, "\(created)")
        _ = try await first.call("POST", "/api/v1/workflows/\(id)/activate")
        let waited = Stopwatch()
        while Self.lines(fired).isEmpty, waited.seconds < 75 { try await Task.sleep(for: .milliseconds(200)) }
        try await Task.sleep(for: .seconds(3))
        #expect(Self.lines(fired).count == 1, "one execution for the due time, from two schedulers: \(Self.lines(fired))")
    }
}
