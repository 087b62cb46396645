import Foundation
import WindFlowCore
import WindFlowDesigner
import WindFlowEngine
import WindFlowStore

/// One case of the failure corpus, run for real: a fresh store in the case's folder, the workflows of `before`,
/// the failing run, the suggestions for it, each judged, then the top one applied (or done) and the run tried again.
struct FailureScenario {
    let testCase: AdviceEvaluation.Case
    let peers: ScenarioPeers
    let designer: Designer?
    /// Ask the rules first (off: the model alone, to measure it on every case).
    var usesRules = true

    func run() async -> AdviceEvaluation.Result {
        var result = AdviceEvaluation.Result(id: testCase.id, title: testCase.title, uncovered: testCase.uncovered)
        result.missingPeers = testCase.peers.filter { !peers.available.contains($0) }
        guard result.missingPeers.isEmpty else { return result }
        let folder = peers.folder.appendingPathComponent("cases").appendingPathComponent(testCase.id)
        try? FileManager.default.removeItem(at: folder)
        do {
            try await measure(into: &result, folder: folder)
        } catch {
            result.error = "\(error)"
        }
        return result
    }

    private func measure(into result: inout AdviceEvaluation.Result, folder: URL) async throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("stacks"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        var values = peers.values
        values["scratch"] = folder.path
        func filled(_ text: String) -> String { AdviceEvaluation.fill(text, values) }
        for (path, content) in testCase.files {
            let url = folder.appendingPathComponent(filled(path))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try filled(content).write(to: url, atomically: true, encoding: .utf8)
        }
        var options = StoreOptions()
        options.path = folder.appendingPathComponent("windflow.sqlite").path
        let store = try await options.openStore()
        let clock = SystemClock()
        for (name, value) in testCase.secrets { try await store.setSecret(name, value: filled(value), now: clock.now()) }
        let deployment = DeploymentSettings(stacksDirectory: folder.appendingPathComponent("stacks").path, dataDirectory: folder.appendingPathComponent("data").path,
                                            dockerHost: testCase.dockerHost.map(filled) ?? values["docker"] ?? "unix://" + folder.appendingPathComponent("no-docker.sock").path)
        let engine = WorkflowEngine(runner: ExecutionRunner(store: store, executors: .standard(deployment: deployment),
                                                            configuration: EngineConfiguration(cancelPollInterval: 0.05)))
        func execute(_ workflow: Workflow) async throws -> ExecutionRecord {
            let record = try await engine.enqueue(workflow)
            _ = try await engine.runToEnd(record.id)
            guard let done = try await store.execution(record.id) else { throw CLIError("execution \(record.id) vanished") }
            return done
        }
        for (index, text) in testCase.before.enumerated() {
            let earlier = try await execute(try WorkflowCodec.load(filled(text)).workflow)
            guard earlier.status == .succeeded else {
                throw CLIError("setup: before[\(index)] should succeed and did not: \(earlier.errorMessage ?? earlier.status.rawValue)")
            }
        }
        let workflow = try WorkflowCodec.load(filled(testCase.workflow)).workflow
        let expectation = AdviceEvaluation.fill(testCase.expect, values)
        // Caught before it runs (a reference to no node, say): what the person sees is the validator's problem and
        // its suggested fix, judged like an action's words.
        let report = Validator().validate(workflow)
        if let problem = report.errors.first {
            result.failure = "refused before running: [\(problem.code.rawValue)] \(problem.path): \(problem.message)"
            for problem in report.errors {
                guard let fix = problem.suggestion else { continue }
                let words = "\(problem.message)\n\(fix)".lowercased()
                result.suggestions.append((problem.code.rawValue, "validation", "validator", fix,
                                           !expectation.action.isEmpty && expectation.action.allSatisfy { words.contains($0.lowercased()) }))
            }
            return
        }
        let failed = try await execute(workflow)
        guard failed.status == .failed else {
            throw CLIError("the scenario should fail and ended \(failed.status.rawValue)")
        }
        result.failure = "\(failed.errorNode ?? "?"): [\(failed.errorKind?.rawValue ?? "?")] \(failed.errorMessage ?? "")"
        let advisor = FixAdvisor(store: store, designer: designer, usesRules: usesRules)
        let started = Stopwatch()
        let advice = try await advisor.suggest(for: failed.id)
        result.latency = started.seconds
        for suggestion in advice.offered {
            let patched = suggestion.kind == "action" ? nil
                : (try? JSONPatch(json: suggestion.patch)).flatMap { try? WorkflowPatcher.apply($0, to: workflow) }
            result.suggestions.append((suggestion.rule, suggestion.kind, suggestion.source, suggestion.title,
                                       AdviceEvaluation.isCorrect(suggestion, patched: patched, for: expectation)))
        }
        result.fixedRun = try await runAgain(after: advice.offered.first, advisor: advisor, store: store, workflow: workflow, values: values, execute: execute)
    }

    /// Whether the run succeeds once the top suggestion is applied (a patch the case says fixes it) or done (an
    /// action, as `after_action` describes); nil when the case asks neither, or nothing was suggested.
    private func runAgain(after top: SuggestionRecord?, advisor: FixAdvisor, store: any WindFlowStorage, workflow: Workflow,
                          values: [String: String], execute: (Workflow) async throws -> ExecutionRecord) async throws -> Bool? {
        guard testCase.fixesRun || !testCase.afterAction.isEmpty, let top else { return nil }
        if top.kind == "action" {
            guard !testCase.afterAction.isEmpty else { return false }
            for (name, value) in testCase.afterAction { try await store.setSecret(name, value: AdviceEvaluation.fill(value, values), now: SystemClock().now()) }
            return try await execute(workflow).status == .succeeded
        }
        guard testCase.fixesRun else { return false }
        let saved = try await advisor.apply(top.id)
        return try await execute(saved.workflow).status == .succeeded
    }
}
