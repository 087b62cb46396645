import Foundation
import Hummingbird
import WindFlowCore
import WindFlowDesigner
import WindFlowStore

/// `/api/v1/designs`, `/proposals`, `/templates`, `/recommendations`: the designer over HTTP. A proposal is only a
/// proposal until it is accepted; an invalid one cannot be.
struct DesignerRoutes {
    let routes: APIRoutes
    let setup: DesignerSetup
    var store: any WindFlowStorage { routes.store }

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.post("designs") { request, _ in try await design(request) }
        api.get("proposals") { request, _ in
            let limit = request.uri.queryParameters.get("limit").flatMap(Int.init) ?? 50
            return await ServiceResponse.json(.array(try store.proposals(limit: min(max(limit, 1), 500)).map(\.jsonValue)))
        }
        api.get("proposals/:id") { _, context in
            guard let proposal = try await store.proposal(context.parameters.get("id") ?? "") else { return ServiceResponse.problem(.notFound, "No such proposal") }
            return ServiceResponse.json(proposal.jsonValue)
        }
        api.post("proposals/:id/accept") { request, context in
            let activate = request.uri.queryParameters.get("activate") == "true"
            return try await accept(context.parameters.get("id") ?? "", activate: activate)
        }
        api.post("proposals/:id/discard") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard try await store.proposal(id) != nil else { return ServiceResponse.problem(.notFound, "No such proposal") }
            do { try await Proposals(store: store, designer: try setup.designer(store: nil), clock: routes.clock).discard(id) } catch {
                return ServiceResponse.problem(.conflict, "Already decided", detail: "\(error)")
            }
            return ServiceResponse.json(["id": .string(id), "status": "discarded"])
        }
        api.get("templates") { _, _ in
            ServiceResponse.json(.array(setup.templates.entries.map { entry in
                ["id": .string(entry.id), "name": .string(entry.workflow.name), "description": .string(entry.workflow.description),
                 "tags": .array(entry.workflow.tags.map { .string($0) }), "node_types": .array(Array(Set(entry.workflow.nodes.map(\.type))).sorted().map { .string($0) })]
            }))
        }
        api.get("templates/:id") { _, context in
            guard let entry = setup.templates.entry(context.parameters.get("id") ?? "") else { return ServiceResponse.problem(.notFound, "No such template") }
            return ServiceResponse.json(["id": .string(entry.id), "name": .string(entry.workflow.name), "description": .string(entry.workflow.description),
                                         "yaml": .string(entry.yaml),
                                         "workflow": WorkflowCodec.jsonValue(entry.workflow)])
        }
        api.get("recommendations") { request, _ in
            guard let query = request.uri.queryParameters.get("q"), !query.isEmpty else {
                return ServiceResponse.problem(.badRequest, "Missing query", detail: "send ?q=what you want to automate")
            }
            let limit = request.uri.queryParameters.get("limit").flatMap(Int.init) ?? 5
            let found = try await setup.designer(store: store).recommender.recommend(query, limit: min(max(limit, 1), 50))
            return ServiceResponse.json(.array(found.map(\.jsonValue)))
        }
    }

    /// `{"prose": "…", "workflow": "name to edit", "accept": false, "activate": false}` → 201 with the proposal.
    private func design(_ request: Request) async throws -> Response {
        guard case .ok(let text) = try await routes.bodyText(request) else {
            return ServiceResponse.problem(.contentTooLarge, "Body too large", detail: "the limit is \(routes.configuration.maxBodyBytes) bytes")
        }
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let prose = body["prose"]?.stringValue else {
            return ServiceResponse.problem(.badRequest, "Bad design request", detail: "send {\"prose\": \"what the workflow should do\"}")
        }
        var current: Workflow?
        if let name = body["workflow"]?.stringValue {
            guard let stored = try await store.workflow(name, version: nil) else { return ServiceResponse.problem(.notFound, "No such workflow", detail: "cannot edit '\(name)'") }
            current = stored.workflow
        }
        let proposals = await Proposals(store: store, designer: try setup.designer(store: store), clock: routes.clock)
        let proposal: ProposalRecord
        let design: Design
        do {
            (proposal, design) = try await proposals.propose(prose, editing: current)
        } catch let error as LLMError {
            return ServiceResponse.problem(.badGateway, "The model could not be used", detail: error.message, extra: ["kind": .string(error.kind.rawValue)])
        } catch {
            return ServiceResponse.problem(.badRequest, "Cannot design", detail: "\(error)")
        }
        var value = proposal.jsonValue
        if case .object(var object) = value {
            // The templates and workflows that fit the request, to compare with (or start from instead).
            object["recommendations"] = .array(design.recommendations.map(\.jsonValue))
            value = .object(object)
        }
        if body["accept"]?.boolValue == true, proposal.valid, case .object(var object) = value {
            let saved = try await proposals.accept(proposal.id, activate: body["activate"]?.boolValue == true)
            object["status"] = "accepted"
            var accepted: [String: JSONValue] = ["workflow_id": .string(saved.id), "version": .int(saved.version), "active": .bool(saved.active)]
            if saved.active, let activation = try await WebhookTokens.issue(for: saved, store: store, now: routes.clock.now()) { accepted["activation"] = activation }
            object["accepted"] = .object(accepted)
            value = .object(object)
        }
        return ServiceResponse.json(value, status: .created)
    }

    private func accept(_ id: String, activate: Bool) async throws -> Response {
        guard let proposal = try await store.proposal(id) else { return ServiceResponse.problem(.notFound, "No such proposal") }
        guard proposal.valid else {
            return ServiceResponse.problem(.conflict, "Invalid proposal", detail: "an invalid proposal cannot be accepted; design again",
                                          extra: ["problems": proposal.report])
        }
        do {
            let saved = try await Proposals(store: store, designer: try setup.designer(store: nil), clock: routes.clock).accept(proposal.id, activate: activate)
            var answer: [String: JSONValue] = ["workflow_id": .string(saved.id), "name": .string(saved.name), "version": .int(saved.version),
                                               "active": .bool(saved.active)]
            if saved.active, let activation = try await WebhookTokens.issue(for: saved, store: store, now: routes.clock.now()) { answer["activation"] = activation }
            return ServiceResponse.json(.object(answer), status: .created)
        } catch {
            return ServiceResponse.problem(.conflict, "Cannot accept", detail: "\(error)")
        }
    }
}
