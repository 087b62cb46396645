import CurlHTTP
import Foundation
import WindFlowCore

/// `integration.http`: one request through libcurl, its status checked against `expected_status`.
struct HTTPExecutor: NodeExecutor {
    let client: CurlClient

    func execute(_ context: NodeContext) async -> NodeOutcome {
        guard let url = context.input["url"]?.stringValue, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
            return .failed(NodeFailure(.validation, "url '\(redactedURL(context.input["url"]?.renderedText ?? ""))' is not an http or https URL",
                                       retryable: false))
        }
        let parameters = context.parameters
        let method: String, bodyType: String, expected: JSONValue
        var request: CurlRequest
        do throws(ParameterError) {
            (method, bodyType, expected) = (try parameters.string("method").uppercased(), try parameters.string("body_type"),
                                            try parameters.value("expected_status"))
            request = CurlRequest(
                method: method, url: Self.adding(query: context.input["query"]?.objectValue ?? [:], to: url),
                timeout: try parameters.seconds("timeout"), maxResponseBytes: try parameters.int("max_response_bytes"),
                followRedirects: try parameters.bool("follow_redirects"))
        } catch {
            return .failed(NodeFailure(error))
        }
        for (name, value) in (context.input["headers"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            // A line break in a header would let a value smuggle in headers of its own.
            guard !(name + value.renderedText).contains(where: { $0 == "\r" || $0 == "\n" }) else {
                return .failed(NodeFailure(.validation, "header '\(name)' holds a line break", retryable: false))
            }
            request.headers.append((name, value.renderedText))
        }
        if let body = context.input["body"], !body.isNull {
            switch bodyType {
            case "text":
                request.body = Data(body.renderedText.utf8)
                setDefaultHeader(&request, "Content-Type", "text/plain; charset=utf-8")
            case "form":
                request.body = Data(Self.formEncoded(body.objectValue ?? [:]).utf8)
                setDefaultHeader(&request, "Content-Type", "application/x-www-form-urlencoded")
            default:
                request.body = Data(body.jsonText.utf8)
                setDefaultHeader(&request, "Content-Type", "application/json")
            }
        }
        if let failure = applyAuth(context.input["auth"], to: &request) { return .failed(failure) }
        let response: CurlResponse
        do {
            response = try await client.perform(request)
        } catch let error as CurlError {
            return .failed(Self.failure(for: error, method: method))
        } catch {
            return .failed(NodeFailure(.internal, "\(error)"))
        }
        var headers: [String: JSONValue] = [:]
        for header in response.headers { headers[header.name] = .string(header.value) }
        let output: JSONValue = [
            "status": .int(response.status), "headers": .object(headers), "body": Self.decodeBody(response),
            "elapsed_ms": .double((response.elapsed * 1000).rounded()),
        ]
        guard Self.matches(response.status, expected) else {
            let excerpt = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let retryable = response.status >= 500 || response.status == 429
            var message = "\(method) \(redactedURL(url)) answered \(response.status) (expected \(expected.renderedText))"
            if !excerpt.isEmpty { message += ": \(excerpt)" }
            if response.status == 401 || response.status == 403 { message += "; check the credentials" }
            return .failed(NodeFailure(.http, message, retryable: retryable, details: FailureDetails(httpStatus: response.status, subject: parsed.host), output: output))
        }
        return .succeeded(output, branch: nil)
    }

    private func setDefaultHeader(_ request: inout CurlRequest, _ name: String, _ value: String) {
        if !request.headers.contains(where: { $0.name.lowercased() == name.lowercased() }) { request.headers.append((name, value)) }
    }

    /// Adds credentials; values come rendered (normally from `{{ secrets.… }}`).
    private func applyAuth(_ auth: JSONValue?, to request: inout CurlRequest) -> NodeFailure? {
        guard let auth, case .object = auth else { return nil }
        switch auth["type"]?.stringValue {
        case "bearer"?:
            guard let token = auth["token"]?.stringValue, !token.isEmpty else { return NodeFailure(.validation, "auth.token is empty", retryable: false) }
            request.headers.append(("Authorization", "Bearer \(token)"))
        case "basic"?:
            let pair = "\(auth["username"]?.renderedText ?? ""):\(auth["password"]?.renderedText ?? "")"
            request.headers.append(("Authorization", "Basic \(Data(pair.utf8).base64EncodedString())"))
        case "header"?:
            guard let name = auth["header_name"]?.stringValue, !name.isEmpty else {
                return NodeFailure(.validation, "auth.header_name is empty", retryable: false)
            }
            request.headers.append((name, auth["value"]?.renderedText ?? ""))
        default:
            return NodeFailure(.validation, "auth.type must be bearer, basic or header", retryable: false)
        }
        return nil
    }

    /// Whether `status` is one of `expected`: a number, a list of numbers, or text like `200-299`, `2xx`, `200,204`.
    static func matches(_ status: Int, _ expected: JSONValue) -> Bool {
        switch expected {
        case .int(let code): return status == code
        case .double(let code): return Double(status) == code
        case .array(let codes): return codes.contains { matches(status, $0) }
        case .string(let text):
            return text.split(separator: ",").contains { part in
                let piece = part.trimmingCharacters(in: .whitespaces).lowercased()
                if piece.count == 3, piece.hasSuffix("xx"), let first = Int(piece.prefix(1)) { return status / 100 == first }
                let bounds = piece.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                if bounds.count == 2 { return (bounds[0]...max(bounds[0], bounds[1])).contains(status) }
                return Int(piece) == status
            }
        default: return false
        }
    }

    static func failure(for error: CurlError, method: String) -> NodeFailure {
        let message = "\(method) \(error.url): \(error.message)"
        let details = error.failureDetails
        switch error.kind {
        case .timeout: return NodeFailure(.timeout, message, details: details)
        case .connectionRefused, .dns, .connectionLost: return NodeFailure(.connection, message, retryable: true, details: details)
        case .cancelled: return NodeFailure(.cancelled, message, details: details)
        case .tooLarge, .invalidRequest, .tooManyRedirects: return NodeFailure(.validation, message, retryable: false, details: details)
        case .tls: return NodeFailure(.configuration, message + "; check the certificate", retryable: false, details: details)
        case .file: return NodeFailure(.configuration, message, retryable: false, details: details)
        case .other: return NodeFailure(.connection, message, retryable: false, details: details)
        }
    }

    /// The body parsed when it is JSON, else as text.
    static func decodeBody(_ response: CurlResponse) -> JSONValue {
        if let value = try? JSONDecoder().decode(JSONValue.self, from: response.body), response.body.first.map({ [0x7B, 0x5B].contains($0) }) ?? false {
            return value
        }
        return .string(String(decoding: response.body, as: UTF8.self))
    }

    static func adding(query: [String: JSONValue], to url: String) -> String {
        guard !query.isEmpty, var components = URLComponents(string: url) else { return url }
        // Stricter than URLComponents: `+ & = #` in a value are encoded, so `a + b` stays a plus, not a space.
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "+&=#")
        var items = components.percentEncodedQueryItems ?? []
        for key in query.keys.sorted() {
            items.append(URLQueryItem(name: key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key,
                                      value: query[key]!.renderedText.addingPercentEncoding(withAllowedCharacters: allowed)))
        }
        components.percentEncodedQueryItems = items
        return components.string ?? url
    }

    static func formEncoded(_ fields: [String: JSONValue]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.keys.sorted().map { key in
            let value = fields[key]!.renderedText.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
            return "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value)"
        }.joined(separator: "&")
    }
}

extension CurlError {
    /// The facts of a request that got no answer: libcurl's class of error and the host it was for.
    var failureDetails: FailureDetails {
        FailureDetails(errorClass: FailureClass(rawValue: kind.rawValue), subject: URL(string: url)?.host)
    }
}
