import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowEngine
import WindFlowStore

struct ExecutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executions",
        abstract: "List, inspect, cancel and retry executions.",
        subcommands: [List.self, Show.self, Logs.self, Cancel.self, Retry.self, Prune.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest executions, newest first.")
        @Option(help: "Only this workflow (name or id).") var workflow: String?
        @Option(help: "Only this status.") var status: ExecutionStatus?
        @Option(help: "How many.") var limit = 20
        @Option(help: "text or json.") var format: OutputFormat = .text
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let records = try await store.openStore().executions(workflow: workflow, status: status, limit: limit, before: nil)
            if format == .json {
                print(JSONValue.array(records.map(\.jsonValue)).prettyJSONText)
                return
            }
            guard !records.isEmpty else {
                print("no executions")
                return
            }
            for record in records {
                let error = record.errorMessage.map { "  \($0)" } ?? ""
                print("\(record.id)  \(record.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(formatTime(record.createdAt))  \(record.workflowName) v\(record.workflowVersion)  \(formatDuration(record))\(error)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An execution and every node run: status, attempts, duration, error.")
        @Argument(help: "The execution id (or a unique prefix).") var id: String
        @Option(help: "text or json.") var format: OutputFormat = .text
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let database = try await store.openStore()
            let record = try await findExecution(id, in: database)
            let runs = try await database.nodeRuns(of: record.id)
            if format == .json {
                guard case .object(var object) = record.jsonValue else { return }
                object["node_runs"] = .array(runs.map(\.jsonValue))
                print(JSONValue.object(object).prettyJSONText)
                return
            }
            print("execution \(record.id): \(record.status.rawValue)")
            print("  workflow  \(record.workflowName) (version \(record.workflowVersion))")
            print("  trigger   \(record.triggerNode) (\(record.triggerType))  input \(record.input.jsonText)")
            print("  created   \(formatTime(record.createdAt))  duration \(formatDuration(record))")
            if let from = record.restartedFrom { print("  restarted from \(from) at node \(record.restartNode ?? "?")") }
            if let message = record.errorMessage {
                print("  error     [\(record.errorKind?.rawValue ?? "")] \(record.errorNode.map { "\($0): " } ?? "")\(message)")
            }
            print("")
            for run in runs {
                let time = run.durationMS.map { String(format: "%.0f ms", $0) } ?? ""
                let attempt = run.attempt > 1 ? " attempt \(run.attempt)" : ""
                let error = run.errorMessage.map { "  [\(run.errorKind?.rawValue ?? "")] \($0)" } ?? ""
                print("  \(run.nodeKey.padding(toLength: 24, withPad: " ", startingAt: 0)) \(run.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(time)\(attempt)\(error)")
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An execution's log lines.")
        @Argument(help: "The execution id (or a unique prefix).") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let database = try await store.openStore()
            let record = try await findExecution(id, in: database)
            for log in try await database.logs(of: record.id, after: 0) {
                print("\(formatTime(log.at))  \(log.nodeKey ?? "-")  \(log.message)")
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a running or waiting execution (not a failure).")
        @Argument(help: "The execution id (or a unique prefix).") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let engine = try await store.engine()
            let record = try await findExecution(id, in: engine.store)
            do { try await engine.cancel(record.id) } catch { throw CLIError("\(error)") }
            print("cancellation requested for \(record.id)")
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an execution again from a node, reusing the outputs of the nodes upstream of it.")
        @Argument(help: "The execution id (or a unique prefix).") var id: String
        @Option(help: "The node to start again from (default: the node that failed).") var from: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let printer = ProgressPrinter()
            let engine = try await store.engine(observer: { printer.handle($0) })
            let original = try await findExecution(id, in: engine.store)
            guard let node = from ?? original.errorNode.flatMap({ NodeKey(parsing: $0)?.frame.steps.first?.loop ?? NodeKey(parsing: $0)?.node })
            else { throw CLIError("execution \(original.id) has no failed node; say where to start with --from NODE") }
            let record: ExecutionRecord
            do { record = try await engine.restart(original.id, from: node) } catch { throw CLIError("\(error)") }
            writeLine("execution \(record.id): \(original.id) again from \(node)")
            let result = try await engine.runToEnd(record.id)
            if case .finished(.succeeded, _) = result { return }
            throw ExitCode(1)
        }
    }
}

extension ExecutionsCommand {
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete finished executions beyond a retention limit.",
            discussion: "WINDFLOW_KEEP_DAYS and WINDFLOW_KEEP_EXECUTIONS apply the same limits after every run and resume.")
        @Option(help: "Keep finished executions for this many days.") var keepDays: Double?
        @Option(help: "Keep at most this many executions per workflow.") var keep: Int?
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if keepDays == nil && keep == nil { throw ValidationError("say what to keep: --keep-days N and/or --keep N") }
        }

        func run() async throws {
            let deleted = try await store.openStore().sweep(keepDays: keepDays, keepExecutions: keep, now: SystemClock().now())
            print("deleted \(deleted) execution\(deleted == 1 ? "" : "s")")
        }
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Finish every execution that a crash or a stop interrupted.",
        discussion: "Completed nodes are not run again; a node that was running runs again with the same idempotency key and the next attempt number; waits fire at their stored time.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let printer = ProgressPrinter()
        let engine = try await store.engine(observer: { printer.handle($0) })
        var failed = false
        var count = 0
        for record in try await engine.store.unfinishedExecutions() {
            count += 1
            writeLine("resuming \(record.id) (\(record.workflowName), \(record.status))")
            let result = try await engine.runToEnd(record.id)
            if case .finished(let status, _) = result, status != .succeeded { failed = true }
        }
        if count == 0 { writeLine("nothing to resume") }
        try await store.applyRetention(engine.store)
        if failed { throw ExitCode(1) }
    }
}

func findExecution(_ id: String, in store: any ExecutionStore) async throws -> ExecutionRecord {
    guard let record = try await store.execution(matching: id) else { throw CLIError("there is no execution '\(id)' (or the prefix is not unique)") }
    return record
}

func formatTime(_ seconds: Double) -> String {
    ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
}

func formatDuration(_ record: ExecutionRecord) -> String {
    guard let start = record.startedAt else { return "-" }
    let end = record.finishedAt ?? SystemClock().now()
    return String(format: "%.2f s", end - start)
}


extension ExecutionStatus: ExpressibleByArgument {}
