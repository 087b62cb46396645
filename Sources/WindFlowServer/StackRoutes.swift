import Foundation
import Hummingbird
import WindFlowCore
import WindFlowStore

/// `/api/v1/stacks`: stack files kept in the store, which the deployment actions find by name before the stacks
/// directory. A stack is checked before it is stored; one with errors is refused with its problems and their lines.
struct StackRoutes {
    let routes: APIRoutes
    var store: any WindFlowStorage { routes.store }

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("stacks") { _, _ in
            await ServiceResponse.json(.array(try store.stacks().map(summary)))
        }
        api.get("stacks/:name") { _, context in
            guard let name = context.parameters.get("name"), let record = try await store.stack(name) else {
                return ServiceResponse.problem(.notFound, "No such stack")
            }
            guard case .object(var object) = summary(record) else { return ServiceResponse.json(summary(record)) }
            object["definition"] = .string(record.definition)
            object["problems"] = .array(StackLoader.load(record.definition, name: name, strict: false).problems.map(\.jsonValue))
            return ServiceResponse.json(.object(object))
        }
        api.put("stacks/:name") { request, context in
            guard let name = context.parameters.get("name"), Stack.isValidName(name) else {
                return ServiceResponse.problem(.badRequest, "Bad stack name", detail: "use letters, digits, '-' and '_' (like shop or billing-api)")
            }
            let text: String
            switch try await routes.bodyText(request) {
            case .ok(let body): text = body
            case .response(let response): return response
            }
            // Variables are filled at deployment, so a missing one is only a warning here.
            let (stack, problems) = StackLoader.load(text, name: name, strict: false)
            guard stack != nil else {
                let errors = problems.filter { $0.severity == .error }
                return ServiceResponse.problem(.unprocessableContent, "Invalid stack", detail: "\(errors.count) error(s); nothing was stored",
                                               extra: ["problems": .array(problems.map(\.jsonValue))])
            }
            let created = try await store.saveStack(name, definition: text, now: routes.clock.now())
            return ServiceResponse.json(["name": .string(name), "warnings": .array(problems.map(\.jsonValue))], status: created ? .created : .ok)
        }
        api.delete("stacks/:name") { _, context in
            guard let name = context.parameters.get("name"), try await store.deleteStack(name) else {
                return ServiceResponse.problem(.notFound, "No such stack")
            }
            return Response(status: .noContent)
        }
    }

    func summary(_ record: StackRecord) -> JSONValue {
        ["name": .string(record.name), "created_at": .timestamp(record.createdAt), "updated_at": .timestamp(record.updatedAt),
         "size_bytes": .int(record.definition.utf8.count)]
    }
}
