import Foundation
import Hummingbird
import WindFlowCore
import WindFlowDesigner
import WindFlowEngine
import WindFlowStore

/// `/api/v1`: workflows, validation, runs and executions.
struct APIRoutes {
    let engine: WorkflowEngine
    let configuration: ServerConfiguration
    let events: EventDispatcher
    let designer: DesignerSetup
    /// The secrets the service was started with (configuration and environment).
    let secrets: [String: String]
    let logRedaction: LogRedaction
    let streams: StreamLimiter
    let store: any WindFlowStorage
    /// The engine's clock: the service runs on one.
    var clock: any WallClock { engine.runner.clock }

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1").add(middleware: APIKeyMiddleware(store: store))
            .add(middleware: ContractMiddleware(maxBodyBytes: configuration.maxBodyBytes))
        api.get("registry") { _, _ in ServiceResponse.json(.array(NodeRegistry.standard.types.map(\.jsonValue))) }
        api.get("schema") { _, _ in ServiceResponse.json(WorkflowSchema.generate()) }
        router.get("api/v1/openapi.json") { _, _ in ServiceResponse.json(OpenAPIDocument.json) }
        api.post("validate") { request, context in try await validate(request, context) }
        api.post("workflows") { request, context in try await createWorkflow(request, context) }
        api.get("workflows") { _, _ in
            await ServiceResponse.json(.array(try store.workflows(activeOnly: false).map(summary)))
        }
        api.get("workflows/:id") { request, context in
            try await request.uri.queryParameters.get("format") == "yaml" ? workflowYAML(context) : workflow(context)
        }
        api.post("workflows/:id/activate") { _, context in try await setActive(context, true) }
        api.post("workflows/:id/deactivate") { _, context in try await setActive(context, false) }
        api.post("workflows/:id/run") { request, context in try await run(request, context) }
        api.post("events") { request, _ in try await postEvent(request) }
        api.get("executions") { request, _ in
            let query = request.uri.queryParameters
            var status: ExecutionStatus?
            if let text = query.get("status") {
                do throws(RunVocabularyError) { status = try ExecutionStatus(reading: text) } catch {
                    return ServiceResponse.problem(.badRequest, "Unknown status", detail: error.description)
                }
            }
            let records = try await store.executions(workflow: query.get("workflow"), status: status,
                                               limit: query.get("limit").flatMap { Int($0) } ?? 50, before: query.get("cursor"))
            return ServiceResponse.json(.array(records.map(\.jsonValue)))
        }
        api.get("executions/:id") { _, context in try await execution(context) }
        EventStreamRoute(store: store, limiter: streams).register(on: api)
        VersionRoutes(routes: self).register(on: api)
        SecretRoutes(routes: self).register(on: api)
        StackRoutes(routes: self).register(on: api)
        DesignerRoutes(routes: self, setup: designer).register(on: api)
        APIKeyRoutes(routes: self).register(on: api)
        SuggestionRoutes(routes: self, setup: designer).register(on: api)
        api.post("executions/:id/retry") { request, context in try await retry(request, context) }
        api.post("executions/:id/cancel") { _, context in
            let id = context.parameters.get("id") ?? ""
            do { try await engine.cancel(id) } catch { return ServiceResponse.problem(.conflict, "Cannot cancel", detail: "\(error)") }
            return ServiceResponse.json(["id": .string(id), "cancellation": "requested"], status: .accepted)
        }
    }

    /// The body as text, or a 413 response.
    func bodyText(_ request: Request) async throws -> Answer<String> {
        do {
            let buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
            return .ok(String(buffer: buffer))
        } catch {
            return .response(ServiceResponse.problem(.contentTooLarge, "Body too large", detail: "the limit is \(configuration.maxBodyBytes) bytes"))
        }
    }

    /// The workflow in a body, or a 400 saying why it cannot be read. With `checkShape`, the body must also have
    /// the shape the OpenAPI document states for a workflow to store (a name, at least one node with an id and a
    /// type); `POST /validate` reports on anything readable instead.
    func load(_ text: String, checkShape: Bool) -> Answer<LoadedWorkflow> {
        do {
            if checkShape {
                var data = try WorkflowCodec.data(text)
                if case .object(let members) = data, members.count == 1, let inner = members["workflow"] { data = inner }
                let violations = SchemaCheck.violations(of: data, against: OpenAPIDocument.Schemas.workflow, at: "workflow")
                guard violations.isEmpty else {
                    return .response(ServiceResponse.problem(.badRequest, "Unreadable workflow",
                                                            detail: violations.map { "\($0.path) \($0.message)" }.joined(separator: "; "),
                                                            extra: ["violations": .array(violations.map(\.jsonValue))]))
                }
            }
            return .ok(try WorkflowCodec.load(text))
        } catch {
            return .response(ServiceResponse.problem(.badRequest, "Unreadable workflow", detail: error.description,
                                                    extra: ["problems": [error.problem.jsonValue]]))
        }
    }

    func validate(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let text: String
        switch try await bodyText(request) {
        case .ok(let body): text = body
        case .response(let response): return response
        }
        switch load(text, checkShape: false) {
        case .response(let response): return response
        case .ok(let loaded):
            // The report, and the workflow as read (shorthands expanded), so an editor can import without storing.
            var report = Validator().validate(loaded).jsonValue
            if case .object(var object) = report {
                object["workflow"] = WorkflowCodec.jsonValue(loaded.workflow)
                report = .object(object)
            }
            return ServiceResponse.json(report)
        }
    }

    func createWorkflow(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let text: String
        switch try await bodyText(request) {
        case .ok(let body): text = body
        case .response(let response): return response
        }
        let loaded: LoadedWorkflow
        switch load(text, checkShape: true) {
        case .ok(let value): loaded = value
        case .response(let response): return response
        }
        let report = Validator().validate(loaded)
        guard report.isValid else {
            return ServiceResponse.problem(.unprocessableContent, "Invalid workflow",
                                           detail: "\(report.errors.count) error(s); nothing was stored",
                                           extra: ["problems": .array(report.problems.map(\.jsonValue))])
        }
        var record = try await store.saveWorkflow(loaded.workflow, now: clock.now())
        var activation: JSONValue?
        if request.uri.queryParameters.get("activate") == "true" {
            _ = try await store.setActive(record.id, true, now: clock.now())
            record.active = true
            activation = try await WebhookTokens.issue(for: record, store: store, now: clock.now())
        }
        guard case .object(var object) = summary(record) else { return ServiceResponse.json(summary(record)) }
        object["warnings"] = .array(report.warnings.map(\.jsonValue))
        if let activation { object["activation"] = activation }
        return ServiceResponse.json(.object(object), status: .created)
    }

    func workflow(_ context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), let record = try await store.workflow(id, version: nil) else {
            return ServiceResponse.problem(.notFound, "No such workflow")
        }
        guard case .object(var object) = summary(record) else { return ServiceResponse.json(summary(record)) }
        object["workflow"] = WorkflowCodec.jsonValue(record.workflow)
        return ServiceResponse.json(.object(object))
    }

    /// `POST /api/v1/executions/{id}/retry {"from": "node"}`: a new execution of the same version that keeps the
    /// results of the nodes before `from` and runs from there.
    func retry(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard case .ok(let text) = try await bodyText(request) else { return ServiceResponse.problem(.contentTooLarge, "Body too large") }
        guard let id = context.parameters.get("id"), let original = try await store.execution(matching: id) else {
            return ServiceResponse.problem(.notFound, "No such execution")
        }
        let body = text.isEmpty ? JSONValue.object([:]) : (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
        guard let node = body["from"]?.stringValue, !node.isEmpty else {
            return ServiceResponse.problem(.badRequest, "Bad retry", detail: "send {\"from\": \"node id\"}: the node to run again from")
        }
        do {
            let record = try await engine.restart(original.id, from: node)
            return ServiceResponse.json(["id": .string(record.id), "restarted_from": .string(original.id), "from": .string(node)], status: .accepted)
        } catch {
            return ServiceResponse.problem(.conflict, "Cannot retry", detail: "\(error)")
        }
    }

    /// `GET /api/v1/workflows/{id}?format=yaml`: the workflow file, for export.
    func workflowYAML(_ context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), let record = try await store.workflow(id, version: nil) else {
            return ServiceResponse.problem(.notFound, "No such workflow")
        }
        return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: WorkflowCodec.yaml(record.workflow))))
    }

    func setActive(_ context: BasicRequestContext, _ active: Bool) async throws -> Response {
        guard let id = context.parameters.get("id"), try await store.setActive(id, active, now: clock.now()),
            let record = try await store.workflow(id, version: nil)
        else { return ServiceResponse.problem(.notFound, "No such workflow") }
        try await events.publish(active ? "workflow.activated" : "workflow.deactivated", payload: ["workflow": .string(record.name)])
        guard active, let activation = try await WebhookTokens.issue(for: record, store: store, now: clock.now()), case .object(var object) = summary(record) else {
            return ServiceResponse.json(summary(record))
        }
        object["activation"] = activation
        return ServiceResponse.json(.object(object))
    }

    /// `POST /api/v1/events {"event": "deploy.requested", "payload": {…}}`: starts the workflows listening for it.
    func postEvent(_ request: Request) async throws -> Response {
        guard case .ok(let text) = try await bodyText(request) else { return ServiceResponse.problem(.contentTooLarge, "Body too large") }
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let name = body["event"]?.stringValue,
            !name.isEmpty
        else {
            return ServiceResponse.problem(.badRequest, "Bad event", detail: "send {\"event\": \"name\", \"payload\": {…}}")
        }
        guard !name.hasPrefix("execution."), !name.hasPrefix("workflow.") else {
            return ServiceResponse.problem(.badRequest, "Reserved event", detail: "execution.* and workflow.* events come from WindFlow itself")
        }
        let started = try await events.publish(name, payload: body["payload"]?.objectValue ?? [:])
        return ServiceResponse.json(["event": .string(name), "executions": .array(started.map(JSONValue.string))], status: .accepted)
    }

    func run(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), let record = try await store.workflow(id, version: nil) else {
            return ServiceResponse.problem(.notFound, "No such workflow")
        }
        if let trigger = request.uri.queryParameters.get("trigger"), !record.workflow.nodes.contains(where: { $0.id == trigger }) {
            return ServiceResponse.problem(.notFound, "No such trigger", detail: "\(record.name) has no node '\(trigger)'")
        }
        let idempotencyKey: String?
        switch IdempotencyHeader.read(request) {
        case .ok(let key): idempotencyKey = key
        case .response(let refusal): return refusal
        }
        var input: JSONValue = [:]
        switch try await bodyText(request) {
        case .response(let response): return response
        case .ok(let text) where !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty:
            guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object = parsed else {
                return ServiceResponse.problem(.badRequest, "Bad input", detail: "the body must be a JSON object of inputs")
            }
            input = parsed
        default: break
        }
        do {
            let execution = try await engine.start(record, trigger: request.uri.queryParameters.get("trigger"), input: input,
                                                   idempotencyKey: idempotencyKey)
            if let idempotencyKey, execution.input != input {
                // A key names one request: reused with other inputs it is a client's mistake, not a repeat.
                return ServiceResponse.problem(.unprocessableContent, "Idempotency-Key reused", detail:
                    "the key '\(idempotencyKey)' already started \(execution.id) with other inputs; send a new key for a new run")
            }
            return ServiceResponse.json(["execution_id": .string(execution.id), "status_url": .string("/api/v1/executions/\(execution.id)")],
                                        status: .accepted)
        } catch {
            return ServiceResponse.problem(.unprocessableContent, "Cannot run", detail: "\(error)")
        }
    }

    func execution(_ context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), let record = try await store.execution(matching: id) else {
            return ServiceResponse.problem(.notFound, "No such execution")
        }
        guard case .object(var object) = record.jsonValue else { return ServiceResponse.json(record.jsonValue) }
        object["node_runs"] = await .array(try store.nodeRuns(of: record.id).map(\.jsonValue))
        return ServiceResponse.json(.object(object))
    }

    func summary(_ record: WorkflowRecord) -> JSONValue {
        ["id": .string(record.id), "name": .string(record.name), "version": .int(record.version), "active": .bool(record.active)]
    }
}

extension APIRoutes {
    /// After a secret is set or deleted: the logs redact exactly the secrets there are now.
    func secretsChanged() async throws {
        await logRedaction.update(secrets: secrets.merging(try store.secrets()) { _, stored in stored })
    }
}

/// A value, or the response that says why there is none.
enum Answer<Value> {
    case ok(Value)
    case response(Response)
}
