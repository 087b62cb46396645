import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner

/// The plan schema through llama.cpp's own JSON-schema-to-grammar converter: the llama-server that
/// scripts/local-llm.sh builds, started here with its smallest model, must take both dialects (a schema it cannot
/// convert is a 400). Skipped, saying so, where that binary or model is not on this machine (CI: the build takes
/// 12 minutes, so CI does not make it).
@Suite(.serialized)
struct PlanGrammarTests {
    static let home = ProcessInfo.processInfo.environment["WINDFLOW_LLM_HOME"] ?? (NSHomeDirectory() + "/.cache/windflow-llm")
    static let binary = ProcessInfo.processInfo.environment["WINDFLOW_LLAMA_SERVER"] ?? (home + "/bin/llama-server")
    static var model: String? {
        let folder = home + "/models"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".gguf") }.sorted() ?? []
        return (files.first { $0.contains("0.5b") } ?? files.first).map { folder + "/" + $0 }
    }
    /// Opt-in as well (`WINDFLOW_REAL_LLM=1`): on this machine the small model's server did not answer within the
    /// test's bounds while another model was busy, and a test must never wait on a peer it cannot see.
    static var available: Bool {
        ProcessInfo.processInfo.environment["WINDFLOW_REAL_LLM"] == "1" && FileManager.default.isExecutableFile(atPath: binary) && model != nil
    }

    @Test(.enabled(if: available, "set WINDFLOW_REAL_LLM=1 with llama-server and a model on this machine (scripts/local-llm.sh setup 0.5b): the plan schema was not compiled by llama.cpp's converter"))
    func llamaCppsConverterTakesBothDialectsOfThePlanSchema() async throws {
        let port = Int.random(in: 20_000..<40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-m", Self.model!, "-t", "2", "-c", "2048", "--host", "127.0.0.1", "--port", String(port), "--jinja"]
        process.environment = ["OMP_WAIT_POLICY": "PASSIVE", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)"
        let deadline = Date().addingTimeInterval(60)
        var ready = false
        while Date() < deadline, !ready {
            ready = (try? await CurlClient.shared.perform(CurlRequest(url: base + "/health")))?.status == 200
            if !ready { try await Task.sleep(for: .milliseconds(250)) }
        }
        try #require(ready, "llama-server did not start within 60 s")
        let relevant = ["windflow.backup_data", "integration.notification", "integration.script"]
        for (label, schema) in [("grammar", PlanSchema(dialect: .grammar).schema), ("strict", PlanSchema(dialect: .strict).schema),
                                ("grammar, 3 types", PlanSchema(types: relevant, dialect: .grammar).schema)] {
            let body: JSONValue = [
                "model": "x", "max_tokens": 8, "messages": [["role": "user", "content": "A plan to back up the shop stack nightly."]],
                "response_format": ["type": "json_schema", "json_schema": ["name": "plan", "schema": schema]],
            ]
            let response = try await CurlClient.shared.perform(CurlRequest(
                method: "POST", url: base + "/v1/chat/completions", headers: [("Content-Type", "application/json")],
                body: Data(body.jsonText(keysFirst: DesignPlan.keyOrder).utf8), timeout: 60))
            #expect(response.status == 200, "\(label): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        // The compact grammar sent instead of the schema: llama.cpp's GBNF parser takes it, and the answer it allows
        // is JSON without whitespace.
        let grammar = CompactGrammar(PlanSchema(types: relevant, dialect: .grammar).schema).text
        let body: JSONValue = [
            "model": "x", "max_tokens": 40, "messages": [["role": "user", "content": "A plan to back up the shop stack nightly, as JSON."]],
            "grammar": .string(grammar),
        ]
        let response = try await CurlClient.shared.perform(CurlRequest(
            method: "POST", url: base + "/v1/chat/completions", headers: [("Content-Type", "application/json")],
            body: Data(body.jsonText.utf8), timeout: 60))
        #expect(response.status == 200, "compact grammar: \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        let answer = try JSONValue.parse(String(decoding: response.body, as: UTF8.self))["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
        #expect(answer.hasPrefix("{\"name\":\""), "\(answer)")
        // An answer begun by the code: llama-server continues the assistant's turn under the grammar of the steps.
        var fromDraft = PlanSchema(types: relevant, dialect: .grammar)
        fromDraft.allowsAssumptions = false
        let start = #"{"name":"Nightly backup","trigger":{"type":"trigger.schedule","with":{"schedule":"0 2 * * *"}},"steps":["#
        let rest = try #require(CompactGrammar.rest(of: fromDraft.schema, afterOpening: "steps"))
        let begun: JSONValue = [
            "model": "x", "max_tokens": 60,
            "messages": [["role": "user", "content": "A plan to back up the shop stack nightly, as JSON."], ["role": "assistant", "content": .string(start)]],
            "grammar": .string(rest.text),
        ]
        let continued = try await CurlClient.shared.perform(CurlRequest(
            method: "POST", url: base + "/v1/chat/completions", headers: [("Content-Type", "application/json")],
            body: Data(begun.jsonText.utf8), timeout: 60))
        #expect(continued.status == 200, "answer start: \(String(decoding: continued.body.prefix(300), as: UTF8.self))")
        let whole = try JSONValue.parse(String(decoding: continued.body, as: UTF8.self))["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
        #expect(whole.hasPrefix(start + "{\""), "the turn goes on with a step: \(whole)")
    }
}
