import Foundation
import Hummingbird
import WindFlowCore
import WindFlowStore

/// `/api/v1/apikeys`: list (ids and names only), create (the key is in the answer, once), revoke.
struct APIKeyRoutes {
    let routes: APIRoutes
    var store: any WindFlowStorage { routes.store }

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("apikeys") { _, _ in
            await ServiceResponse.json(.array(try store.apiKeys().map { ["id": .string($0.id), "name": .string($0.name), "created_at": .timestamp($0.createdAt)] }))
        }
        api.post("apikeys") { request, _ in
            guard case .ok(let text) = try await routes.bodyText(request) else {
                return ServiceResponse.problem(.contentTooLarge, "Body too large")
            }
            let body = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
            let name = body["name"]?.stringValue ?? "api"
            guard !name.isEmpty, name.count <= 100 else { return ServiceResponse.problem(.badRequest, "Bad key name", detail: "1 to 100 characters") }
            let key = try await store.createAPIKey(name: name, now: routes.clock.now())
            let id = try await store.apiKeys().last { $0.name == name }?.id ?? ""
            return ServiceResponse.json(["id": .string(id), "name": .string(name), "key": .string(key),
                                         "note": "shown once: only its hash is stored"], status: .created)
        }
        api.delete("apikeys/:id") { _, context in
            do {
                guard try await store.revokeAPIKey(context.parameters.get("id") ?? "") else { return ServiceResponse.problem(.notFound, "No such key") }
            } catch let error as StoreError {
                return ServiceResponse.problem(.conflict, "Cannot revoke", detail: error.description)
            }
            return Response(status: .noContent)
        }
    }
}
