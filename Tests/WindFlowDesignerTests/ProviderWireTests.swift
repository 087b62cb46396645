import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner

/// Each provider against the scripted server speaking its real wire format, streamed and not.
@Suite(.serialized)
struct ProviderWireTests {
    static let request = LLMRequest(system: "You design workflows.", messages: [LLMMessage(.user, "ping")], schema: DesignSchema.answer(.standard), purpose: "design")

    @Test(arguments: [LLMConfiguration.Provider.openai, .anthropic, .ollama], [true, false])
    func answersArriveWholeWithTheirTokenCounts(provider: LLMConfiguration.Provider, stream: Bool) async throws {
        let llm = try await ScriptedLLM()
        try await llm.script(Answers.valid)
        let chunks = Counter()
        let completion = try await #require(llm.configuration(provider, stream: stream).makeProvider()).complete(Self.request) { event in
            if case .text = event { chunks.add() }
        }
        let parsed = try ResponseParser.parse(completion.text)
        #expect(parsed.loaded.workflow.nodes.count == 3)
        #expect(completion.promptTokens > 0 && completion.completionTokens > 0)
        #expect(completion.attempts == 1 && !completion.truncated)
        #expect(stream ? chunks.value > 3 : chunks.value == 0, "streaming reports progress as text arrives")
        let sent = try #require(try await llm.requests().first)
        switch provider {
        case .openai:
            #expect(sent["headers"]?["authorization"]?.stringValue == "Bearer sk-test-0123456789abcdef")
            #expect(sent["body"]?["response_format"]?["type"]?.stringValue == "json_schema")
        case .anthropic:
            #expect(sent["headers"]?["x-api-key"]?.stringValue == "sk-test-0123456789abcdef")
            #expect(sent["body"]?["tool_choice"]?["name"]?.stringValue == AnthropicProvider.toolName)
            #expect(sent["body"]?["system"]?.stringValue == "You design workflows.")
        default:
            #expect(sent["body"]?["format"]?["type"]?.stringValue == "object")
        }
        #expect(sent["body"]?["stream"]?.boolValue == stream || (provider != .ollama && !stream && sent["body"]?["stream"] == nil))
    }

    @Test func a429IsRetriedAfterTheTimeItAsksFor() async throws {
        let llm = try await ScriptedLLM()
        try await llm.script([ScriptedLLM.Step(status: 429, headers: ["Retry-After": "1"], error: "slow down"), ScriptedLLM.Step(content: Answers.valid)])
        let retries = Counter()
        let started = Date()
        let completion = try await #require(llm.configuration(.openai).makeProvider()).complete(Self.request) { event in
            if case .retrying(_, let delay, _) = event, delay == 1 { retries.add() }
        }
        #expect(completion.attempts == 2)
        #expect(retries.value == 1)
        #expect(Date().timeIntervalSince(started) >= 0.9)
    }

    @Test func serverErrorsAreRetriedThenReported() async throws {
        let llm = try await ScriptedLLM()
        try await llm.script(Array(repeating: ScriptedLLM.Step(status: 500, error: "the GPU caught fire"), count: 3))
        await #expect {
            _ = try await #require(llm.configuration(.anthropic).makeProvider()).complete(Self.request, progress: nil)
        } throws: { error in
            guard let error = error as? LLMError else { return false }
            return error.kind == .server && error.message.contains("HTTP 500") && error.message.contains("the GPU caught fire")
        }
        #expect(try await llm.requests().count == 3, "1 attempt + maxRetries 2, no more")
    }

    @Test func aSlowServerTimesOut() async throws {
        let llm = try await ScriptedLLM()
        try await llm.script([ScriptedLLM.Step(content: Answers.valid, delay: 3)])
        var configuration = llm.configuration(.ollama)
        configuration.timeout = 1
        configuration.maxRetries = 0
        await #expect {
            _ = try await #require(configuration.makeProvider()).complete(Self.request, progress: nil)
        } throws: { error in
            (error as? LLMError)?.kind == .timeout && "\(error)".contains("WINDFLOW_LLM_TIMEOUT")
        }
    }

    @Test func aRefusedKeyIsReportedWithoutTheKey() async throws {
        let llm = try await ScriptedLLM()
        try await llm.script([ScriptedLLM.Step(status: 401, error: "Incorrect API key provided: sk-test-0123456789abcdef. Find yours at …")])
        await #expect {
            _ = try await #require(llm.configuration(.openai).makeProvider()).complete(Self.request, progress: nil)
        } throws: { error in
            guard let error = error as? LLMError else { return false }
            return error.kind == .authentication && !error.message.contains("0123456789abcdef") && !error.message.contains("sk-test-0")
                && error.message.contains("WINDFLOW_LLM_API_KEY")
        }
    }

    @Test func aServerThatIsNotThereSaysHowToStartOne() async throws {
        var configuration = LLMConfiguration(provider: .openai, baseURL: "http://127.0.0.1:9", model: "m", maxRetries: 0)
        configuration.timeout = 5
        await #expect {
            _ = try await #require(configuration.makeProvider()).complete(Self.request, progress: nil)
        } throws: { error in
            (error as? LLMError)?.kind == .unreachable && "\(error)".contains("scripts/local-llm.sh")
        }
    }

    @Test func aServerWithoutStructuredOutputIsAskedForPlainJSON() async throws {
        let llm = try await ScriptedLLM()
        try await llm.script([ScriptedLLM.Step(status: 400, error: "response_format type json_schema is not supported"), ScriptedLLM.Step(content: Answers.valid)])
        let completion = try await #require(llm.configuration(.openai, stream: false).makeProvider()).complete(Self.request, progress: nil)
        #expect(completion.text.contains("Site check"))
        let sent = try await llm.requests()
        #expect(sent.count == 2 && sent[1]["body"]?["response_format"] == nil)
    }

    @Test func retryAfterReadsSecondsAndDates() {
        #expect(LLMTransport.retryAfterSeconds("7") == 7)
        let now = Date(timeIntervalSince1970: 1_000_000_000)
        #expect(LLMTransport.retryAfterSeconds("Sun, 09 Sep 2001 01:46:50 GMT", now: now) == 10)
        #expect(LLMTransport.retryAfterSeconds("soon") == nil)
    }
}

/// A thread-safe count, for progress callbacks.
final class Counter: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
