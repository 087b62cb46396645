import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowServer
@testable import WindFlowStore

/// A clock the test sets by hand.
final class ManualClock: EngineClock, @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var current: Double

    init(_ start: Double) { current = start }

    func now() -> Double { lock.withLock { current } }
    func set(_ value: Double) { lock.withLock { current = value } }
    func sleep(until deadline: Double) async throws {
        while now() < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }
}

@Suite(.serialized)
struct SchedulerTests {
    func iso(_ text: String) -> Double { ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 }

    @Test func schedulesFireOnTimeOnceAndSurviveARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
        let clock = ManualClock(iso("2026-11-26T10:02:30Z"))
        let engine = WorkflowEngine(runner: ExecutionRunner(store: store, clock: clock))
        let workflow = try WorkflowCodec.load("""
            name: every five minutes
            trigger: {type: schedule, schedule: "*/5 * * * *"}
            nodes:
              - {id: note, type: logic.stop, configuration: {message: "{{ trigger.scheduled_time }}"}}
            """).workflow
        let record = try store.saveWorkflow(workflow, now: 0)
        _ = try store.setActive(record.id, true, now: 0)
        let scheduler = Scheduler(engine: engine, wake: {})
        #expect(try scheduler.tick().isEmpty)  // plans 10:05
        #expect(try store.nextFire(workflow: record.id, node: "trigger") == iso("2026-11-26T10:05:00Z"))
        clock.set(iso("2026-11-26T10:04:59Z"))
        #expect(try scheduler.tick().isEmpty)
        clock.set(iso("2026-11-26T10:05:01Z"))
        let fired = try scheduler.tick()
        #expect(fired.count == 1)
        #expect(try store.execution(fired[0])?.input["scheduled_time"] == "2026-11-26T10:05:00Z")
        #expect(try scheduler.tick().isEmpty, "a fire happens once")
        // A restart (a new scheduler on the same store) neither repeats nor loses the plan.
        let restarted = Scheduler(engine: engine, wake: {})
        #expect(try restarted.tick().isEmpty)
        #expect(try store.nextFire(workflow: record.id, node: "trigger") == iso("2026-11-26T10:10:00Z"))
    }

    @Test func missedRunsAreSkippedOrRunOnceAndOverlapIsPrevented() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
        let clock = ManualClock(iso("2026-11-26T10:00:30Z"))
        let engine = WorkflowEngine(runner: ExecutionRunner(store: store, clock: clock))
        for (name, policy) in [("skipper", "skip"), ("catcher", "run_once")] {
            let workflow = try WorkflowCodec.load("""
                name: \(name)
                trigger: {type: schedule, schedule: "* * * * *", missed_runs: \(policy)}
                nodes:
                  - {id: note, type: logic.stop}
                """).workflow
            _ = try store.setActive(try store.saveWorkflow(workflow, now: 0).id, true, now: 0)
        }
        let scheduler = Scheduler(engine: engine, wake: {})
        try scheduler.tick()  // plans 10:01 for both
        clock.set(iso("2026-11-26T10:30:10Z"))  // down for half an hour
        let fired = try scheduler.tick()
        #expect(fired.count == 1)
        #expect(try store.execution(fired[0])?.workflowName == "catcher")
        // The catcher's run is still queued: the next minute's fire does not overlap it.
        clock.set(iso("2026-11-26T10:31:05Z"))
        let next = try scheduler.tick()
        #expect(next.map { try? store.execution($0)?.workflowName } == ["skipper"])
    }
}

@Suite(.serialized)
struct FileWatcherTests {
    @Test func createdModifiedAndDeletedFilesFireWithDebounce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-files-\(UUID().uuidString)")
        let inbox = directory.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
        let clock = ManualClock(1_000)
        let engine = WorkflowEngine(runner: ExecutionRunner(store: store, clock: clock))
        let workflow = try WorkflowCodec.load("""
            name: imports
            nodes:
              - {id: dropped, type: trigger.file, configuration: {path: "\(inbox.path)/*.csv", events: [created, modified, deleted], debounce: 10, poll_interval: 1}}
              - {id: note, type: logic.stop, configuration: {message: "{{ trigger.path }}"}}
            """).workflow
        _ = try store.setActive(try store.saveWorkflow(workflow, now: 0).id, true, now: 0)
        let watcher = FileWatcher(engine: engine, wake: {})
        try Data("old".utf8).write(to: inbox.appendingPathComponent("existing.csv"))
        #expect(try watcher.tick().isEmpty)  // the first look only records
        try Data("a,b\n".utf8).write(to: inbox.appendingPathComponent("orders.csv"))
        try Data("ignored".utf8).write(to: inbox.appendingPathComponent("notes.txt"))
        clock.set(1_001)
        let created = try watcher.tick()
        #expect(created.count == 1)
        #expect(try store.execution(created[0])?.input["event"] == "created")
        #expect(try store.execution(created[0])?.input["path"]?.stringValue?.hasSuffix("/orders.csv") == true)
        // Within the debounce, a change to the same file does not fire again; after it, it does.
        try Data("a,b\n1,2\n".utf8).write(to: inbox.appendingPathComponent("orders.csv"))
        clock.set(1_002)
        #expect(try watcher.tick().isEmpty)
        try Data("a,b\n1,2\n3,4\n".utf8).write(to: inbox.appendingPathComponent("orders.csv"))
        clock.set(1_020)
        let modified = try watcher.tick()
        #expect(modified.map { try? store.execution($0)?.input["event"] } == ["modified"])
        try FileManager.default.removeItem(at: inbox.appendingPathComponent("existing.csv"))
        clock.set(1_040)
        let deleted = try watcher.tick()
        #expect(deleted.map { try? store.execution($0)?.input["event"] } == ["deleted"])
    }
}
