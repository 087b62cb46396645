import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WindFlowCore
import WindFlowEngine
import WindFlowStore

/// `/webhooks/<path>`: starts the active workflow whose `trigger.webhook` has that path and method, after checking
/// its authentication. Answers 202 with the execution id once the execution is committed to the queue.
struct WebhookRoutes {
    let engine: WorkflowEngine
    let configuration: ServerConfiguration
    let secrets: [String: String]
    let cache = GenerationCache<[String: (WorkflowRecord, WorkflowNode)]>()
    let queueGauge = QueueGauge()
    let logger = Logger(label: "windflow.webhooks")
    let store: any WindFlowStorage

    func register(on router: Router<BasicRequestContext>) {
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            do {
                return try await handle(request, context)
            } catch let error as StoreError {
                // The store does not answer (a lost database): nothing was accepted, and the sender is told to send
                // it again rather than left with a 500 it may not retry.
                var response = ServiceResponse.problem(.serviceUnavailable, "Store unavailable",
                                                       detail: "the delivery could not be stored (\(error)); nothing was accepted: send it again")
                response.headers[.retryAfter] = "5"
                return response
            }
        }
        router.post("webhooks/**", use: handler)
        router.get("webhooks/**", use: handler)
        router.put("webhooks/**", use: handler)
        router.patch("webhooks/**", use: handler)
        router.delete("webhooks/**", use: handler)
    }

    func handle(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let path = "/" + context.parameters.getCatchAll().joined(separator: "/")
        let method = request.method.rawValue
        guard let (record, node) = try await find(path: path, method: method) else {
            return ServiceResponse.problem(.notFound, "No webhook", detail: "no active workflow listens on \(method) /webhooks\(path)")
        }
        let parameters = NodeParameters(node)
        let limit: Int, credentialHeaders: [String], waits: Bool, waitLimit: Double
        do throws(ParameterError) {
            // Not a parameter default: without its own limit a webhook has the server's (a setting, not in the registry).
            limit = parameters.isSet("max_body_bytes") ? try parameters.int("max_body_bytes") : configuration.maxBodyBytes
            credentialHeaders = [try parameters.string("token_header"), try parameters.string("signature_header")]
            (waits, waitLimit) = (try parameters.string("response_mode") == "wait", try parameters.seconds("response_timeout"))
        } catch {
            return ServiceResponse.problem(.internalServerError, "Webhook misconfigured", detail: "the trigger's \(error)")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            return ServiceResponse.problem(.contentTooLarge, "Body too large")
        }
        let bytes = Array(buffer: body)
        if let denial = await authenticate(request, record: record, node: node, body: bytes) { return denial }
        if try await queueGauge.isFull(limit: configuration.maxQueueDepth, read: { try await store.queueDepth() }) {
            var response = ServiceResponse.problem(.tooManyRequests, "Queue full", detail: "try again shortly")
            response.headers[.retryAfter] = "1"
            return response
        }
        let idempotencyKey: String?
        switch IdempotencyHeader.read(request) {
        case .ok(let key): idempotencyKey = key
        case .response(let refusal): return refusal
        }
        let input = triggerInput(request, path: path, body: bytes, credentialHeaders: credentialHeaders)
        let execution: ExecutionRecord
        do {
            execution = try await engine.start(record, trigger: node.id, input: input, idempotencyKey: idempotencyKey)
        } catch let error as EngineError {
            return ServiceResponse.problem(.unprocessableContent, "Cannot run", detail: error.description)
        }
        if waits {
            if let result = try await result(of: execution.id, within: waitLimit) { return result }
        }
        return ServiceResponse.json(["execution_id": .string(execution.id), "status_url": .string("/api/v1/executions/\(execution.id)")],
                                    status: .accepted)
    }

    /// `response_mode: wait`: the run's result once it ends — 200 with the outputs of its last nodes when it
    /// succeeded, 500 (problem+json) when it failed, 409 when cancelled — or nil when it is still running after
    /// `limit` seconds (the caller then answers 202 as usual).
    private func result(of id: String, within limit: Double) async throws -> Response? {
        let waited = Stopwatch()
        var delay = 0.005
        while waited.seconds < limit {
            if let record = try await store.execution(id), record.status.isTerminal {
                let base: [String: JSONValue] = ["execution_id": .string(id), "status": .string(record.status.rawValue),
                                                 "status_url": .string("/api/v1/executions/\(id)")]
                switch record.status {
                case .succeeded:
                    let runs = try await store.nodeRuns(of: id)
                    let workflow = try await store.workflow(record.workflowID, version: record.workflowVersion)?.workflow
                    let sources = Set(workflow?.edges.map(\.source) ?? [])
                    var output: [String: JSONValue] = [:]
                    for run in runs where run.status == .succeeded && !sources.contains(run.nodeID) { output[run.nodeID] = run.output ?? .null }
                    return ServiceResponse.json(.object(base.merging(["output": .object(output)]) { $1 }))
                case .failed:
                    return ServiceResponse.problem(.internalServerError, "Execution failed", detail: record.errorMessage ?? "the run failed", extra: base)
                default:
                    return ServiceResponse.problem(.conflict, "Execution cancelled", extra: base)
                }
            }
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            delay = min(delay * 2, 0.1)
        }
        return nil
    }

    /// The active workflow and webhook node for `method path`, from a table rebuilt only when workflows change.
    private func find(path: String, method: String) async throws -> (WorkflowRecord, WorkflowNode)? {
        let generation = try await store.activeWorkflowsGeneration()
        if let table = cache.table(for: generation) { return table["\(method) \(path)"] }
        var table: [String: (WorkflowRecord, WorkflowNode)] = [:]
        for record in try await store.workflows(activeOnly: true) {
            for node in record.workflow.nodes where node.type == "trigger.webhook" && !node.disabled {
                guard let hookPath = node.configuration["webhook_path"]?.stringValue else { continue }
                guard let wanted = NodeParameters(node)["method"]?.stringValue?.uppercased() else { continue }
                table["\(wanted) \(hookPath)"] = table["\(wanted) \(hookPath)"] ?? (record, node)
            }
        }
        cache.store(table, generation: generation)
        return table["\(method) \(path)"]
    }

    /// The stored secrets; nil (and logged) when the store cannot be read — the request is then refused, never let in.
    private func storedSecrets() async -> [String: String]? {
        do { return try await store.secrets() } catch {
            logger.error("the stored secrets could not be read to check a webhook", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// `nil` when the caller may go on; a 401 otherwise (saying what is expected, never what was wrong).
    private func authenticate(_ request: Request, record: WorkflowRecord, node: WorkflowNode, body: [UInt8]) async -> Response? {
        let parameters = NodeParameters(node)
        // The stored secrets are read once, and only when the node's authentication refers to them.
        let referred = ["hmac_secret", "signature_header", "username", "password", "token", "token_header"]
            .contains { parameters[$0]?.stringValue.map(Template.containsPlaceholder) ?? false }
        let stored = referred || WebhookTokens.needsToken(node) ? await storedSecrets() : [:]
        func value(_ name: String) -> String? {
            guard case .string(let text)? = parameters[name] else { return nil }
            guard Template.containsPlaceholder(text) else { return text }
            let all = secrets.merging(stored ?? [:]) { _, stored in stored }
            let scope = ExpressionScope(["secrets": .object(all.mapValues(JSONValue.string))])
            return (try? Template.parse(text).render(in: scope))?.stringValue
        }
        let denied = ServiceResponse.problem(.unauthorized, "Unauthorized")
        // A scheme that cannot be read lets no one in.
        guard let scheme = parameters["authentication"]?.stringValue else { return denied }
        switch scheme {
        case "none":
            return nil
        case "hmac":
            guard let secret = value("hmac_secret"),
                let header = value("signature_header").flatMap({ HTTPField.Name($0) }), let signature = request.headers[header]
            else { return denied }
            let expected = "sha256=" + Hashes.hmacSHA256Hex(key: Array(secret.utf8), message: body)
            return Hashes.constantTimeEquals(Array(expected.utf8), Array(signature.lowercased().utf8)) ? nil : denied
        case "basic":
            guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
                let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
                let username = value("username"), let password = value("password")
            else { return denied }
            return Hashes.constantTimeEquals(Array(decoded.utf8), Array("\(username):\(password)".utf8)) ? nil : denied
        default:
            let made = WebhookTokens.needsToken(node)
                ? stored?[WebhookTokens.secretName(workflowID: record.id, node: node.id)] : nil
            guard let token = value("token") ?? made else {
                return ServiceResponse.problem(.unauthorized, "Unauthorized",
                                               detail: "this webhook has no token yet: activate its workflow over the API to get one")
            }
            let given = value("token_header").flatMap({ HTTPField.Name($0) }).flatMap { request.headers[$0] }
                ?? request.uri.queryParameters.get("token")
            guard let given else { return denied }
            return Hashes.constantTimeEquals(Array(given.utf8), Array(token.utf8)) ? nil : denied
        }
    }

    /// What the workflow sees as `trigger`: body (parsed when JSON), query, headers, method, path, and the body's
    /// fields at the top level when it is a JSON object.
    /// Credentials (the token, the signature, Authorization, cookies) are left out: they would otherwise be stored
    /// with the execution.
    private func triggerInput(_ request: Request, path: String, body: [UInt8], credentialHeaders: [String]) -> JSONValue {
        let text = String(decoding: body, as: UTF8.self)
        let parsed = (try? JSONValue.parse(text)) ?? .string(text)
        var query: [String: JSONValue] = [:]
        for (key, value) in request.uri.queryParameters where key != "token" { query[String(key)] = .string(String(value)) }
        let hidden = Set(credentialHeaders.map { $0.lowercased() } + ["authorization", "cookie", "proxy-authorization"])
        var headers: [String: JSONValue] = [:]
        for field in request.headers where !hidden.contains(field.name.canonicalName) {
            headers[field.name.canonicalName] = .string(field.value)
        }
        var input: [String: JSONValue] = parsed.objectValue ?? [:]
        input["body"] = parsed
        input["query"] = .object(query)
        input["headers"] = .object(headers)
        input["method"] = .string(request.method.rawValue)
        input["path"] = .string(path)
        return .object(input)
    }
}

/// Whether the queue is full, without counting it for every request: the last count plus the webhooks accepted since
/// (workers only shrink it) is an upper bound; the count is read again when that bound reaches the limit, or after
/// 100 ms.
final class QueueGauge: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var counted = 0
    private var acceptedSince = 0
    /// When the depth was last read; nil before the first read.
    private var readAt: Stopwatch?

    func isFull(limit: Int, read: () async throws -> Int) async throws -> Bool {
        let estimate = lock.withLock { (readAt?.seconds ?? .infinity) < 0.1 ? counted + acceptedSince : nil }
        if let estimate, estimate < limit {
            lock.withLock { acceptedSince += 1 }
            return false
        }
        let depth = try await read()
        lock.withLock {
            counted = depth
            acceptedSince = depth < limit ? 1 : 0
            readAt = Stopwatch()
        }
        return depth >= limit
    }
}
