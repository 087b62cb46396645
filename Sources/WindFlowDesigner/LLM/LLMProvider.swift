import Foundation
import WindFlowCore
import WindFlowStore

/// A language model behind an HTTP API, asked for one structured answer.
public protocol LLMProvider: Sendable {
    /// The provider's name as configured: `openai`, `anthropic`, `ollama`.
    var name: String { get }
    /// The model asked.
    var model: String { get }
    /// Sends `request` and returns the model's whole answer. `progress` hears about streamed text and retries.
    /// - Throws: ``LLMError``, which never carries the API key.
    func complete(_ request: LLMRequest, progress: (@Sendable (LLMProgress) -> Void)?) async throws -> LLMCompletion
}

/// One question to a model: a system prompt, the conversation so far, and the JSON shape wanted back.
public struct LLMRequest: Sendable {
    public var system: String
    public var messages: [LLMMessage]
    /// The JSON Schema the answer must follow, sent as the provider's structured-output option where it has one.
    public var schema: JSONValue?
    /// What the call is for (`design`, `repair`, `fix`, …): recorded with the call.
    public var purpose: String
    /// The same shape in OpenAI's strict dialect (every property required, optional ones nullable), sent instead of
    /// ``schema`` with `strict: true` to servers that take it.
    public var strictSchema: JSONValue?
    /// A bound on the answer's length for this call, below the configuration's.
    public var maxTokens: Int?
    /// ``schema`` as a GBNF grammar without whitespace (``CompactGrammar``), sent instead of the schema to servers
    /// that take llama.cpp's `grammar` field (``LLMConfiguration/compactGrammar``).
    public var grammar: String?
    /// The answer's start, when the code already knows it, with the grammar of the rest (``AnswerStart``). Used only
    /// where ``grammar`` is sent (llama-server); elsewhere the model writes the whole answer under the schema.
    public var start: AnswerStart?

    public init(system: String, messages: [LLMMessage], schema: JSONValue? = nil, purpose: String) {
        self.system = system
        self.messages = messages
        self.schema = schema
        self.purpose = purpose
    }
}

extension LLMRequest {
    /// The answer's length bound: the call's own when it has one, never above the configuration's.
    func tokenLimit(_ configuration: LLMConfiguration) -> Int {
        min(maxTokens ?? configuration.maxTokens, configuration.maxTokens)
    }

    /// The conversation as `{role, content}` objects, with the system prompt as the first message when the API takes
    /// it there (OpenAI, Ollama) rather than in a field of its own (Anthropic).
    func chatMessages(systemFirst: Bool) -> [JSONValue] {
        let turns: [JSONValue] = messages.map { ["role": .string($0.role.rawValue), "content": .string($0.content)] }
        return systemFirst ? [["role": "system", "content": .string(system)]] + turns : turns
    }
}

/// The first characters of an answer, written by the code, and the GBNF grammar of what must follow them. The start
/// goes to the server as the assistant's turn already begun, which llama-server continues: it reads those tokens with
/// the prompt, at its prompt speed, instead of generating them one by one. The completion's text is the whole answer,
/// start included.
public struct AnswerStart: Sendable, Hashable {
    public var text: String
    public var grammar: String

    public init(text: String, grammar: String) {
        self.text = text
        self.grammar = grammar
    }
}

public struct LLMMessage: Sendable, Hashable {
    public enum Role: String, Sendable { case user, assistant }
    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// A model's answer and what it cost.
public struct LLMCompletion: Sendable {
    public var text: String
    /// The model that answered, as the server names it.
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// Seconds from the first request to the last byte, retries included.
    public var latency: Double
    /// HTTP requests sent (1 unless retried).
    public var attempts: Int
    /// Whether the answer stopped because it ran out of tokens.
    public var truncated: Bool

    public init(text: String, model: String, promptTokens: Int, completionTokens: Int, latency: Double, attempts: Int, truncated: Bool = false) {
        self.text = text
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latency = latency
        self.attempts = attempts
        self.truncated = truncated
    }
}

/// What a call reports while it runs.
public enum LLMProgress: Sendable {
    /// More of the answer arrived (streaming); `characters` is the total so far.
    case text(String, characters: Int)
    /// The server asked to wait (429) or failed (5xx, connection); the call is sent again after `delay` seconds.
    case retrying(attempt: Int, delay: Double, reason: String)
}

extension LLMProvider {
    /// ``complete(_:progress:)``, with the call recorded as made at `time` whatever its outcome (tokens, latency, attempts, or the
    /// error's kind and message).
    /// - Throws: ``LLMError`` (any other failure is reported as `unreachable`).
    func completeRecorded(
        _ request: LLMRequest, at time: Double, record: (@Sendable (LLMCallRecord) async -> Void)?, progress: (@Sendable (LLMProgress) -> Void)? = nil
    ) async throws -> LLMCompletion {
        let stopwatch = Stopwatch()
        do {
            let completion = try await complete(request, progress: progress)
            await record?(LLMCallRecord(
                at: time, provider: name, model: completion.model, purpose: request.purpose,
                promptTokens: completion.promptTokens, completionTokens: completion.completionTokens, latencyMs: completion.latency * 1000,
                attempts: completion.attempts, outcome: "ok"))
            return completion
        } catch {
            let failure = error as? LLMError ?? LLMError(.unreachable, "\(error)")
            await record?(LLMCallRecord(
                at: time, provider: name, model: model, purpose: request.purpose, promptTokens: 0, completionTokens: 0,
                latencyMs: stopwatch.seconds * 1000, attempts: 0, outcome: failure.kind.rawValue, error: failure.message))
            throw failure
        }
    }
}
