import Foundation
import Hummingbird
import WindFlowCore
import WindFlowStore

/// `/api/v1/secrets`: set (write-only), list names, delete. Values are never returned.
struct SecretRoutes {
    let routes: APIRoutes
    var store: any WindFlowStorage { routes.store }

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("secrets") { _, _ in
            await ServiceResponse.json(.array(try store.secretNames().map { ["name": .string($0.name), "updated_at": .timestamp($0.updatedAt)] }))
        }
        api.put("secrets/:name") { request, context in
            guard let name = context.parameters.get("name"), Validator.isValidID(name) else {
                return ServiceResponse.problem(.badRequest, "Bad secret name", detail: "use letters, digits and _ (like API_TOKEN)")
            }
            guard case .ok(let text) = try await routes.bodyText(request),
                let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))?["value"]?.stringValue, !value.isEmpty
            else { return ServiceResponse.problem(.badRequest, "Bad secret", detail: "send {\"value\": \"…\"}") }
            try await store.setSecret(name, value: value, now: routes.clock.now())
            try await routes.secretsChanged()
            return Response(status: .noContent)
        }
        api.delete("secrets/:name") { _, context in
            guard let name = context.parameters.get("name"), try await store.deleteSecret(name) else {
                return ServiceResponse.problem(.notFound, "No such secret")
            }
            try await routes.secretsChanged()
            return Response(status: .noContent)
        }
    }
}
