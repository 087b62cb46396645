import Foundation
import WindFlowCore
import WindFlowEngine
import WindFlowStore

#if canImport(Glibc)
    import Glibc
#endif

/// Fires the `trigger.file` nodes of active workflows when files matching their path or glob are created, modified
/// or deleted. It polls (every `poll_interval`) and compares size and modification time; changes to one file within
/// `debounce` fire once. The first look at a path only records what is there.
final class FileWatcher: @unchecked Sendable {
    // Safe: `tick` is only called from the service's single timer task.
    private struct Entry { var size: Int; var modified: Double }
    private var snapshots: [String: [String: Entry]] = [:]
    private var lastLook: [String: Double] = [:]
    private var lastFire: [String: Double] = [:]
    let engine: WorkflowEngine
    let wake: @Sendable () -> Void

    init(engine: WorkflowEngine, wake: @escaping @Sendable () -> Void) {
        self.engine = engine
        self.wake = wake
    }

    /// Looks at every watched path whose poll interval has passed; enqueues an execution per change.
    @discardableResult
    func tick() throws -> [String] {
        let now = engine.runner.clock.now()
        var started: [String] = []
        var watched: Set<String> = []
        for record in try engine.store.workflows(activeOnly: true) {
            for node in record.workflow.nodes where node.type == "trigger.file" && !node.disabled {
                guard let pattern = node.configuration["path"]?.stringValue else { continue }
                let key = "\(record.id)/\(node.id)"
                watched.insert(key)
                let interval = DurationText.seconds(from: node.configuration["poll_interval"] ?? 5) ?? 5
                guard now - (lastLook[key] ?? -.infinity) >= interval else { continue }
                lastLook[key] = now
                let recursive = node.configuration["recursive"]?.boolValue ?? false
                let current = Self.scan(pattern, recursive: recursive)
                guard let previous = snapshots[key] else {
                    snapshots[key] = current
                    continue
                }
                snapshots[key] = current
                let wanted = Set((node.configuration["events"]?.arrayValue ?? ["created", "modified"]).compactMap(\.stringValue))
                let debounce = DurationText.seconds(from: node.configuration["debounce"] ?? 2) ?? 2
                var changes: [(String, String, Entry?)] = []
                for (path, entry) in current {
                    if let old = previous[path] {
                        if old.size != entry.size || old.modified != entry.modified { changes.append((path, "modified", entry)) }
                    } else {
                        changes.append((path, "created", entry))
                    }
                }
                for path in previous.keys where current[path] == nil { changes.append((path, "deleted", nil)) }
                for (path, event, entry) in changes.sorted(by: { $0.0 < $1.0 }) where wanted.contains(event) {
                    let fireKey = "\(key)|\(path)"
                    guard now - (lastFire[fireKey] ?? -.infinity) >= debounce else { continue }
                    lastFire[fireKey] = now
                    let input: JSONValue = [
                        "path": .string(path), "event": .string(event), "size": .int(entry?.size ?? 0),
                        "modified_at": entry.map { .string(ExecutionStateMachine.iso8601($0.modified)) } ?? .null,
                    ]
                    started.append(try engine.store.enqueueExecution(workflow: record, triggerNode: node.id, input: input, now: now).id)
                }
            }
        }
        for key in snapshots.keys where !watched.contains(key) { snapshots[key] = nil }
        if !started.isEmpty { wake() }
        return started
    }

    /// Regular files matching `pattern`: a file, every file of a directory, or a glob in its last component.
    private static func scan(_ pattern: String, recursive: Bool) -> [String: Entry] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let directory: String, glob: String?
        if manager.fileExists(atPath: pattern, isDirectory: &isDirectory), isDirectory.boolValue {
            (directory, glob) = (pattern, nil)
        } else {
            let url = URL(fileURLWithPath: pattern)
            (directory, glob) = (url.deletingLastPathComponent().path, url.lastPathComponent)
        }
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
