import CurlHTTP
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine

/// Parameter defaults come from the registry alone: an unset parameter behaves as `windflow registry` says, and no
/// executor or trigger writes a default of its own beside it.
@Suite(.serialized)
struct ParameterDefaultTests {
    static func declared(_ type: String, _ name: String) throws -> JSONValue {
        try #require(NodeRegistry.standard.type(type)?.parameter(name)?.defaultValue, "\(type).\(name) declares no default")
    }

    static func context(_ type: String, _ input: [String: JSONValue], raw: [String: JSONValue] = [:], now: Double = 0,
                        log: @escaping @Sendable (String) -> Void = { _ in }) -> NodeContext {
        NodeContext(key: NodeKey("node"), node: WorkflowNode(id: "node", type: type, configuration: input.merging(raw) { $1 }), attempt: 1,
                    executionID: "ex_test", idempotencyKey: "ex_test:node", input: input, scope: ExpressionScope([:]), incoming: [],
                    now: now, log: log)
    }

    // MARK: The sources

    /// A read of a parameter (`input["timeout"]`, `configuration["method"]`, `node.string("destination")`) followed in
    /// the same line by `?? ` and a literal that is not empty (an empty list or text means "none given", no default).
    static var literalFallback: Regex<AnyRegexOutput> { try! Regex(#"(\[|\.\w+\()"(\w+)"(\]|\))[^\n]*?\?\? *("[^"\n]+"|-?\d[\d_.]*\b|true\b|false\b|\[(?!:\])[^\]\n]+\])"#) }

    /// Fallbacks that are not a parameter's default, each with why.
    static let allowed: [(file: String, text: String, why: String)] = [
        ("GitExecutor.swift", #"?? "WindFlow commit""#, "a commit's message when none is given; a tag's is its name, so no one default fits both"),
        ("MonitoringExecutor.swift", #"?? "the metric""#, "words of a failure message"),
        ("ScaleServiceExecutor.swift", #"min_replicas") ?? 1"#, "with scale_factor only; with replicas there is no floor (the registry says so)"),
    ]

    /// Files that read node parameters: the executors, the deployment actions and the triggers, wherever they live.
    static func sourceFiles() throws -> [URL] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let triggers: Set<String> = ["WebhookRoutes.swift", "WebhookTokens.swift", "Scheduler.swift", "FileWatcher.swift", "EventDispatcher.swift"]
        var files: [URL] = []
        for folder in ["Sources/WindFlowEngine", "Sources/WindFlowServer"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                let name = url.lastPathComponent
                if name.contains("Executor") || name == "DeploymentContext.swift" || triggers.contains(name) || url.path.contains("/Runtime/") {
                    files.append(url)
                }
            }
        }
        return files
    }

    @Test func noExecutorOrTriggerWritesALiteralDefaultForAParameter() throws {
        var names: Set<String> = []
        func collect(_ specs: [ParameterSpec]) {
            for spec in specs {
                names.insert(spec.name)
                if case .object(let fields) = spec.type { collect(fields) }
                if case .list(of: .object(let fields)) = spec.type { collect(fields) }
            }
        }
        for type in NodeRegistry.standard.types { collect(type.parameters) }
        let files = try Self.sourceFiles()
        #expect(files.count >= 20, "the sources were found: \(files.map(\.lastPathComponent))")
        var found: [String] = []
        let regex = Self.literalFallback
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                for match in line.matches(of: regex) where names.contains(String(match.output[2].substring ?? "")) {
                    let allowed = Self.allowed.contains { file.lastPathComponent == $0.file && line.contains($0.text) }
                    if !allowed { found.append("\(file.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))") }
                }
            }
        }
        for entry in Self.allowed {
            let text = try files.filter { $0.lastPathComponent == entry.file }.map { try String(contentsOf: $0, encoding: .utf8) }.joined()
            #expect(text.contains(entry.text), "\(entry.file) no longer has \(entry.text): drop it from the allowed list")
        }
        #expect(found.isEmpty, "read these through context.parameters / NodeParameters, and declare the default in the registry:\n\(found.joined(separator: "\n"))")
    }

    @Test func theScanFindsTheFormsItLooksFor() {
        let regex = Self.literalFallback
        for line in [#"let m = context.input["method"]?.stringValue ?? "GET""#, #"node.number("health_timeout") ?? 120"#,
                     #"node.configuration["recursive"]?.boolValue ?? false"#, #"x = (node.strings("metrics") ?? ["cpu_usage"])"#] {
            #expect(line.contains(regex), "\(line)")
        }
        for line in [#"context.input["headers"]?.objectValue ?? [:]"#, #"context.input["files"]?.arrayValue ?? []"#, #"input["url"]?.renderedText ?? """#] {
            #expect(!line.contains(regex), "\(line)")
        }
    }

    // MARK: Each family, unset

    @Test func aLoopWithoutModeRunsOneItemAtATimeAndCapsItemsAtTheDeclaredMaximum() async throws {
        let outcome = await LoopExecutor().execute(Self.context("logic.loop", ["items": [1, 2, 3]]))
        #expect(try Self.declared("logic.loop", "mode") == "sequential")
        #expect(outcome == .iterate([1, 2, 3], parallel: 1))
        let parallel = await LoopExecutor().execute(Self.context("logic.loop", ["items": [1], "mode": "parallel"]))
        #expect(parallel == .iterate([1], parallel: try #require(Self.declared("logic.loop", "max_parallel").intValue)))
        let limit = try #require(Self.declared("logic.loop", "max_items").intValue)
        let tooMany = await LoopExecutor().execute(Self.context("logic.loop", ["items": .array(Array(repeating: 1, count: limit + 1))]))
        guard case .failed(let failure) = tooMany else { Issue.record("\(tooMany)"); return }
        #expect(failure.message.hasSuffix("max_items is \(limit)"))
    }

    @Test func aStopWithoutStatusEndsTheRunAsTheDeclaredStatus() async throws {
        #expect(try Self.declared("logic.stop", "status") == "succeeded")
        #expect(await StopExecutor().execute(Self.context("logic.stop", [:])) == .stop(succeeded: true, message: "stopped"))
    }

    @Test func aScriptWithoutScriptTypeRunsTheDeclaredShellAndRetriesNoExitCode() async throws {
        #expect(try Self.declared("integration.script", "script_type") == "bash")
        #expect(try Self.declared("integration.script", "retryable_exit_codes") == [])
        let ran = await ScriptExecutor().execute(Self.context("integration.script", [:], raw: ["script": #"echo "bash=${BASH_VERSION:+yes}""#]))
        guard case .succeeded(let output, _) = ran else { Issue.record("\(ran)"); return }
        #expect(output["stdout"] == "bash=yes\n")
        let failed = await ScriptExecutor().execute(Self.context("integration.script", [:], raw: ["script": "exit 75"]))
        guard case .failed(let failure) = failed else { Issue.record("\(failed)"); return }
        #expect(!failure.retryable)
    }

    @Test func anHTTPRequestWithoutMethodBodyTypeOrExpectedStatusIsTheDeclaredOne() async throws {
        let server = try await LoopbackServer.start()
        #expect(try Self.declared("integration.http", "method") == "GET")
        #expect(try Self.declared("integration.http", "body_type") == "json")
        let get = await HTTPExecutor(client: .shared).execute(Self.context("integration.http", ["url": .string("\(server.base)/echo")]))
        guard case .succeeded(let output, _) = get else { Issue.record("\(get)"); return }
        #expect(try Self.declared("integration.http", "expected_status") == "200-299")
        #expect(output["status"] == 200)
        #expect(output["body"]?["method"] == "GET")
        let put = await HTTPExecutor(client: .shared).execute(Self.context("integration.http", [
            "url": .string("\(server.base)/echo"), "method": "PUT", "body": ["a": 1],
        ]))
        guard case .succeeded(let echoed, _) = put else { Issue.record("\(put)"); return }
        #expect(echoed["body"]?["headers"]?["content-type"] == "application/json")
        #expect(echoed["body"]?["body"] == #"{"a":1}"#)
    }

    @Test func aDeploymentWithoutEnvironmentIsInTheDeclaredOne() throws {
        let node = try DeploymentContext(settings: DeploymentSettings(environment: [:]), context: Self.context("windflow.deploy_stack", ["stack_id": "shop"]))
        #expect(try Self.declared("windflow.deploy_stack", "environment") == .string(node.environment))
        #expect(node.scope?.environment == "production")
    }

    @Test func aParameterOfTheWrongShapeFailsTheNodeSayingWhichButNotItsValue() async throws {
        let outcome = await DatabaseExecutor().execute(Self.context("integration.database", [
            "driver": "sqlite", "connection": ":memory:", "query": "SELECT 1", "max_rows": "s3cr3t",
        ]))
        guard case .failed(let failure) = outcome else { Issue.record("\(outcome)"); return }
        #expect(failure.kind == .configuration && !failure.retryable)
        #expect(failure.message == "parameter max_rows is text, not an integer")
        #expect(failure.details.subject == "max_rows")
    }
}
