import Foundation
import HTTPTypes
import Hummingbird
import WindFlowCore

/// Holds requests to the OpenAPI document before a route sees them: path, query and header parameters and JSON
/// bodies that break their schema get a 400 problem naming each violation, so what the document calls invalid is
/// refused and what it calls valid reaches the route. Runs after the API key check, on routes the router matched.
struct ContractMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let route = context.endpointPath, let operation = OpenAPIDocument.operation(request.method.rawValue, route) else {
            return try await next(request, context)
        }
        var request = request
        var violations = parameterViolations(request, context: context, operation: operation)
        if let body = operation.body, body.isJSON {
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: maxBodyBytes) } catch {
                return ServiceResponse.problem(.contentTooLarge, "Body too large", detail: "the limit is \(maxBodyBytes) bytes")
            }
            violations += bodyViolations(String(buffer: buffer), body: body)
        }
        guard violations.isEmpty else {
            let lines = violations.map { "\($0.path) \($0.message)" }
            return ServiceResponse.problem(.badRequest, "Request does not match the API", detail: lines.joined(separator: "; "),
                                           extra: ["violations": .array(violations.map(\.jsonValue)),
                                                   "see": .string("/api/v1/openapi.json#\(operation.id)")])
        }
        return try await next(request, context)
    }

    private func parameterViolations(_ request: Request, context: Context, operation: OpenAPIDocument.Operation) -> [SchemaCheck.Violation] {
        var found: [SchemaCheck.Violation] = []
        func check(_ text: String?, _ name: String, _ schema: JSONValue, required: Bool, place: String) {
            guard let text else {
                if required { found.append(.init(path: "\(place) \(name)", message: "is required")) }
                return
            }
            guard let value = SchemaCheck.parameterValue(text, schema: schema) else {
                found.append(.init(path: "\(place) \(name)", message: "must be \(schema["type"]?.stringValue ?? "valid"), not '\(text)'"))
                return
            }
            found += SchemaCheck.violations(of: value, against: schema, at: "\(place) \(name)")
        }
        for name in OpenAPIDocument.pathParameters(of: operation.path) {
            check(context.parameters.get(name).map { String($0) }, name, OpenAPIDocument.pathSchema(name, in: operation.path), required: true, place: "path")
        }
        let query = request.uri.queryParameters
        for parameter in operation.query {
            check(query.get(parameter.name).map { String($0) }, parameter.name, parameter.schema, required: parameter.required, place: "query")
        }
        for parameter in operation.headers {
            let value = HTTPField.Name(parameter.name).flatMap { request.headers[$0] }
            check(value, parameter.name, parameter.schema, required: parameter.required, place: "header")
        }
        return found
    }

    private func bodyViolations(_ text: String, body: OpenAPIDocument.Body) -> [SchemaCheck.Violation] {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return body.required ? [.init(path: "body", message: "is required (JSON)")] : []
        }
        guard let value = try? JSONValue.parse(text) else { return [.init(path: "body", message: "must be JSON")] }
        return SchemaCheck.violations(of: value, against: body.schema, at: "body")
    }
}
