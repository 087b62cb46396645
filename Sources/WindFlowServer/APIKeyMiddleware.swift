import Hummingbird
import WindFlowStore

/// Requires `Authorization: Bearer <API key>`; keys are stored hashed. Failures say nothing about why.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: any WindFlowStorage

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return ServiceResponse.problem(.unauthorized, "Unauthorized", detail: "send an API key as Authorization: Bearer wf_…")
        }
        guard try await store.isValidAPIKey(String(header.dropFirst("Bearer ".count))) else {
            return ServiceResponse.problem(.unauthorized, "Unauthorized")
        }
        return try await next(request, context)
    }
}
