import Hummingbird
import WindFlowCore

/// Responses in the service's two shapes: JSON, and RFC 9457 problem details for errors.
enum ServiceResponse {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: value.prettyJSONText + "\n")))
    }

    /// A problem+json response: what went wrong (`title`), this occurrence (`detail`), and any extra members.
    static func problem(_ status: HTTPResponse.Status, _ title: String, detail: String? = nil, extra: [String: JSONValue] = [:]) -> Response {
        var object: [String: JSONValue] = [
            "type": .string("https://windflow.dev/problems/\(title.lowercased().replacingOccurrences(of: " ", with: "-"))"),
            "title": .string(title), "status": .int(Int(status.code)),
        ]
        if let detail { object["detail"] = .string(detail) }
        for (key, value) in extra { object[key] = value }
        return Response(status: status, headers: [.contentType: "application/problem+json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(object).prettyJSONText + "\n")))
    }
}

/// Unknown routes answer with a problem+json 404 that names the route, like every other error here; a method the
/// document does not list for a known path answers 405 with `Allow` (RFC 9110 §15.5.6).
struct NotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let route = "\(request.method.rawValue) \(request.uri.path)"
            if let allowed = OpenAPIDocument.allowedMethods(for: request.uri.path), !allowed.contains(request.method.rawValue) {
                var response = ServiceResponse.problem(.methodNotAllowed, "Method not allowed",
                                                       detail: "\(route) is not an operation; this path takes \(allowed.joined(separator: ", "))")
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response
            }
            return ServiceResponse.problem(.notFound, "Not found", detail: "no route \(route); the API is described at /api/v1/openapi.json")
        }
    }
}
