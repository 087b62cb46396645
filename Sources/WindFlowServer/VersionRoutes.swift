import Foundation
import Hummingbird
import WindFlowCore
import WindFlowStore

/// Versions of a workflow: update (a new version), list, one version, diff between two, rollback, delete.
struct VersionRoutes {
    let routes: APIRoutes
    var store: any WindFlowStorage { routes.store }

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.put("workflows/:id") { request, context in try await update(request, context) }
        api.delete("workflows/:id") { _, context in
            guard let id = context.parameters.get("id"), try await store.deleteWorkflow(id) else {
                return ServiceResponse.problem(.notFound, "No such workflow")
            }
            return Response(status: .noContent)
        }
        api.get("workflows/:id/versions") { _, context in
            let versions = try await store.versions(of: context.parameters.get("id") ?? "")
            guard !versions.isEmpty else { return ServiceResponse.problem(.notFound, "No such workflow") }
            return ServiceResponse.json(.array(versions.map { ["version": .int($0.version), "created_at": .timestamp($0.createdAt)] }))
        }
        api.get("workflows/:id/versions/:version") { _, context in
            guard let definition = try await version(context, "version") else { return ServiceResponse.problem(.notFound, "No such version") }
            return ServiceResponse.json((try? JSONDecoder().decode(JSONValue.self, from: Data(definition.utf8))) ?? .null)
        }
        api.get("workflows/:id/diff/:from/:to") { _, context in
            guard let old = try await version(context, "from"), let new = try await version(context, "to") else {
                return ServiceResponse.problem(.notFound, "No such version")
            }
            let lines = LineDiff.diff(yaml(old), yaml(new))
            return ServiceResponse.json(["diff": .array(lines.map(JSONValue.string)),
                                         "changed": .bool(lines.contains { !$0.hasPrefix("  ") })])
        }
        api.post("workflows/:id/rollback/:version") { _, context in
            guard let definition = try await version(context, "version"), let old = try? WorkflowCodec.load(definition).workflow else {
                return ServiceResponse.problem(.notFound, "No such version")
            }
            let record = try await store.saveWorkflow(old, now: routes.clock.now())
            return ServiceResponse.json(routes.summary(record), status: .created)
        }
    }

    private func version(_ context: BasicRequestContext, _ parameter: String) async throws -> String? {
        guard let number = context.parameters.get(parameter).flatMap(Int.init) else { return nil }
        return try await store.versions(of: context.parameters.get("id") ?? "").first { $0.version == number }?.definition
    }

    private func yaml(_ definition: String) -> String {
        (try? WorkflowCodec.load(definition).workflow).map { WorkflowCodec.yaml($0) } ?? definition
    }

    func update(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), let existing = try await store.workflow(id, version: nil) else {
            return ServiceResponse.problem(.notFound, "No such workflow")
        }
        guard case .ok(let text) = try await routes.bodyText(request) else {
            return ServiceResponse.problem(.contentTooLarge, "Body too large")
        }
        let loaded: LoadedWorkflow
        switch routes.load(text, checkShape: true) {
        case .ok(let value): loaded = value
        case .response(let response): return response
        }
        guard loaded.workflow.name == existing.name else {
            return ServiceResponse.problem(.unprocessableContent, "Name mismatch",
                                           detail: "the body is workflow '\(loaded.workflow.name)', not '\(existing.name)'")
        }
        let report = Validator().validate(loaded)
        guard report.isValid else {
            return ServiceResponse.problem(.unprocessableContent, "Invalid workflow", detail: "\(report.errors.count) error(s); nothing was stored",
                                           extra: ["problems": .array(report.problems.map(\.jsonValue))])
        }
        return await ServiceResponse.json(routes.summary(try store.saveWorkflow(loaded.workflow, now: routes.clock.now())))
    }
}
