import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowEngine
import WindFlowStore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow now and watch it node by node.",
        discussion: """
            The workflow is stored (a new version if it changed) and executed from its manual trigger (or --trigger). \
            Every step is recorded in the database; if the process stops, 'windflow resume' finishes the run. \
            Exits 0 when the execution succeeds, 1 when it fails or is cancelled.
            """)

    @Argument(help: "A workflow file (YAML or JSON).")
    var file: String

    @Option(name: .customLong("input"), help: "An input value as key=value (repeatable); values that read as JSON are typed.")
    var inputs: [String] = []

    @Option(name: .customLong("input-file"), help: "A JSON object of inputs.")
    var inputFile: String?

    @Option(help: "The trigger node to start from (default: the manual trigger, else the first trigger).")
    var trigger: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        for input in inputs where !input.contains("=") {
            throw ValidationError("--input '\(input)' must be key=value")
        }
    }

    func run() async throws {
        let workflow = try WorkflowFile.read(file).load().workflow
        var input: [String: JSONValue] = [:]
        if let inputFile {
            let data = try WorkflowFile.read(inputFile).text
            guard let object = try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)), case .object(let members) = object
            else { throw CLIError("\(inputFile): must hold a JSON object") }
            input = members
        }
        for pair in inputs {
            let (key, raw) = (String(pair.prefix { $0 != "=" }), String(pair.drop { $0 != "=" }.dropFirst()))
            input[key] = (try? JSONDecoder().decode(JSONValue.self, from: Data(raw.utf8))) ?? .string(raw)
        }
        let printer = ProgressPrinter()
        let engine = try await store.engine(observer: { printer.handle($0) })
        let record: WindFlowStore.ExecutionRecord
        do { record = try await engine.enqueue(workflow, trigger: trigger, input: .object(input)) } catch { throw CLIError("\(file): \(error)") }
        writeLine("execution \(record.id) of \(workflow.name) (version \(record.workflowVersion))")
        let result = try await engine.runToEnd(record.id)
        try await store.applyRetention(engine.store)
        if case .finished(let status, _) = result, status == .succeeded { return }
        throw ExitCode(1)
    }
}
