import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

@Suite(.serialized)
struct SchedulerTests {
    func iso(_ text: String) -> Double { ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 }

    /// A store in a new folder (the caller removes it) and an engine on a manual clock set to `time`.
    func scene(at time: String) throws -> (SQLiteStore, ManualClock, WorkflowEngine, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
        let clock = ManualClock(iso(time))
        return (store, clock, WorkflowEngine(runner: ExecutionRunner(store: store, clock: clock)), directory)
    }

    @Test func schedulesFireOnTimeOnceAndSurviveARestart() async throws {
        let (store, clock, engine, directory) = try scene(at: "2026-11-26T10:02:30Z")
        defer { try? FileManager.default.removeItem(at: directory) }
        let workflow = try WorkflowCodec.load("""
            name: every five minutes
            trigger: {type: schedule, schedule: "*/5 * * * *"}
            nodes:
              - {id: note, type: logic.stop, configuration: {message: "{{ trigger.scheduled_time }}"}}
            """).workflow
        let record = try store.saveWorkflow(workflow, now: 0)
        _ = try store.setActive(record.id, true, now: 0)
        let scheduler = Scheduler(engine: engine)
        #expect(try await scheduler.tick().isEmpty)  // plans 10:05
        #expect(try store.nextFire(workflow: record.id, node: "trigger") == iso("2026-11-26T10:05:00Z"))
        clock.set(iso("2026-11-26T10:04:59Z"))
        #expect(try await scheduler.tick().isEmpty)
        clock.set(iso("2026-11-26T10:05:01Z"))
        let fired = try await scheduler.tick()
        #expect(fired.count == 1)
        #expect(try store.execution(fired[0])?.input["scheduled_time"] == "2026-11-26T10:05:00Z")
        #expect(try await scheduler.tick().isEmpty, "a fire happens once")
        // A restart (a new scheduler on the same store) neither repeats nor loses the plan.
        let restarted = Scheduler(engine: engine)
        #expect(try await restarted.tick().isEmpty)
        #expect(try store.nextFire(workflow: record.id, node: "trigger") == iso("2026-11-26T10:10:00Z"))
    }

    /// A scheduler that stops between starting a fire and planning the next one (a crash, or a second process
    /// that saw the same due time) does not run that fire twice: the due time is the start's idempotency key.
    @Test func aFireSeenTwiceRunsOnce() async throws {
        let (store, clock, engine, directory) = try scene(at: "2026-11-26T10:02:30Z")
        defer { try? FileManager.default.removeItem(at: directory) }
        let workflow = try WorkflowCodec.load("""
            name: overlapping
            trigger: {type: schedule, schedule: "*/5 * * * *", allow_overlap: true}
            nodes:
              - {id: note, type: logic.stop}
            """).workflow
        let record = try store.saveWorkflow(workflow, now: 0)
        _ = try store.setActive(record.id, true, now: 0)
        let scheduler = Scheduler(engine: engine)
        try await scheduler.tick()  // plans 10:05
        clock.set(iso("2026-11-26T10:05:01Z"))
        let fired = try await scheduler.tick()
        #expect(fired.count == 1)
        // The plan of the next fire is lost, as if the process died right after the start.
        try store.setNextFire(workflow: record.id, node: "trigger", at: iso("2026-11-26T10:05:00Z"))
        clock.set(iso("2026-11-26T10:05:20Z"))
        let seenAgain = try await Scheduler(engine: engine).tick()
        #expect(seenAgain == fired, "the same execution, not a second one")
        #expect(try store.executions().count == 1)
        #expect(try store.execution(fired[0])?.idempotencyKey == "windflow:schedule:trigger:2026-11-26T10:05:00Z")
        #expect(try store.nextFire(workflow: record.id, node: "trigger") == iso("2026-11-26T10:10:00Z"))
    }

    @Test func missedRunsAreSkippedOrRunOnceAndOverlapIsPrevented() async throws {
        let (store, clock, engine, directory) = try scene(at: "2026-11-26T10:00:30Z")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, policy) in [("skipper", "skip"), ("catcher", "run_once")] {
            let workflow = try WorkflowCodec.load("""
                name: \(name)
                trigger: {type: schedule, schedule: "* * * * *", missed_runs: \(policy)}
                nodes:
                  - {id: note, type: logic.stop}
                """).workflow
            _ = try store.setActive(try store.saveWorkflow(workflow, now: 0).id, true, now: 0)
        }
        let scheduler = Scheduler(engine: engine)
        try await scheduler.tick()  // plans 10:01 for both
        clock.set(iso("2026-11-26T10:30:10Z"))  // down for half an hour
        let fired = try await scheduler.tick()
        #expect(fired.count == 1)
        #expect(try store.execution(fired[0])?.workflowName == "catcher")
        // The catcher's run is still queued: the next minute's fire does not overlap it.
        clock.set(iso("2026-11-26T10:31:05Z"))
        let next = try await scheduler.tick()
        #expect(next.map { try? store.execution($0)?.workflowName } == ["skipper"])
    }
}

@Suite(.serialized)
struct FileWatcherTests {
    struct Scene {
        let directory: URL
        let inbox: URL
        let store: SQLiteStore
        let clock = ManualClock(1_000)
        let engine: WorkflowEngine

        init(events: String = "[created, modified, deleted]", debounce: Double, pollInterval: Double) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-files-\(UUID().uuidString)")
            inbox = directory.appendingPathComponent("inbox")
            try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
            store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
            engine = WorkflowEngine(runner: ExecutionRunner(store: store, clock: clock))
            let workflow = try WorkflowCodec.load("""
                name: imports
                nodes:
                  - {id: dropped, type: trigger.file, configuration: {path: "\(inbox.path)/*.csv", events: \(events), debounce: \(debounce), poll_interval: \(pollInterval)}}
                  - {id: note, type: logic.stop, configuration: {message: "{{ trigger.path }}"}}
                """).workflow
            _ = try store.setActive(try store.saveWorkflow(workflow, now: 0).id, true, now: 0)
        }

        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: inbox.appendingPathComponent(name)) }
        func events(_ ids: [String]) throws -> [String] { try ids.compactMap { try store.execution($0)?.input["event"]?.stringValue } }
        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func aFileFiresOnceItHasBeenQuietForTheDebounceWithItsFinalState() async throws {
        let scene = try Scene(debounce: 10, pollInterval: 1)
        defer { scene.remove() }
        let watcher = FileWatcher(engine: scene.engine)
        try scene.write("existing.csv", "old")
        #expect(try await watcher.tick().isEmpty)  // the first look only records
        try scene.write("orders.csv", "a,b\n")
        try scene.write("notes.txt", "ignored")
        scene.clock.set(1_001)
        #expect(try await watcher.tick().isEmpty, "still being written, perhaps: wait for quiet")
        try scene.write("orders.csv", "a,b\n1,2\n")
        scene.clock.set(1_005)
        #expect(try await watcher.tick().isEmpty)
        scene.clock.set(1_016)
        let created = try await watcher.tick()
        #expect(try scene.events(created) == ["created"], "created then modified is one 'created'")
        #expect(try scene.store.execution(created[0])?.input["size"] == 8, "with the final size")
        #expect(try scene.store.execution(created[0])?.input["path"]?.stringValue?.hasSuffix("/orders.csv") == true)
        try FileManager.default.removeItem(at: scene.inbox.appendingPathComponent("existing.csv"))
        scene.clock.set(1_020)
        #expect(try await watcher.tick().isEmpty)
        scene.clock.set(1_031)
        #expect(try scene.events(try await watcher.tick()) == ["deleted"])
        // A file that comes and goes within the quiet period fires nothing.
        try scene.write("blip.csv", "x")
        scene.clock.set(1_032)
        _ = try await watcher.tick()
        try FileManager.default.removeItem(at: scene.inbox.appendingPathComponent("blip.csv"))
        scene.clock.set(1_034)
        _ = try await watcher.tick()
        scene.clock.set(1_050)
        #expect(try await watcher.tick().isEmpty)
    }

    @Test func inotifySeesAChangeLongBeforeThePollInterval() async throws {
        let scene = try Scene(events: "[created]", debounce: 0, pollInterval: 3600)
        defer { scene.remove() }
        let watcher = FileWatcher(engine: scene.engine)
        #expect(watcher.usesInotify)
        #expect(try await watcher.tick().isEmpty)
        try scene.write("now.csv", "1")
        scene.clock.set(1_000.2)
        #expect(try scene.events(try await watcher.tick()) == ["created"], "seen at the next tick, not in an hour")
    }

    @Test func changesMadeWhileTheServiceWasDownFireAtTheNextStart() async throws {
        let scene = try Scene(debounce: 0, pollInterval: 1)
        defer { scene.remove() }
        try scene.write("kept.csv", "1")
        try scene.write("gone.csv", "1")
        #expect(try await FileWatcher(engine: scene.engine).tick().isEmpty)
        // Down: a file appears, one changes, one goes.
        try scene.write("new.csv", "1")
        try scene.write("kept.csv", "1,2,3")
        try FileManager.default.removeItem(at: scene.inbox.appendingPathComponent("gone.csv"))
        scene.clock.set(1_100)
        let fired = try await FileWatcher(engine: scene.engine).tick()
        #expect(try scene.events(fired).sorted() == ["created", "deleted", "modified"])
    }
}
