import Foundation
import WindFlowCore

/// A workflow file as the CLI reads it: its name for messages, and its text.
struct WorkflowFile {
    var name: String
    var text: String

    /// Reads `path`, or standard input for `-`.
    static func read(_ path: String) throws -> WorkflowFile {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return WorkflowFile(name: "<stdin>", text: String(decoding: data, as: UTF8.self))
        }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw CLIError("\(path): is a directory; give the workflow files in it") }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw CLIError("\(path): cannot be read (\(error.localizedDescription))") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(path): is not UTF-8 text") }
        return WorkflowFile(name: path, text: text)
    }

    /// Loads the workflow, or throws a ``CLIError`` naming the file and line.
    func load() throws -> LoadedWorkflow {
        do {
            return try WorkflowCodec.load(text)
        } catch {
            throw CLIError("\(name)\(error.line.map { ":\($0)" } ?? ""): \(error.message)\(error.hint.map { " (\($0))" } ?? "")")
        }
    }
}

/// An error the CLI reports as one line on standard error, exiting with status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes a line to standard output at once (unbuffered), so progress appears as it happens and in order.
func writeLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
