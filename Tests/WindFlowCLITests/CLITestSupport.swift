import Foundation
import Testing
import TestSupport

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// What a run of the `windflow` binary printed and how it exited.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The built `windflow` binary: `$WINDFLOW_BINARY`, or the one beside the test bundle.
func windflowBinary() throws -> URL {
    if let override = ProcessInfo.processInfo.environment["WINDFLOW_BINARY"] { return URL(fileURLWithPath: override) }
    let candidates = [
        Bundle.main.bundleURL.appendingPathComponent("windflow"),
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("windflow"),
        repositoryRoot.appendingPathComponent(".build/debug/windflow"),
    ]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CLITestError("the windflow binary is not built; run swift build --build-tests first")
    }
    return found
}

struct CLITestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `windflow` with `arguments` from the repository root, feeding `input` on standard input; bounded to
/// `seconds` (240 by default: the bound stops a hung child, it does not time one — at the start of a run a hundred
/// suites begin at once on two cores).
/// The waiting happens on a thread of its own: blocking the tests' shared pool would starve the timing-sensitive
/// tests running beside these.
func windflow(_ arguments: [String], input: String? = nil, environment: [String: String] = [:], seconds: Double = 240) async throws -> CommandResult {
    try await offPool { try windflowBlocking(arguments, input: input, environment: environment, seconds: seconds) }
}

private func windflowBlocking(_ arguments: [String], input: String?, environment: [String: String], seconds: Double) throws -> CommandResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    let inURL = scratch.appendingPathComponent("stdin")
    FileManager.default.createFile(atPath: inURL.path, contents: Data((input ?? "").utf8))
    // Files, not pipes: output of any size cannot block the child. Waited for by its pid (``ChildProcess``).
    let pid = try ChildProcess.spawn(
        try windflowBinary().path, arguments, directory: repositoryRoot.path,
        environment: environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
        input: inURL.path, output: outURL.path, errors: errURL.path)
    let status: Int32
    do { status = try ChildProcess.wait(pid, timeout: seconds) } catch {
        throw CLITestError("windflow \(arguments.joined(separator: " ")): \(error)")
    }
    return CommandResult(
        status: status, stdout: try String(contentsOf: outURL, encoding: .utf8),
        stderr: try String(contentsOf: errURL, encoding: .utf8))
}
