import CurlHTTP
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore

/// The scale checks of docs/SCALING.md, on a real PostgreSQL with real processes: three worker processes (a serve,
/// which also takes the API calls, and two `windflow worker`s) share one queue. Each test is bounded in count and
/// time.
@Suite(.serialized)
struct PostgresScaleTests {
    /// One PostgreSQL, one serve and `workers - 1` worker processes on it.
    final class Cluster {
        let postgres: PostgresServer
        let scratch: URL
        let url: String
        let lease: Int
        let api: ServeShutdownTests.Server
        var workers: [Process] = []

        init(processes: Int = 3, lease: Int = 5) async throws {
            postgres = try await PostgresServer.start()
            scratch = try PostgresClusterTests.scratch()
            url = postgres.url + "?sslmode=disable"
            self.lease = lease
            api = try await ServeShutdownTests.Server(["--port", "0", "--db", url, "--workers", "4", "--claim-lease", "\(lease)"], scratch: scratch)
            for _ in 1..<processes { try startWorker() }
        }

        deinit {
            kill(api.process.processIdentifier, SIGKILL)
            for worker in workers { kill(worker.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: scratch)
        }

        func startWorker() throws {
            let worker = Process()
            worker.executableURL = try windflowBinary()
            worker.arguments = ["worker", "--db", url, "--workers", "4", "--claim-lease", "\(lease)"]
            worker.standardOutput = FileHandle.nullDevice
            worker.standardError = try FileHandle(forWritingTo: {
                let log = scratch.appendingPathComponent("worker-\(workers.count).err")
                FileManager.default.createFile(atPath: log.path, contents: nil)
                return log
            }())
            try worker.run()
            workers.append(worker)
        }

        /// Creates the workflow and returns its id.
        func create(_ yaml: String) async throws -> String {
            let created = try await api.call("POST", "/api/v1/workflows", body: yaml)
            return try #require(created["id"]?.stringValue, "\(created)")
        }

        func run(_ workflow: String) async throws -> String {
            try #require(try await api.call("POST", "/api/v1/workflows/\(workflow)/run", body: "{}")["execution_id"]?.stringValue)
        }

        /// Statuses of the workflow's executions, by id (the newest `limit`).
        func statuses(_ workflow: String, limit: Int) async throws -> [String: String] {
            let listed = try await windflow(["executions", "list", "--db", url, "--workflow", workflow, "--limit", "\(limit)", "--format", "json"])
            var statuses: [String: String] = [:]
            for record in try JSONValue.parse(listed.stdout).arrayValue ?? [] {
                if let id = record["id"]?.stringValue, let status = record["status"]?.stringValue { statuses[id] = status }
            }
            return statuses
        }

        /// Waits until every one of `executions` has ended, or `seconds` have passed; returns the statuses.
        func waitForAll(_ executions: [String], of workflow: String, within seconds: Double) async throws -> [String: String] {
            let clock = Stopwatch()
            var statuses: [String: String] = [:]
            repeat {
                statuses = try await self.statuses(workflow, limit: executions.count + 10)
                if executions.allSatisfy({ ["succeeded", "failed", "cancelled"].contains(statuses[$0] ?? "") }) { break }
                try await Task.sleep(for: .seconds(1))
            } while clock.seconds < seconds
            return statuses
        }
    }

    /// A 10-node chain of scripts, each appending "execution node attempt time" to the trace.
    static func chain(trace: String) -> String {
        let nodes = (1...10).map { index in
            "  - {id: step\(index), type: integration.script, configuration: {script: \"echo \\\"$WINDFLOW_EXECUTION_ID $WINDFLOW_NODE_ID $WINDFLOW_ATTEMPT $(date +%s.%N)\\\" >> \(trace)\"}}"
        }
        let ids = ["start"] + (1...10).map { "step\($0)" }
        let edges = zip(ids, ids.dropFirst()).map { "{source: \($0), target: \($1)}" }
        return "name: ten steps\nnodes:\n  - {id: start, type: trigger.manual}\n" + nodes.joined(separator: "\n")
            + "\nedges: [" + edges.joined(separator: ", ") + "]\n"
    }

    struct Line {
        let execution: String, node: String, attempt: Int, at: Double
    }

    static func trace(_ path: String) -> [Line] {
        PostgresClusterTests.lines(path).compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 4, let attempt = Int(parts[2]), let at = Double(parts[3]) else { return nil }
            return Line(execution: String(parts[0]), node: String(parts[1]), attempt: attempt, at: at)
        }
    }

    @Test func threeWorkersRunAThousandExecutionsOfTenNodesEachNodeOnce() async throws {
        let cluster = try await Cluster()
        let trace = cluster.scratch.appendingPathComponent("trace.log").path
        let workflow = try await cluster.create(Self.chain(trace: trace))
        var executions: [String] = []
        for _ in 0..<1000 { executions.append(try await cluster.run(workflow)) }
        let statuses = try await cluster.waitForAll(executions, of: workflow, within: 600)
        #expect(executions.filter { statuses[$0] == "succeeded" }.count == 1000, "every execution succeeded")
        let lines = Self.trace(trace)
        let runs = Dictionary(grouping: lines) { "\($0.execution) \($0.node)" }
        #expect(lines.count == 10_000 && runs.count == 10_000 && Set(lines.map(\.execution)) == Set(executions),
                "each of the 10,000 nodes ran once: \(lines.count) lines, \(runs.count) distinct")
        #expect(lines.allSatisfy { $0.attempt == 1 })
    }

    @Test func aWorkerKilledThreeTimesLosesNothingAndOnlyItsNodesInFlightRunAgain() async throws {
        let cluster = try await Cluster()
        let trace = cluster.scratch.appendingPathComponent("trace.log").path
        let workflow = try await cluster.create(Self.chain(trace: trace))
        var executions: [String] = []
        for _ in 0..<1000 { executions.append(try await cluster.run(workflow)) }
        // Three kills of a worker process at random moments of the run, each started again (three processes remain).
        var kills = 0
        let clock = Stopwatch()
        for fraction in [0.15, 0.4, 0.65].map({ $0 + Double.random(in: 0..<0.1) }) {
            while Double(PostgresClusterTests.lines(trace).count) < fraction * 10_000, clock.seconds < 600 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...400)))
            }
            let victim = cluster.workers.removeFirst()
            kill(victim.processIdentifier, SIGKILL)
            while victim.isRunning { try await Task.sleep(for: .milliseconds(5)) }
            kills += 1
            try cluster.startWorker()
        }
        #expect(kills == 3)
        let statuses = try await cluster.waitForAll(executions, of: workflow, within: 600)
        #expect(executions.filter { statuses[$0] == "succeeded" }.count == 1000, "nothing lost: every execution succeeded")
        let lines = Self.trace(trace)
        let runs = Dictionary(grouping: lines) { "\($0.execution) \($0.node)" }
        #expect(runs.count == 10_000, "every node ran: \(runs.count)")
        let again = runs.values.filter { $0.count > 1 }
        // At most the nodes in flight on the killed process: 4 workers each, 3 kills.
        #expect(again.count <= 3 * 4, "\(again.count) nodes ran twice")
        for pair in again {
            let attempts = pair.map(\.attempt).sorted()
            #expect(attempts == Array(1...attempts.count), "a node in flight re-ran as its next attempt: \(attempts)")
            let gap = (pair.map(\.at).max() ?? 0) - (pair.map(\.at).min() ?? 0)
            #expect(gap <= Double(cluster.lease) + 5, "picked up within the lease (\(cluster.lease) s): \(gap) s")
        }
    }

    @Test func fiveHundredWaitsOfTwoSecondsWakeOnceEachAcrossThreeWorkers() async throws {
        let cluster = try await Cluster()
        let trace = cluster.scratch.appendingPathComponent("woke.log").path
        let workflow = try await cluster.create("""
            name: parked
            nodes:
              - {id: start, type: trigger.manual}
              - {id: pause, type: logic.wait, configuration: {duration: 2s}}
              - {id: after, type: integration.script, configuration: {script: "echo \\"$WINDFLOW_EXECUTION_ID $PPID\\" >> \(trace)"}}
            edges: [{source: start, target: pause}, {source: pause, target: after}]
            """)
        var executions: [String] = []
        for _ in 0..<500 { executions.append(try await cluster.run(workflow)) }
        let statuses = try await cluster.waitForAll(executions, of: workflow, within: 300)
        #expect(executions.filter { statuses[$0] == "succeeded" }.count == 500)
        let lines = PostgresClusterTests.lines(trace)
        #expect(lines.count == 500 && Set(lines.map { String($0.split(separator: " ")[0]) }) == Set(executions), "each woke once: \(lines.count) lines")
        let processes = Set(lines.map { String($0.split(separator: " ")[1]) })
        #expect(processes.count >= 2, "the wake-ups were shared: \(processes.count) processes")
    }

    /// PostgreSQL stopped for 10 s under a steady stream of webhooks: while it is down they are answered 503 (the
    /// sender keeps them and tries again), never 202; every 202 becomes an execution that runs; the service recovers
    /// by itself.
    @Test func webhooksUnderLoadAreRefusedWhileTheDatabaseIsDownAndEveryAcceptedOneRuns() async throws {
        let cluster = try await Cluster()
        let trace = cluster.scratch.appendingPathComponent("deliveries.log").path
        let workflow = try await cluster.create("""
            name: deliveries
            nodes:
              - {id: hook, type: trigger.webhook, configuration: {webhook_path: /load, authentication: none}}
              - {id: note, type: integration.script, configuration: {script: "echo \\"$DELIVERY\\" >> \(trace)", env: {DELIVERY: "{{ trigger.delivery }}"}}}
            """)
        _ = try await cluster.api.call("POST", "/api/v1/workflows/\(workflow)/activate")
        let base = cluster.api.base
        let answers = Answers()
        // A delivery every 100 ms, each on its own: one answer that waits out the store's connection deadline must
        // not stop the others from being sent (sent one after another, a single slow answer left no sample of the
        // outage at all).
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                var index = 0
                while !Task.isCancelled, index < 500 {
                    index += 1
                    let delivery = "d-\(index)"
                    group.addTask {
                        let request = CurlRequest(method: "POST", url: base + "/webhooks/load", headers: [("Content-Type", "application/json")],
                                                  body: Data(#"{"delivery": "\#(delivery)"}"#.utf8), timeout: 30)
                        let status = (try? await CurlClient.shared.perform(request).status) ?? 0
                        await answers.add(delivery, status, at: Date().timeIntervalSince1970)
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        try await Task.sleep(for: .seconds(3))
        let halted = Date().timeIntervalSince1970
        try await cluster.postgres.halt()
        try await Task.sleep(for: .seconds(10))
        try await cluster.postgres.resume()
        let resumed = Date().timeIntervalSince1970
        try await Task.sleep(for: .seconds(8))
        load.cancel()
        _ = await load.result
        let all = await answers.all
        let accepted = all.filter { $0.status == 202 }.map(\.delivery)
        // 0: no answer within the client's 30 s (a request waiting on the store's connection deadlines while the whole
        // test suite loads the machine) — never an acknowledgement.
        #expect(all.allSatisfy { [0, 202, 503].contains($0.status) }, "only 202 or 503: \(Set(all.map(\.status)))")
        let during = all.filter { $0.at > halted + 1 && $0.at < resumed }
        #expect(during.contains { $0.status == 503 } && !during.contains { $0.status == 202 }, "503, never 202, while it is down: \(during.map(\.status))")
        #expect(all.filter { $0.at > resumed + 5 }.contains { $0.status == 202 }, "the service recovers by itself")
        let clock = Stopwatch()
        while Set(PostgresClusterTests.lines(trace)).isSuperset(of: accepted) == false, clock.seconds < 120 {
            try await Task.sleep(for: .milliseconds(500))
        }
        let ran = PostgresClusterTests.lines(trace)
        #expect(Set(ran).isSuperset(of: accepted), "every 202 ran: \(Set(accepted).subtracting(ran).count) missing of \(accepted.count)")
        // A node in flight when the database went away cannot record its end: it runs again as its next attempt once
        // the store answers (at least once, as after any crash) — at most one per worker slot (3 processes × 4).
        #expect(Set(accepted).count == accepted.count)
        #expect(ran.count - Set(ran).count <= 12, "\(ran.count - Set(ran).count) deliveries ran twice")
        #expect(cluster.api.process.isRunning, "never a crash")
    }

    actor Answers {
        var all: [(delivery: String, status: Int, at: Double)] = []
        func add(_ delivery: String, _ status: Int, at: Double) { all.append((delivery, status, at)) }
    }
}
