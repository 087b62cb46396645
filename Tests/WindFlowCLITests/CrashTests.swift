import Foundation
import Testing
import TestSupport

/// Kills a real `windflow run` with SIGKILL at many points of a 10-node workflow and proves, after each
/// `windflow resume`: every execution reaches a terminal state, no completed node ran again, nothing recorded was lost.
@Suite(.serialized)
struct CrashTests {
    static let iterations = 12

    @Test func killingTheProcessAnywhereLosesNothingAndRepeatsNothing() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let trace = scratch.appendingPathComponent("trace").path
        let database = scratch.appendingPathComponent("db.sqlite").path
        var yaml = "name: crash test\nnodes:\n  - {id: start, type: trigger.manual}\n"
        for index in 1...10 {
            yaml += "  - {id: step\(index), type: integration.script, configuration: {script: \"echo $WINDFLOW_EXECUTION_ID step\(index) $WINDFLOW_ATTEMPT >> \(trace); sleep 0.0\(index % 5 + 3)\"}}\n"
        }
        let file = scratch.appendingPathComponent("crash.yaml")
        try Data(yaml.utf8).write(to: file)

        // Kill points spread over the run, from a fixed seed so a failure can be replayed. A kill point is "after step k
        // has started, plus d ms": it follows the run's own progress (the trace its scripts write), not the wall clock,
        // and the whole wait runs on its own thread, so a loaded machine that delays the test cannot let the run finish
        // before the kill. d goes past the shortest step, so some kills land between nodes, most inside a script.
        var seed: UInt64 = 0x5EED
        var killed = 0
        for _ in 0..<Self.iterations {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let startedSteps = Int(seed >> 33) % 9 + 1
            let extraMilliseconds = Int((seed >> 20) & 0xFFF) % 70
            let process = Process()
            process.executableURL = try windflowBinary()
            process.arguments = ["run", file.path, "--db", database]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let reader = output.fileHandleForReading
            let killedThisRun = try await offPool { () -> Bool in
                // The first line names the stored execution: "execution ex_… of …".
                var printed = Data()
                while !printed.contains(0x0A) {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    printed.append(chunk)
                }
                let words = String(decoding: printed, as: UTF8.self).split(separator: " ")
                guard words.count > 1, words[0] == "execution" else { return false }
                let execution = String(words[1])
                let deadline = Date().addingTimeInterval(30)
                while process.isRunning, Date() < deadline {
                    let lines = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
                    if lines.split(separator: "\n").filter({ $0.hasPrefix(execution + " ") }).count >= startedSteps { break }
                    usleep(2_000)
                }
                usleep(useconds_t(extraMilliseconds * 1000))
                guard process.isRunning else { return false }
                kill(process.processIdentifier, SIGKILL)
                return true
            }
            if killedThisRun { killed += 1 }
            while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
            let resumed = try await windflow(["resume", "--db", database])
            #expect(resumed.status == 0, "resume failed: \(resumed.stdout) \(resumed.stderr)")
        }
        #expect(killed >= Self.iterations / 2, "too few runs were killed mid-flight to prove anything")

        let listed = try await windflow(["executions", "list", "--db", database, "--limit", "100", "--format", "json"])
        let executions = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(executions.count == Self.iterations)
        #expect(executions.allSatisfy { $0["status"] as? String == "succeeded" }, "\(executions.map { $0["status"] ?? "" })")

        // What ran, per execution and node: the attempts the scripts themselves saw.
        var seen: [String: [Int]] = [:]
        for line in try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let attempt = Int(parts[2]) else { continue }
            seen["\(parts[0]) \(parts[1])", default: []].append(attempt)
        }
        // Some kills landed while a script ran: its node ran again as attempt 2.
        #expect(seen.values.contains { $0.contains(2) }, "no kill interrupted a running node")
        for execution in executions {
            let id = try #require(execution["id"] as? String)
            let shown = try await windflow(["executions", "show", id, "--db", database, "--format", "json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
            let runs = try #require(object["node_runs"] as? [[String: Any]])
            for index in 1...10 {
                let node = "step\(index)"
                let succeeded = runs.filter { $0["node"] as? String == node && $0["status"] as? String == "succeeded" }
                #expect(succeeded.count == 1, "\(id) \(node) succeeded \(succeeded.count) times")
                let attempts = seen["\(id) \(node)"] ?? []
                #expect(Set(attempts).count == attempts.count, "\(id) \(node): an attempt ran twice: \(attempts)")
                let final = succeeded.first?["attempt"] as? Int ?? 0
                #expect(attempts.max() == final, "\(id) \(node): ran after it completed (attempts \(attempts), completed as \(final))")
            }
        }
    }
}
