import Foundation
import WindFlowCore
import WindFlowEngine
import WindFlowStore

/// Engine benchmarks: whole executions on a real SQLite store (WAL, synchronous=NORMAL), every transition committed.
enum EngineBenchmarks {
    static func chain(_ count: Int, type: String, configuration: String) -> Workflow {
        var yaml = "name: chain \(count) \(type)\nnodes:\n  - {id: start, type: trigger.manual}\n"
        for index in 1...count { yaml += "  - {id: n\(index), type: \(type), configuration: \(configuration)}\n" }
        return try! WorkflowCodec.load(yaml).workflow
    }

    static func fan(_ count: Int) -> Workflow {
        var yaml = "name: fan \(count)\nsettings: {max_parallel: \(count)}\nnodes:\n  - {id: start, type: trigger.manual}\n"
        var edges = "edges:\n"
        for index in 1...count {
            yaml += "  - {id: p\(index), type: logic.merge}\n"
            edges += "  - {source: start, target: p\(index)}\n  - {source: p\(index), target: join}\n"
        }
        yaml += "  - {id: join, type: logic.merge}\n" + edges
        return try! WorkflowCodec.load(yaml).workflow
    }

    static func scratchStore(_ name: String) throws -> (SQLiteStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-bench-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path), directory)
    }

    /// Median and p95 of whole executions of `workflow`: enqueue, then run to the end.
    static func measureRuns(_ name: String, workflow: Workflow, iterations: Int, warmup: Int = 5) async throws -> [Duration] {
        let (store, directory) = try scratchStore(name)
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = WorkflowEngine(runner: ExecutionRunner(store: store, configuration: EngineConfiguration(cancelPollInterval: 60)))
        let clock = ContinuousClock()
        var samples: [Duration] = []
        for index in 0..<(warmup + iterations) {
            let started = clock.now
            let record = try await engine.enqueue(workflow)
            let result = try await engine.runToEnd(record.id)
            let elapsed = clock.now - started
            guard case .finished(.succeeded, _) = result else { fatalError("\(name): \(result)") }
            if index >= warmup { samples.append(elapsed) }
        }
        return samples.sorted()
    }

    /// Parks `count` executions on a one-hour wait and reports the process's resident memory.
    static func parkedWaits(_ count: Int) async throws -> (seconds: Double, residentMB: Double, baselineMB: Double, timers: Int) {
        let (store, directory) = try scratchStore("parked")
        defer { try? FileManager.default.removeItem(at: directory) }
        let workflow = try WorkflowCodec.load("""
            name: parked
            nodes:
              - {id: start, type: trigger.manual}
              - {id: pause, type: logic.wait, configuration: {duration: 1h}}
              - {id: after, type: logic.stop}
            """).workflow
        let engine = WorkflowEngine(runner: ExecutionRunner(
            store: store, configuration: EngineConfiguration(parkAfter: 60, cancelPollInterval: 60)))
        let baseline = residentMB()
        let started = Date()
        for _ in 0..<count {
            let record = try await engine.enqueue(workflow)
            guard case .parked = try await engine.runner.run(record.id) else { fatalError("did not park") }
        }
        let seconds = Date().timeIntervalSince(started)
        let timers = try store.dueTimers(now: Date().timeIntervalSince1970 + 7200, limit: count + 1).count
        return (seconds, residentMB(), baseline, timers)
    }

    static func residentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }
}
