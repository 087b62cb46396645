import CurlHTTP
import Foundation
import WindFlowCore

/// Signed calls to one S3-compatible endpoint: addresses buckets and keys (virtual-host or path style), signs each
/// request (``S3Signature``), and turns error answers into ``S3Failure``s.
struct S3Client: Sendable {
    let http: CurlClient
    let signer: S3Signature
    let scheme: String
    /// The endpoint's host, with its port when not the scheme's default.
    let endpointHost: String
    let pathStyle: Bool
    let timeout: Double
    let now: @Sendable () -> Double

    /// - Throws: ``NodeFailure`` when the endpoint is not an http(s) URL.
    init(http: CurlClient, signer: S3Signature, endpoint: String?, pathStyle: Bool, timeout: Double, now: @escaping @Sendable () -> Double) throws(NodeFailure) {
        let text = endpoint.flatMap { $0.isEmpty ? nil : $0 }
            ?? (signer.region == "us-east-1" ? "https://s3.amazonaws.com" : "https://s3.\(signer.region).amazonaws.com")
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else {
            throw NodeFailure(.validation, "endpoint '\(redactedURL(text))' is not an http or https URL", retryable: false)
        }
        let defaultPort = scheme == "https" ? 443 : 80
        self.http = http
        self.signer = signer
        self.scheme = scheme
        self.endpointHost = url.port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host
        self.pathStyle = pathStyle
        self.timeout = timeout
        self.now = now
    }

    /// The client a node's parameters describe (`endpoint`, `region`, `path_style`, `access_key`, `secret_key`,
    /// `session_token`, `timeout`), signing with the engine's time from `start` on.
    /// - Throws: ``ParameterError`` or ``NodeFailure``.
    init(parameters: NodeParameters, http: CurlClient, start: Double) throws {
        let text = parameters.optionalText
        let signer = S3Signature(accessKey: try parameters.string("access_key"), secretKey: try parameters.string("secret_key"),
                                 sessionToken: text("session_token"), region: try parameters.string("region"))
        let started = Stopwatch()
        try self.init(http: http, signer: signer, endpoint: text("endpoint"), pathStyle: try parameters.bool("path_style"),
                      timeout: parameters.isSet("timeout") || parameters.declaredDefault("timeout") != nil ? try parameters.seconds("timeout") : 3600,
                      now: { start + started.seconds })
    }

    /// The host and encoded path of `key` in `bucket` (the bucket alone when `key` is nil).
    func address(bucket: String, key: String?) -> (host: String, path: String) {
        let object = key.map { "/" + S3Signature.encode($0, keepSlash: true) } ?? "/"
        if pathStyle { return (endpointHost, "/" + S3Signature.encode(bucket) + object) }
        return ("\(bucket).\(endpointHost)", object)
    }

    /// A signed request; `query` decoded, `headers` besides the signature's (x-amz-* ones are signed).
    func request(_ method: String, bucket: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
                 body: Data? = nil, bodyFile: FileSection? = nil, maxResponseBytes: Int = 16 * 1024 * 1024) -> CurlRequest {
        let (host, path) = address(bucket: bucket, key: key)
        let signed = signer.authorization(method: method, host: host, path: path, query: query, headers: headers, time: now())
        let queryText = query.isEmpty ? "" : "?" + S3Signature.canonicalQuery(query)
        var request = CurlRequest(method: method, url: "\(scheme)://\(host)\(path)\(queryText)", body: body, timeout: timeout,
                                  maxResponseBytes: maxResponseBytes, followRedirects: false)
        request.bodyFile = bodyFile
        request.headers = (headers + signed).map { (name: $0.0, value: $0.1) }
        // libcurl would call a body without a type a form (application/x-www-form-urlencoded), and servers parse it.
        if body != nil || bodyFile != nil, !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            request.headers.append((name: "Content-Type", value: "application/octet-stream"))
        }
        return request
    }

    /// Sends a signed request and returns the answer when its status is 2xx.
    /// - Throws: ``NodeFailure``, classified (S3's error code, or libcurl's failure), naming `operation`.
    func send(_ request: CurlRequest, operation: String) async throws(NodeFailure) -> CurlResponse {
        let response: CurlResponse
        do { response = try await http.perform(request) } catch { throw Self.failure(error, operation: operation) }
        guard (200..<300).contains(response.status) else {
            throw Self.failure(S3Failure.classify(status: response.status, body: String(decoding: response.body.prefix(64 * 1024), as: UTF8.self),
                                                  operation: operation))
        }
        return response
    }

    /// Sends a GET whose answer libcurl writes into `file` as it arrives (never held in memory), returning the
    /// answer's head and the bytes written. The file appears whole or not at all.
    func download(_ request: CurlRequest, to file: String, operation: String) async throws(NodeFailure) -> (CurlResponse, Int) {
        let partial = file + ".windflow-partial"
        var request = request
        request.responseFile = partial
        do throws(NodeFailure) {
            let head = try await send(request, operation: operation)
            let written = ((try? FileManager.default.attributesOfItem(atPath: partial))?[.size] as? NSNumber)?.intValue ?? 0
            guard rename(partial, file) == 0 else {
                throw NodeFailure(.configuration, "\(operation): cannot write \(file): \(String(cString: strerror(errno)))", retryable: false,
                                  details: FailureDetails(subject: file))
            }
            return (head, written)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    static func failure(_ failure: S3Failure) -> NodeFailure {
        let kind: FailureKind = [.credentials, .clockSkew, .denied, .wrongRegion].contains(failure.kind) ? .configuration : .http
        return NodeFailure(kind, failure.message, retryable: failure.retryable,
                           details: FailureDetails(httpStatus: failure.status, errorClass: failure.code.map(FailureClass.init(rawValue:)),
                                                   subject: failure.region.map { _ in "region" }, alternatives: failure.region.map { [$0] }))
    }

    static func failure(_ error: any Error, operation: String) -> NodeFailure {
        if let failure = error as? NodeFailure { return failure }
        guard let error = error as? CurlError else { return NodeFailure(.internal, "\(operation): \(error)") }
        var failure = HTTPExecutor.failure(for: error, method: operation)
        if failure.kind == .connection { failure.message += "; check endpoint (is the object store reachable from here?)" }
        if error.kind == .tooLarge { failure.message += "; write the object to destination_file instead" }
        return failure
    }
}
