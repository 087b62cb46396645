import Hummingbird

/// A request that declares a body past `maxBodyBytes` (`Content-Length`) gets 413 before anything reads it. Routes
/// that read a body still stop at the limit (`collect(upTo:)`), which covers chunked bodies; webhooks have their own
/// limit per trigger (`max_body_bytes`), so they are left to it.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !request.uri.path.hasPrefix("/webhooks/"), let declared = request.headers[.contentLength].flatMap({ Int($0) }),
            declared > maxBodyBytes
        else { return try await next(request, context) }
        return ServiceResponse.problem(.contentTooLarge, "Body too large",
                                       detail: "the body declares \(declared) bytes; the limit is \(maxBodyBytes) bytes")
    }
}
