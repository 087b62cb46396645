import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// A scratch directory and database for one test, removed afterwards by the caller.
struct Sandbox {
    let directory: URL
    let store: SQLiteStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
    }

    func engine(secrets: [String: String] = [:], parkAfter: Double = .infinity, clock: any WallClock = SystemClock()) -> WorkflowEngine {
        WorkflowEngine(runner: ExecutionRunner(
            store: store, clock: clock, configuration: EngineConfiguration(secrets: secrets, parkAfter: parkAfter, cancelPollInterval: 0.05)))
    }

    /// A path inside the sandbox, for scripts to leave traces in.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Loads, enqueues and runs `yaml` to its end.
    func run(_ yaml: String, input: JSONValue = [:], engine: WorkflowEngine? = nil) async throws -> (ExecutionRecord, [NodeRunRecord]) {
        let engine = engine ?? self.engine()
        let workflow = try WorkflowCodec.load(yaml).workflow
        let record = try await engine.enqueue(workflow, input: input)
        _ = try await engine.runToEnd(record.id)
        return (try #require(try store.execution(record.id)), try store.nodeRuns(of: record.id))
    }
}

extension Array where Element == NodeRunRecord {
    /// The last run of `key`.
    func last(_ key: String) -> NodeRunRecord? { last { $0.nodeKey == key } }
}

/// Whether a process exists and is not a zombie (a killed orphan stays a zombie until someone reaps it).
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}
