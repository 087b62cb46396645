import Foundation
@testable import WindFlowStore

/// A store in a new temporary folder; the caller removes the folder.
func scratchStore(_ name: String) throws -> (SQLiteStore, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return (try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path), directory)
}
