import CurlHTTP
import Foundation
import WindFlowCore

/// Anthropic's Messages API (`/v1/messages`). Structured output goes through a tool whose input schema is the
/// answer's schema, with `tool_choice` forcing it.
public struct AnthropicProvider: LLMProvider {
    public let configuration: LLMConfiguration
    let transport: LLMTransport
    static let toolName = "answer"

    public var name: String { "anthropic" }
    public var model: String { configuration.model }

    public init(configuration: LLMConfiguration, client: CurlClientRef = .shared) {
        self.configuration = configuration
        transport = LLMTransport(configuration: configuration, client: client.client)
    }

    public func complete(_ request: LLMRequest, progress: (@Sendable (LLMProgress) -> Void)?) async throws -> LLMCompletion {
        let stopwatch = Stopwatch()
        var body: [String: JSONValue] = [
            "model": .string(configuration.model), "system": .string(request.system),
            "messages": .array(request.chatMessages(systemFirst: false)),
            "temperature": .double(configuration.temperature), "max_tokens": .int(request.tokenLimit(configuration)),
        ]
        if let schema = request.schema {
            body["tools"] = [["name": .string(Self.toolName), "description": "Give the answer in this shape.", "input_schema": schema]]
            body["tool_choice"] = ["type": "tool", "name": .string(Self.toolName)]
        }
        var headers: [(name: String, value: String)] = [("anthropic-version", "2023-06-01")]
        if let key = configuration.apiKey { headers.append(("x-api-key", key)) }
        let path = "/v1/messages"
        guard configuration.stream else {
            let (response, attempts) = try await transport.send(path: path, headers: headers, body: .object(body), progress: progress)
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: response.body), let blocks = value["content"]?.arrayValue else {
                throw LLMError(.malformedResponse, "\(redactedURL(configuration.baseURL)) answered without a content list")
            }
            // A tool call's input is the structured answer; otherwise the text blocks are.
            let text = blocks.first { $0["type"]?.stringValue == "tool_use" }.flatMap { $0["input"]?.jsonText }
                ?? blocks.compactMap { $0["text"]?.stringValue }.joined()
            return LLMCompletion(
                text: text, model: value["model"]?.stringValue ?? configuration.model,
                promptTokens: value["usage"]?["input_tokens"]?.intValue ?? 0,
                completionTokens: value["usage"]?["output_tokens"]?.intValue ?? 0,
                latency: stopwatch.seconds, attempts: attempts,
                truncated: value["stop_reason"]?.stringValue == "max_tokens")
        }
        body["stream"] = true
        var decoder = SSEDecoder()
        var text = "", toolInput = "", model = configuration.model, promptTokens = 0, completionTokens = 0
        var stop: String?, finished = false
        let attempts = try await transport.stream(path: path, headers: headers, body: .object(body), progress: progress) { data in
            for event in decoder.feed(data) {
                guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)) else { continue }
                switch value["type"]?.stringValue ?? event.event {
                case "message_start":
                    model = value["message"]?["model"]?.stringValue ?? model
                    promptTokens = value["message"]?["usage"]?["input_tokens"]?.intValue ?? promptTokens
                case "content_block_delta":
                    let piece = value["delta"]?["text"]?.stringValue ?? value["delta"]?["partial_json"]?.stringValue ?? ""
                    if value["delta"]?["type"]?.stringValue == "input_json_delta" { toolInput += piece } else { text += piece }
                    if !piece.isEmpty { progress?(.text(piece, characters: text.count + toolInput.count)) }
                case "message_delta":
                    stop = value["delta"]?["stop_reason"]?.stringValue ?? stop
                    completionTokens = value["usage"]?["output_tokens"]?.intValue ?? completionTokens
                case "message_stop":
                    finished = true
                case "error":
                    let message = value["error"]?["message"]?.stringValue ?? "unknown error"
                    throw LLMError(.server, "\(redactedURL(configuration.baseURL)) failed while answering: \(message)")
                default:
                    continue
                }
            }
        }
        return LLMCompletion(
            text: toolInput.isEmpty ? text : toolInput, model: model, promptTokens: promptTokens, completionTokens: completionTokens,
            latency: stopwatch.seconds, attempts: attempts, truncated: stop == "max_tokens" || !finished)
    }
}
