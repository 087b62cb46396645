import WindFlowCore

/// The OpenAPI 3.1 description of the service, served at `/api/v1/openapi.json`. The server checks requests against
/// it (`ContractMiddleware`: parameters and JSON bodies, 405 with `Allow` for other methods), a test calls every
/// operation it lists, and schemathesis (`scripts/test-peers/schemathesis.sh`) fuzzes it, so it stays true.
enum OpenAPIDocument {
    struct Operation: Sendable {
        var method: String
        var path: String
        /// The `operationId`, which links name.
        var id: String
        var summary: String
        var success: Int
        /// Other success statuses, answered like `success`.
        var alsoSuccess: [Int] = []
        var body: Body? = nil
        var query: [Parameter] = []
        var headers: [Parameter] = []
        /// What a success answers; nil for none (204).
        var answer: Answer? = .json(nil)
        /// Operations that can use what this one answers: name → (operationId, parameter → runtime expression).
        var links: [String: Link] = [:]
        var open = false
    }

    struct Body: Sendable {
        var mediaTypes: [String]
        var schema: JSONValue
        var required = true
        /// Files (workflows, stacks) are read by their own readers, as YAML or JSON, which check their shape and
        /// meaning; other JSON bodies are checked against `schema` before the route sees them.
        var isFile = false
        /// A body the operation accepts, for readers and for schemathesis' examples and stateful phases.
        var example: JSONValue? = nil
        var isJSON: Bool { !isFile && mediaTypes == ["application/json"] }
    }

    struct Parameter: Sendable {
        var name: String
        var schema: JSONValue
        var required = false
        var description: String
    }

    enum Answer: Sendable {
        case json(JSONValue?)
        case media([String: JSONValue])
    }

    struct Link: Sendable {
        var operation: String
        var parameters: [String: String]
    }

    /// The schema of a path parameter, by the path it is in.
    static func pathSchema(_ name: String, in path: String) -> JSONValue {
        switch name {
        case "version", "from", "to": return Schemas.version
        case "name" where path.hasPrefix("/api/v1/stacks"): return Schemas.stackName
        case "name": return Schemas.identifier
        default: return Schemas.anyID
        }
    }

    static func pathParameters(of path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    /// The operation for a route as the router names it (`/api/v1/workflows/{id}`).
    static func operation(_ method: String, _ path: String) -> Operation? { byRoute["\(method.lowercased()) \(path)"] }

    /// The documented methods of the path template a request path falls under, or nil when none does.
    static func allowedMethods(for requestPath: String) -> [String]? {
        let parts = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        let methods = operations.filter { operation in
            let template = operation.path.split(separator: "/")
            return template.count == parts.count && zip(template, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }.map { $0.method.uppercased() }
        return methods.isEmpty ? nil : Array(Set(methods)).sorted()
    }

    private static let byRoute: [String: Operation] = Dictionary(operations.map { ("\($0.method) \($0.path)", $0) }) { first, _ in first }

    static let json: JSONValue = render()

    private static func render() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for operation in operations {
            var methods = paths[operation.path]?.objectValue ?? [:]
            methods[operation.method] = entry(operation)
            paths[operation.path] = .object(methods)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "WindFlow", "version": "0.1.0",
                     "description": "Workflows designed from prose, validated against the node registry, run durably. Times are RFC 3339 text in UTC with milliseconds; errors are RFC 9457 problem details (docs/API.md)."],
            "servers": [["url": "/"]],
            "security": [["apiKey": []]],
            "components": [
                "securitySchemes": ["apiKey": ["type": "http", "scheme": "bearer", "description": "An API key: windflow apikey create"]],
                "schemas": Schemas.components,
            ],
            "paths": .object(paths),
        ]
    }

    private static func entry(_ operation: Operation) -> JSONValue {
        var success: [String: JSONValue] = ["description": "Success"]
        switch operation.answer {
        case .json(let schema)?: success["content"] = ["application/json": ["schema": schema ?? [:]]]
        case .media(let types)?: success["content"] = .object(types.mapValues { ["schema": $0] })
        case nil: break
        }
        if !operation.links.isEmpty {
            success["links"] = .object(operation.links.mapValues { link in
                ["operationId": .string(link.operation), "parameters": .object(link.parameters.mapValues(JSONValue.string))]
            })
        }
        var responses: [String: JSONValue] = [
            "default": ["description": "Problem details (RFC 9457)",
                        "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]],
        ]
        for status in [operation.success] + operation.alsoSuccess { responses[String(status)] = .object(success) }
        var entry: [String: JSONValue] = [
            "operationId": .string(operation.id), "summary": .string(operation.summary), "responses": .object(responses),
        ]
        var parameters: [JSONValue] = pathParameters(of: operation.path).map { name in
            ["name": .string(name), "in": "path", "required": true, "schema": pathSchema(name, in: operation.path)]
        }
        for (place, list) in [("query", operation.query), ("header", operation.headers)] {
            parameters += list.map { parameter in
                ["name": .string(parameter.name), "in": .string(place), "required": .bool(parameter.required),
                 "description": .string(parameter.description), "schema": parameter.schema]
            }
        }
        if !parameters.isEmpty { entry["parameters"] = .array(parameters) }
        if let body = operation.body {
            entry["requestBody"] = ["required": .bool(body.required),
                                    "content": .object(Dictionary(uniqueKeysWithValues: body.mediaTypes.map { type in
                                        (type, body.example.map { ["schema": body.schema, "example": $0] } ?? ["schema": body.schema])
                                    }))]
        }
        if operation.open { entry["security"] = [] }
        return .object(entry)
    }
}
