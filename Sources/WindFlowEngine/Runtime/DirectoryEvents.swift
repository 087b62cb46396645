import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// inotify on the directories file triggers watch: which of them changed since the last look, without scanning.
/// Not available (no inotify, or the watch limit reached) → the file watcher polls.
final class DirectoryEvents: @unchecked Sendable {
    // Safe: used only from the service's single timer task.
    private let descriptor: Int32
    private var watches: [String: Int32] = [:]
    private var directories: [Int32: String] = [:]

    init?() {
        #if os(Linux)
            descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard descriptor >= 0 else { return nil }
        #else
            return nil
        #endif
    }

    deinit {
        close(descriptor)
    }

    /// Watches `directory` (once); false when inotify refused it (the caller polls it then).
    @discardableResult
    func watch(_ directory: String) -> Bool {
        if watches[directory] != nil { return true }
        #if os(Linux)
            let mask = UInt32(IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF)
            let wd = inotify_add_watch(descriptor, directory, mask)
            guard wd >= 0 else { return false }
            watches[directory] = wd
            directories[wd] = directory
            return true
        #else
            return false
        #endif
    }

    /// Stops watching what is no longer wanted.
    func keep(only wanted: Set<String>) {
        for (directory, wd) in watches where !wanted.contains(directory) {
            #if os(Linux)
                inotify_rm_watch(descriptor, wd)
            #endif
            watches[directory] = nil
            directories[wd] = nil
        }
    }

    /// The watched directories with events since the last call (all of them if the kernel's queue overflowed).
    func changed() -> Set<String> {
        var result: Set<String> = []
        #if os(Linux)
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
                    if event.mask & UInt32(IN_Q_OVERFLOW) != 0 { result.formUnion(watches.keys) }
                    if let directory = directories[event.wd] { result.insert(directory) }
                    if event.mask & UInt32(IN_IGNORED) != 0, let directory = directories[event.wd] {
                        // The directory went away: watch it again when it comes back.
                        watches[directory] = nil
                        directories[event.wd] = nil
                    }
                    offset += MemoryLayout<inotify_event>.size + Int(event.len)
                }
            }
        #endif
        return result
    }
}
