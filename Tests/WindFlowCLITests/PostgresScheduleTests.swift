import CurlHTTP
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore

/// Schedules on a cluster: every serve runs the scheduler from the plan kept in the store, and a due time makes one
/// execution however many see it (its idempotency key is the node and the planned time). Minutes of real time each,
/// so a suite of its own that runs beside the others.
@Suite(.serialized)
struct PostgresScheduleTests {
    static func workflow(_ name: String, missed: String, fired: String) -> String {
        """
        name: \(name)
        nodes:
          - {id: tick, type: trigger.schedule, configuration: {schedule: "* * * * *", missed_runs: \(missed)}}
          - {id: note, type: integration.script, configuration: {script: "echo \\"$WINDFLOW_EXECUTION_ID $SCHEDULED\\" >> \(fired)", env: {SCHEDULED: "{{ trigger.scheduled_time }}"}}}
        """
    }

    /// Seconds until the next minute boundary on the wall clock, as cron counts.
    static func untilNextMinute() -> Double {
        let now = Date().timeIntervalSince1970
        return 60 - now.truncatingRemainder(dividingBy: 60)
    }

    @Test func aScheduleEveryMinuteOnThreeProcessesFiresThreeTimesInThreeMinutes() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = try PostgresClusterTests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        var servers: [ServeShutdownTests.Server] = []
        for _ in 0..<3 {
            servers.append(try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2"], scratch: scratch, key: servers.first?.key))
        }
        defer { for server in servers { kill(server.process.processIdentifier, SIGKILL) } }
        let fired = scratch.appendingPathComponent("fired.log").path
        let created = try await servers[0].call("POST", "/api/v1/workflows", body: Self.workflow("every minute", missed: "skip", fired: fired))
        let id = try #require(created["id"]?.stringValue, "\(created)")
        // Activated a few seconds after a boundary, watched for 180 s: three boundaries fall in the window.
        if Self.untilNextMinute() < 5 { try await Task.sleep(for: .seconds(Self.untilNextMinute() + 2)) }
        _ = try await servers[0].call("POST", "/api/v1/workflows/\(id)/activate")
        try await Task.sleep(for: .seconds(180))
        try await Task.sleep(for: .seconds(4))  // the last fire's script
        let lines = PostgresClusterTests.lines(fired)
        #expect(lines.count == 3, "three due times, three executions, from three schedulers: \(lines)")
        #expect(Set(lines.map { $0.split(separator: " ").last.map(String.init) ?? "" }).count == 3, "one per due time: \(lines)")
    }

    /// The process that planned the next fire dies; two due times pass with no scheduler alive; another process
    /// starts and applies the missed-run policy: `run_once` runs once for them, `skip` does not. Counted in due times
    /// (the `scheduled_time` each run was given), not in lines: a node in flight when a process dies runs again on
    /// another, and that repeat is the same due time. The first process is killed once its runs have finished, so what
    /// is measured is the scheduler's takeover, not a node's.
    @Test func theMissedRunPolicyHoldsWhenAnotherProcessTakesOver() async throws {
        let postgres = try await PostgresServer.start()
        let scratch = try PostgresClusterTests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = postgres.url + "?sslmode=disable"
        let first = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2"], scratch: scratch)
        let (once, skipped) = (scratch.appendingPathComponent("once.log").path, scratch.appendingPathComponent("skip.log").path)
        // Both activated well before a boundary, so their first due time is the same minute.
        if Self.untilNextMinute() < 10 { try await Task.sleep(for: .seconds(Self.untilNextMinute() + 2)) }
        for (name, missed, fired) in [("catch up", "run_once", once), ("skip missed", "skip", skipped)] {
            let created = try await first.call("POST", "/api/v1/workflows", body: Self.workflow(name, missed: missed, fired: fired))
            let id = try #require(created["id"]?.stringValue, "\(created)")
            _ = try await first.call("POST", "/api/v1/workflows/\(id)/activate")
        }
        // Its first due time fires and its runs finish; then it dies with the next one planned.
        let clock = Stopwatch()
        while PostgresClusterTests.lines(once).isEmpty || PostgresClusterTests.lines(skipped).isEmpty, clock.seconds < 75 {
            try await Task.sleep(for: .milliseconds(200))
        }
        for execution in Self.executions(once).union(Self.executions(skipped)) {
            let status = try await ServeShutdownTests.waitFor(execution, on: first, status: ["succeeded", "failed"], within: 30)
            #expect(status == "succeeded", "\(execution)")
        }
        kill(first.process.processIdentifier, SIGKILL)
        #expect(Self.dueTimes(once).count == 1 && Self.dueTimes(skipped).count == 1)
        // Two more boundaries pass with no scheduler.
        try await Task.sleep(for: .seconds(Self.untilNextMinute() + 61))
        let second = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "2"], scratch: scratch, key: first.key)
        defer { kill(second.process.processIdentifier, SIGKILL) }
        let started = Stopwatch()
        while Self.dueTimes(once).count < 2, started.seconds < 20 { try await Task.sleep(for: .milliseconds(200)) }
        try await Task.sleep(for: .seconds(2))
        #expect(Self.dueTimes(once).count == 2, "run_once: one run for the missed due times: \(PostgresClusterTests.lines(once))")
        #expect(Self.dueTimes(skipped).count == 1, "skip: none for them: \(PostgresClusterTests.lines(skipped))")
    }

    /// The executions a log names (its lines are "EXECUTION SCHEDULED_TIME").
    static func executions(_ log: String) -> Set<String> {
        Set(PostgresClusterTests.lines(log).compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    /// The due times a log's runs were given.
    static func dueTimes(_ log: String) -> Set<String> {
        Set(PostgresClusterTests.lines(log).compactMap { $0.split(separator: " ").last.map(String.init) })
    }
}
