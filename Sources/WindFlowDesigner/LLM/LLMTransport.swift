import CurlHTTP
import Foundation
import WindFlowCore

/// The libcurl client a provider sends through (a shared one by default).
public struct CurlClientRef: Sendable {
    let client: CurlClient
    public init(_ client: CurlClient) { self.client = client }
    public static var shared: CurlClientRef { CurlClientRef(CurlClient.shared) }
}

/// Sends a provider's request, retrying 429 (after Retry-After), 5xx and lost connections, and turns every failure
/// into an ``LLMError`` that names the server but never the key.
struct LLMTransport: Sendable {
    let configuration: LLMConfiguration
    let client: CurlClient

    /// The JSON body of a successful answer.
    func send(
        path: String, headers: [(name: String, value: String)], body: JSONValue, progress: (@Sendable (LLMProgress) -> Void)?
    ) async throws -> (response: CurlResponse, attempts: Int) {
        try await withRetries(progress: progress) { attempt in
            let response = try await perform(path: path, headers: headers, body: body)
            try check(response.status, body: response.body, headers: response.headers)
            return response
        }
    }

    /// Streams a successful answer's body to `chunk`; a failed answer is read whole and retried like ``send``.
    func stream(
        path: String, headers: [(name: String, value: String)], body: JSONValue, progress: (@Sendable (LLMProgress) -> Void)?,
        chunk: (Data) throws -> Void
    ) async throws -> Int {
        let (stream, attempts) = try await withRetries(progress: progress) { _ in
            let request = makeRequest(path: path, headers: headers, body: body)
            let opened: (response: CurlResponse, body: AsyncThrowingStream<Data, any Error>)
            do { opened = try await client.stream(request) } catch { throw classify(error) }
            if opened.response.status >= 300 {
                var whole = Data()
                do { for try await part in opened.body { whole.append(part) } } catch {}
                try check(opened.response.status, body: whole, headers: opened.response.headers)
            }
            return opened.body
        }
        do {
            for try await part in stream { try chunk(part) }
        } catch let error as LLMError {
            throw error
        } catch {
            // Cut off mid-answer: not retried (part of it was shown), reported as what it was.
            let classified = classify(error)
            throw (classified as? RetryableFailure)?.error ?? classified
        }
        return attempts
    }

    private func withRetries<T>(
        progress: (@Sendable (LLMProgress) -> Void)?, _ body: (Int) async throws -> T
    ) async throws -> (T, Int) {
        var attempt = 1
        while true {
            do {
                return (try await body(attempt), attempt)
            } catch let error as RetryableFailure {
                guard attempt <= configuration.maxRetries else { throw error.error }
                let delay = min(configuration.maxRetryDelay, error.retryAfter ?? 0.5 * pow(2, Double(attempt - 1)))
                progress?(.retrying(attempt: attempt + 1, delay: delay, reason: error.error.message))
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                if Task.isCancelled { throw LLMError(.cancelled, "the call to \(configuration.provider.rawValue) was cancelled") }
                attempt += 1
            }
        }
    }

    private func makeRequest(path: String, headers: [(name: String, value: String)], body: JSONValue) -> CurlRequest {
        CurlRequest(
            method: "POST", url: configuration.baseURL + path,
            headers: [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")] + headers,
            body: Data(body.jsonText(keysFirst: DesignPlan.keyOrder).utf8), timeout: configuration.timeout, maxResponseBytes: 8 * 1024 * 1024)
    }

    private func perform(path: String, headers: [(name: String, value: String)], body: JSONValue) async throws -> CurlResponse {
        do { return try await client.perform(makeRequest(path: path, headers: headers, body: body)) } catch { throw classify(error) }
    }

    /// A curl failure as an LLM error (retryable ones wrapped so the loop retries them).
    private func classify(_ error: any Error) -> any Error {
        let server = redactedURL(configuration.baseURL)
        guard let curl = error as? CurlError else { return error }
        switch curl.kind {
        case .cancelled:
            return LLMError(.cancelled, "the call to \(server) was cancelled")
        case .timeout:
            return RetryableFailure(error: LLMError(.timeout, "\(server) did not answer within \(JSONValue.format(configuration.timeout)) s; raise the timeout (WINDFLOW_LLM_TIMEOUT) or use a smaller model"), retryAfter: nil)
        case .connectionRefused, .dns, .connectionLost:
            return RetryableFailure(error: LLMError(.unreachable, "cannot reach the \(configuration.provider.rawValue) server at \(server): \(curl.message); is it running? (for a local model: scripts/local-llm.sh start)"), retryAfter: nil)
        default:
            return LLMError(.unreachable, "the call to \(server) failed: \(curl.message)")
        }
    }

    /// Throws for a status that is not a success, with the server's own error message.
    private func check(_ status: Int, body: Data, headers: [(name: String, value: String)]) throws {
        guard status >= 300 else { return }
        // Servers quote the key they refused ("Incorrect API key provided: sk-…"): never repeat it.
        let detail = Self.errorDetail(body).map { ": " + Self.hiding(configuration.apiKey, in: $0) } ?? ""
        let server = redactedURL(configuration.baseURL)
        let retryAfter = headers.first { $0.name.lowercased() == "retry-after" }.flatMap { Self.retryAfterSeconds($0.value) }
        switch status {
        case 401, 403:
            throw LLMError(.authentication, "\(server) refused the API key (HTTP \(status))\(detail); set WINDFLOW_LLM_API_KEY (or OPENAI_API_KEY / ANTHROPIC_API_KEY)", status: status)
        case 429:
            throw RetryableFailure(error: LLMError(.rateLimited, "\(server) is rate limiting (HTTP 429)\(detail); try again later", status: status), retryAfter: retryAfter)
        case 500...:
            throw RetryableFailure(error: LLMError(.server, "\(server) failed (HTTP \(status))\(detail)", status: status), retryAfter: retryAfter)
        default:
            throw LLMError(.rejected, "\(server) rejected the request (HTTP \(status))\(detail); check the model name '\(configuration.model)'", status: status)
        }
    }

    /// The message an error body carries (`{"error": {"message": …}}` and the like), shortened; nil when none.
    static func errorDetail(_ body: Data) -> String? {
        guard !body.isEmpty else { return nil }
        var text = String(decoding: body.prefix(2000), as: UTF8.self)
        if let value = try? JSONDecoder().decode(JSONValue.self, from: body) {
            if let message = value["error"]?["message"]?.stringValue ?? value["error"]?.stringValue ?? value["message"]?.stringValue {
                text = message
            }
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : String(text.prefix(300))
    }

    /// `text` with `key` (and any long run of it) replaced by `***`.
    static func hiding(_ key: String?, in text: String) -> String {
        guard let key, key.count >= 4 else { return text }
        var result = text.replacingOccurrences(of: key, with: "***")
        // A quoted prefix of the key (servers show the first characters and mask the rest) goes too.
        if key.count >= 12 { result = result.replacingOccurrences(of: String(key.prefix(8)), with: "***") }
        return result
    }

    /// `Retry-After` as seconds: a number, or an HTTP date.
    static func retryAfterSeconds(_ value: String, now: Date = Date(timeIntervalSince1970: SystemClock().now())) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { max(0, $0.timeIntervalSince(now)) }
    }
}

/// A failure worth another attempt, and how long the server asked to wait.
struct RetryableFailure: Error {
    var error: LLMError
    var retryAfter: Double?
}

/// Server-sent events cut from a byte stream: each `data:` payload with its `event:` name.
struct SSEDecoder {
    private var buffer = Data()

    /// Adds bytes; returns the events they complete.
    mutating func feed(_ data: Data) -> [(event: String?, data: String)] {
        buffer.append(data)
        var events: [(String?, String)] = []
        while let end = Self.eventEnd(in: buffer) {
            let block = String(decoding: buffer[buffer.startIndex..<end.start], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex..<end.end)
            var name: String?
            var lines: [String] = []
            for line in block.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
                if line.hasPrefix("event:") { name = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
                if line.hasPrefix("data:") {
                    var payload = line.dropFirst(5)
                    if payload.first == " " { payload = payload.dropFirst() }
                    lines.append(String(payload))
                }
            }
            if !lines.isEmpty { events.append((name, lines.joined(separator: "\n"))) }
        }
        return events
    }

    private static func eventEnd(in data: Data) -> (start: Data.Index, end: Data.Index)? {
        for separator in [Data("\r\n\r\n".utf8), Data("\n\n".utf8)] {
            if let range = data.range(of: separator) { return (range.lowerBound, range.upperBound) }
        }
        return nil
    }
}

/// Newline-delimited JSON cut from a byte stream (Ollama's streaming).
struct NDJSONDecoder {
    private var buffer = Data()

    mutating func feed(_ data: Data) -> [JSONValue] {
        buffer.append(data)
        var values: [JSONValue] = []
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = buffer[buffer.startIndex..<newline]
            buffer.removeSubrange(buffer.startIndex...newline)
            if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) { values.append(value) }
        }
        return values
    }
}
