import CurlHTTP
import Foundation
import WindFlowCore

/// Any OpenAI-compatible `/v1/chat/completions`: OpenAI, llama.cpp's llama-server, vLLM, LM Studio, Ollama's /v1.
/// Asks for `response_format: json_schema`; a server that refuses it is asked again for plain JSON.
public struct OpenAIProvider: LLMProvider {
    public let configuration: LLMConfiguration
    let transport: LLMTransport

    public var name: String { "openai" }
    public var model: String { configuration.model }

    public init(configuration: LLMConfiguration, client: CurlClientRef = .shared) {
        self.configuration = configuration
        transport = LLMTransport(configuration: configuration, client: client.client)
    }

    public func complete(_ request: LLMRequest, progress: (@Sendable (LLMProgress) -> Void)?) async throws -> LLMCompletion {
        let stopwatch = Stopwatch()
        var request = request
        if !configuration.compactGrammar || configuration.strictSchemas { request.grammar = nil }
        do {
            guard let start = request.start, request.grammar != nil, request.schema != nil else {
                return try await send(request, structured: request.schema != nil, stopwatch: stopwatch, progress: progress)
            }
            // The answer begun: the server continues the assistant's turn under the grammar of the rest.
            var begun = request
            begun.messages.append(LLMMessage(.assistant, start.text))
            begun.grammar = start.grammar
            var completion = try await send(begun, structured: true, stopwatch: stopwatch, progress: progress)
            // llama-server answers with the whole turn, its start included. A server that sends only the rest gets
            // the start put back; one that ignored the begun turn and wrote a whole answer keeps its own.
            if !completion.text.hasPrefix(start.text) {
                let joined = start.text + completion.text
                let whole = (try? JSONValue.parse(completion.text)) != nil && (try? JSONValue.parse(joined)) == nil
                if !whole { completion.text = joined }
            }
            return completion
        } catch let error as LLMError where error.kind == .rejected && error.status == 400 && request.grammar != nil
            && error.message.lowercased().contains("grammar")
        {
            // Not llama.cpp's grammar after all: the schema as structured output.
            request.grammar = nil
            return try await complete(request, progress: progress)
        } catch let error as LLMError where error.kind == .rejected && error.status == 400 && request.schema != nil
            && error.message.lowercased().contains("response_format")
        {
            // The server does not know structured output: the prompt already asks for JSON.
            return try await send(request, structured: false, stopwatch: stopwatch, progress: progress)
        }
    }

    private func send(_ request: LLMRequest, structured: Bool, stopwatch: Stopwatch, progress: (@Sendable (LLMProgress) -> Void)?) async throws -> LLMCompletion {
        let messages = request.chatMessages(systemFirst: true)
        var body: [String: JSONValue] = [
            "model": .string(configuration.model), "messages": .array(messages),
            "temperature": .double(configuration.temperature), "max_tokens": .int(request.tokenLimit(configuration)),
        ]
        if structured, let grammar = request.grammar {
            body["grammar"] = .string(grammar)
        } else if structured, let schema = request.schema {
            if configuration.strictSchemas, let strict = request.strictSchema {
                body["response_format"] = ["type": "json_schema", "json_schema": ["name": .string(request.purpose), "strict": true, "schema": strict]]
            } else {
                body["response_format"] = ["type": "json_schema", "json_schema": ["name": .string(request.purpose), "schema": schema]]
            }
        }
        // llama-server keeps the prompt's evaluated prefix between calls: the stable system prompt is read once.
        if configuration.isLocalServer { body["cache_prompt"] = true }
        let headers = configuration.apiKey.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
        let path = "/v1/chat/completions"
        guard configuration.stream else {
            let (response, attempts) = try await transport.send(path: path, headers: headers, body: .object(body), progress: progress)
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: response.body),
                let choice = value["choices"]?.arrayValue?.first, let text = choice["message"]?["content"]?.stringValue
            else { throw LLMError(.malformedResponse, "\(redactedURL(configuration.baseURL)) answered without choices[0].message.content") }
            return LLMCompletion(
                text: text, model: value["model"]?.stringValue ?? configuration.model,
                promptTokens: value["usage"]?["prompt_tokens"]?.intValue ?? 0,
                completionTokens: value["usage"]?["completion_tokens"]?.intValue ?? 0,
                latency: stopwatch.seconds, attempts: attempts,
                truncated: choice["finish_reason"]?.stringValue == "length")
        }
        body["stream"] = true
        body["stream_options"] = ["include_usage": true]
        var decoder = SSEDecoder()
        var text = "", model = configuration.model, promptTokens = 0, completionTokens = 0, finish: String?
        var done = false
        let attempts = try await transport.stream(path: path, headers: headers, body: .object(body), progress: progress) { data in
            for event in decoder.feed(data) {
                if event.data == "[DONE]" { done = true; continue }
                guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)) else { continue }
                if let message = value["error"]?["message"]?.stringValue {
                    throw LLMError(.server, "\(redactedURL(configuration.baseURL)) failed while answering: \(message)")
                }
                if let name = value["model"]?.stringValue { model = name }
                if let usage = value["usage"], usage.objectValue != nil {
                    promptTokens = usage["prompt_tokens"]?.intValue ?? promptTokens
                    completionTokens = usage["completion_tokens"]?.intValue ?? completionTokens
                }
                guard let choice = value["choices"]?.arrayValue?.first else { continue }
                if let piece = choice["delta"]?["content"]?.stringValue, !piece.isEmpty {
                    text += piece
                    progress?(.text(piece, characters: text.count))
                }
                if let reason = choice["finish_reason"]?.stringValue { finish = reason }
            }
        }
        if !done && finish == nil && text.isEmpty {
            throw LLMError(.malformedResponse, "\(redactedURL(configuration.baseURL)) ended the stream without an answer")
        }
        return LLMCompletion(
            text: text, model: model, promptTokens: promptTokens, completionTokens: completionTokens,
            latency: stopwatch.seconds, attempts: attempts, truncated: finish == "length" || (!done && finish == nil))
    }
}
