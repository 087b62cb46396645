import CurlHTTP
import Foundation
import WindFlowCore

/// Ollama's own `/api/chat`, with `format` set to the answer's JSON Schema.
public struct OllamaProvider: LLMProvider {
    public let configuration: LLMConfiguration
    let transport: LLMTransport

    public var name: String { "ollama" }
    public var model: String { configuration.model }

    public init(configuration: LLMConfiguration, client: CurlClientRef = .shared) {
        self.configuration = configuration
        transport = LLMTransport(configuration: configuration, client: client.client)
    }

    public func complete(_ request: LLMRequest, progress: (@Sendable (LLMProgress) -> Void)?) async throws -> LLMCompletion {
        let stopwatch = Stopwatch()
        let messages = request.chatMessages(systemFirst: true)
        var body: [String: JSONValue] = [
            "model": .string(configuration.model), "messages": .array(messages), "stream": .bool(configuration.stream),
            "options": ["temperature": .double(configuration.temperature), "num_predict": .int(request.tokenLimit(configuration))],
        ]
        body["format"] = request.schema ?? "json"
        let path = "/api/chat"
        var text = "", model = configuration.model, promptTokens = 0, completionTokens = 0, done = false, reason: String?
        func absorb(_ value: JSONValue) throws {
            if let message = value["error"]?.stringValue {
                throw LLMError(.server, "\(redactedURL(configuration.baseURL)) failed while answering: \(message)")
            }
            if let piece = value["message"]?["content"]?.stringValue, !piece.isEmpty {
                text += piece
                if configuration.stream { progress?(.text(piece, characters: text.count)) }
            }
            model = value["model"]?.stringValue ?? model
            if value["done"]?.boolValue == true {
                done = true
                reason = value["done_reason"]?.stringValue
                promptTokens = value["prompt_eval_count"]?.intValue ?? 0
                completionTokens = value["eval_count"]?.intValue ?? 0
            }
        }
        let attempts: Int
        if configuration.stream {
            var decoder = NDJSONDecoder()
            attempts = try await transport.stream(path: path, headers: [], body: .object(body), progress: progress) { data in
                for value in decoder.feed(data) { try absorb(value) }
            }
        } else {
            let (response, count) = try await transport.send(path: path, headers: [], body: .object(body), progress: progress)
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: response.body), value["message"] != nil else {
                throw LLMError(.malformedResponse, "\(redactedURL(configuration.baseURL)) answered without a message")
            }
            try absorb(value)
            attempts = count
        }
        return LLMCompletion(
            text: text, model: model, promptTokens: promptTokens, completionTokens: completionTokens,
            latency: stopwatch.seconds, attempts: attempts, truncated: !done || reason == "length")
    }
}
