import Foundation
import WindFlowCore
import WindFlowStore

#if canImport(Glibc)
    import Glibc
#endif

/// Fires the `trigger.file` nodes of active workflows when files matching their path or glob are created, modified
/// or deleted. Directories are watched with inotify (a change is looked at on the next tick) and also polled every
/// `poll_interval` (subdirectories of a recursive watch, filesystems inotify does not see). A file fires once it has
/// been quiet for `debounce` seconds, with its final state: a CSV written in ten chunks fires once, complete. What was
/// seen is kept in the store, so files created, changed or deleted while the service was down fire at the next start;
/// the very first look at a path only records what is there.
final class FileWatcher: @unchecked Sendable {
    // Safe: `tick` is only called from the service's single timer task.
    struct Entry: Codable, Equatable { var size: Int; var modified: Double }
    private struct Pending { var event: String; var entry: Entry?; var due: Double }
    private var snapshots: [String: [String: Entry]] = [:]
    private var pending: [String: [String: Pending]] = [:]
    private var lastLook: [String: Double] = [:]
    private let events = DirectoryEvents()
    let engine: WorkflowEngine

    init(engine: WorkflowEngine) {
        self.engine = engine
    }

    /// Whether changes are noticed through inotify (otherwise only by polling).
    var usesInotify: Bool { events != nil }

    /// Looks at every watched path that changed or whose poll interval has passed; enqueues an execution per file
    /// that has been quiet for its debounce.
    @discardableResult
    func tick() async throws -> [String] {
        let now = engine.runner.clock.now()
        let changed = events?.changed() ?? []
        var started: [String] = []
        var watched: Set<String> = [], directories: Set<String> = []
        for record in try await engine.store.workflows(activeOnly: true) {
            for node in record.workflow.nodes where node.type == "trigger.file" && !node.disabled {
                guard let pattern = node.configuration["path"]?.stringValue else { continue }
                let key = "\(record.id)/\(node.id)"
                watched.insert(key)
                let (directory, glob) = Self.split(pattern)
                directories.insert(directory)
                let inotify = events?.watch(directory) ?? false
                let parameters = NodeParameters(node)
                guard let interval = try? parameters.seconds("poll_interval"), let recursive = try? parameters.bool("recursive"),
                    let debounce = try? parameters.seconds("debounce"), let events = try? parameters.strings("events")
                else { continue }  // the validator refuses such a trigger; one stored before it did waits for a fix
                let due = now - (lastLook[key] ?? -.infinity) >= interval
                if due || (inotify && changed.contains(directory)) || snapshots[key] == nil {
                    lastLook[key] = now
                    try await look(key: key, directory: directory, glob: glob, recursive: recursive,
                             debounce: debounce, now: now)
                }
                let wanted = Set(events)
                for (path, change) in (pending[key] ?? [:]).sorted(by: { $0.key < $1.key }) where change.due <= now {
                    pending[key]?[path] = nil
                    guard wanted.contains(change.event) else { continue }
                    let input: JSONValue = [
                        "path": .string(path), "event": .string(change.event), "size": .int(change.entry?.size ?? 0),
                        "modified_at": change.entry.map { .string(ExecutionStateMachine.iso8601($0.modified)) } ?? .null,
                    ]
                    started.append(try await engine.start(record, trigger: node.id, input: input).id)
                }
            }
        }
        for key in snapshots.keys where !watched.contains(key) {
            snapshots[key] = nil
            pending[key] = nil
        }
        events?.keep(only: directories)
        return started
    }

    /// Scans one watch, compares with what it saw last (in memory, else in the store), and schedules the changes.
    private func look(key: String, directory: String, glob: String?, recursive: Bool, debounce: Double, now: Double) async throws {
        let current = Self.scan(directory: directory, glob: glob, recursive: recursive)
        var previous = snapshots[key]
        if previous == nil, let stored = try await engine.store.fileSnapshot(key) {
            previous = try? JSONDecoder().decode([String: Entry].self, from: Data(stored.utf8))
        }
        snapshots[key] = current
        guard let previous else {
            try await engine.store.setFileSnapshot(key, Self.encode(current), now: now)  // the first look only records
            return
        }
        guard current != previous else { return }
        try await engine.store.setFileSnapshot(key, Self.encode(current), now: now)
        for (path, entry) in current where previous[path] != entry {
            schedule(key: key, path: path, event: previous[path] == nil ? "created" : "modified", entry: entry, due: now + debounce)
        }
        for path in previous.keys where current[path] == nil {
            schedule(key: key, path: path, event: "deleted", entry: nil, due: now + debounce)
        }
    }

    /// Adds a change to a file's pending one: created then modified is created; created then deleted is nothing;
    /// deleted then created is modified; the quiet period starts again.
    private func schedule(key: String, path: String, event: String, entry: Entry?, due: Double) {
        let merged: String?
        switch (pending[key]?[path]?.event, event) {
        case ("created"?, "deleted"): merged = nil
        case ("created"?, _): merged = "created"
        case ("deleted"?, "created"): merged = "modified"
        default: merged = event
        }
        pending[key, default: [:]][path] = merged.map { Pending(event: $0, entry: entry, due: due) }
    }

    private static func encode(_ snapshot: [String: Entry]) -> String {
        (try? String(decoding: JSONEncoder().encode(snapshot), as: UTF8.self)) ?? "{}"
    }

    /// The directory to watch and the glob of the last component, if any.
    static func split(_ pattern: String) -> (directory: String, glob: String?) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: pattern, isDirectory: &isDirectory), isDirectory.boolValue { return (pattern, nil) }
        let url = URL(fileURLWithPath: pattern)
        return (url.deletingLastPathComponent().path, url.lastPathComponent)
    }

    /// Regular files in `directory` whose name matches `glob` (all when nil), at most 100,000.
    private static func scan(directory: String, glob: String?, recursive: Bool) -> [String: Entry] {
        let manager = FileManager.default
        var found: [String: Entry] = [:]
        let names = (recursive ? (manager.enumerator(atPath: directory)?.allObjects as? [String]) : try? manager.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.prefix(100_000) {
            let last = (name as NSString).lastPathComponent
            if let glob, fnmatch(glob, last, 0) != 0 { continue }
            let path = directory + "/" + name
            guard let attributes = try? manager.attributesOfItem(atPath: path), attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            found[path] = Entry(size: (attributes[.size] as? NSNumber)?.intValue ?? 0,
                                modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
        }
        return found
    }
}
