import WindFlowCore

/// The OpenAPI 3.1 description of the service, served at `/api/v1/openapi.json`. A test calls every operation it
/// lists against the real server, so it stays true.
enum OpenAPIDocument {
    struct Operation {
        var method: String
        var path: String
        var summary: String
        var success: Int
        var body: String? = nil
        var open = false
    }

    static let operations: [Operation] = [
        Operation(method: "get", path: "/healthz", summary: "Liveness", success: 200, open: true),
        Operation(method: "get", path: "/readyz", summary: "Readiness and queue depth", success: 200, open: true),
        Operation(method: "get", path: "/metrics", summary: "Prometheus metrics", success: 200, open: true),
        Operation(method: "get", path: "/api/v1/registry", summary: "Node types", success: 200),
        Operation(method: "get", path: "/api/v1/schema", summary: "JSON Schema of the workflow format", success: 200),
        Operation(method: "post", path: "/api/v1/validate", summary: "Validate a workflow (YAML or JSON body)", success: 200, body: "text/yaml"),
        Operation(method: "get", path: "/api/v1/workflows", summary: "List workflows", success: 200),
        Operation(method: "post", path: "/api/v1/workflows", summary: "Create a workflow (?activate=true)", success: 201, body: "text/yaml"),
        Operation(method: "get", path: "/api/v1/workflows/{id}", summary: "A workflow and its definition (?format=yaml: the YAML file)", success: 200),
        Operation(method: "put", path: "/api/v1/workflows/{id}", summary: "Update: a new version", success: 200, body: "text/yaml"),
        Operation(method: "delete", path: "/api/v1/workflows/{id}", summary: "Delete a workflow and its history", success: 204),
        Operation(method: "get", path: "/api/v1/workflows/{id}/versions", summary: "Versions", success: 200),
        Operation(method: "get", path: "/api/v1/workflows/{id}/versions/{version}", summary: "One version", success: 200),
        Operation(method: "get", path: "/api/v1/workflows/{id}/diff/{from}/{to}", summary: "Line diff between versions", success: 200),
        Operation(method: "post", path: "/api/v1/workflows/{id}/rollback/{version}", summary: "A new version equal to an old one", success: 201),
        Operation(method: "post", path: "/api/v1/workflows/{id}/activate", summary: "Turn its triggers on", success: 200),
        Operation(method: "post", path: "/api/v1/workflows/{id}/deactivate", summary: "Turn its triggers off", success: 200),
        Operation(method: "post", path: "/api/v1/workflows/{id}/run", summary: "Run now (JSON object of inputs)", success: 202, body: "application/json"),
        Operation(method: "get", path: "/api/v1/executions", summary: "List executions (?workflow=&status=&limit=)", success: 200),
        Operation(method: "get", path: "/api/v1/executions/{id}", summary: "An execution with its node runs", success: 200),
        Operation(method: "get", path: "/api/v1/executions/{id}/events", summary: "Live events of one run: stored events, node_started, log lines, end (server-sent events, Last-Event-ID)", success: 200),
        Operation(method: "get", path: "/api/v1/events/stream", summary: "Live events of every run (?workflow=), with execution_finished (server-sent events, Last-Event-ID)", success: 200),
        Operation(method: "post", path: "/api/v1/executions/{id}/cancel", summary: "Cancel", success: 202),
        Operation(method: "get", path: "/api/v1/stacks", summary: "Stack files kept in the store", success: 200),
        Operation(method: "put", path: "/api/v1/stacks/{name}", summary: "Store a stack file (checked first; 201 when new)", success: 200, body: "text/yaml"),
        Operation(method: "get", path: "/api/v1/stacks/{name}", summary: "A stored stack file and its problems", success: 200),
        Operation(method: "delete", path: "/api/v1/stacks/{name}", summary: "Delete a stored stack file", success: 204),
        Operation(method: "post", path: "/api/v1/executions/{id}/retry", summary: "Run again from a node ({\"from\": node id}), reusing the earlier outputs upstream", success: 202, body: "application/json"),
        Operation(method: "post", path: "/api/v1/events", summary: "Post an event for event triggers", success: 202, body: "application/json"),
        Operation(method: "get", path: "/api/v1/secrets", summary: "Secret names", success: 200),
        Operation(method: "put", path: "/api/v1/secrets/{name}", summary: "Set a secret (write-only)", success: 204, body: "application/json"),
        Operation(method: "delete", path: "/api/v1/secrets/{name}", summary: "Delete a secret", success: 204),
        Operation(method: "post", path: "/api/v1/designs", summary: "Design from prose: a stored proposal ({prose, workflow?, accept?, activate?})", success: 201, body: "application/json"),
        Operation(method: "get", path: "/api/v1/proposals", summary: "Proposals, newest first", success: 200),
        Operation(method: "get", path: "/api/v1/proposals/{id}", summary: "A proposal: workflow, validation, rounds, assumptions", success: 200),
        Operation(method: "post", path: "/api/v1/proposals/{id}/accept", summary: "Accept a valid proposal: a new workflow version (?activate=true)", success: 201),
        Operation(method: "post", path: "/api/v1/proposals/{id}/discard", summary: "Discard a proposal", success: 200),
        Operation(method: "get", path: "/api/v1/templates", summary: "Workflow templates", success: 200),
        Operation(method: "get", path: "/api/v1/templates/{id}", summary: "A template and its YAML", success: 200),
        Operation(method: "get", path: "/api/v1/recommendations", summary: "Templates and workflows ranked for ?q= (text relevance × success in history)", success: 200),
        Operation(method: "get", path: "/api/v1/apikeys", summary: "API keys (ids and names; keys are never shown again)", success: 200),
        Operation(method: "post", path: "/api/v1/apikeys", summary: "Create an API key ({name}); the key is in the answer, once", success: 201, body: "application/json"),
        Operation(method: "delete", path: "/api/v1/apikeys/{id}", summary: "Revoke an API key (not the last one)", success: 204),
        Operation(method: "post", path: "/api/v1/executions/{id}/suggestions", summary: "Fix suggestions for a failed execution (validated JSON Patches)", success: 201),
        Operation(method: "post", path: "/api/v1/workflows/{id}/optimizations", summary: "Optimization suggestions from the workflow's runs", success: 201),
        Operation(method: "get", path: "/api/v1/suggestions", summary: "Suggestions (?workflow=&execution=)", success: 200),
        Operation(method: "get", path: "/api/v1/suggestions/{id}", summary: "A suggestion, with how the runs after it went once applied", success: 200),
        Operation(method: "post", path: "/api/v1/suggestions/{id}/apply", summary: "Apply a suggestion: a new workflow version", success: 201),
        Operation(method: "post", path: "/webhooks/{path}", summary: "Webhook trigger (token, HMAC or basic auth)", success: 202, body: "application/json", open: true),
    ]

    static var json: JSONValue {
        var paths: [String: JSONValue] = [:]
        for operation in operations {
            var entry: [String: JSONValue] = [
                "summary": .string(operation.summary),
                "responses": .object([
                    String(operation.success): ["description": "Success"],
                    "default": ["description": "Problem details (RFC 9457)",
                                "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]],
                ]),
            ]
            let parameters = operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { part -> JSONValue in
                ["name": .string(String(part.dropFirst().dropLast())), "in": "path", "required": true, "schema": ["type": "string"]]
            }
            if !parameters.isEmpty { entry["parameters"] = .array(parameters) }
            if let body = operation.body { entry["requestBody"] = ["content": .object([body: ["schema": [:]]])] }
            if operation.open { entry["security"] = [] }
            var methods = paths[operation.path]?.objectValue ?? [:]
            methods[operation.method] = .object(entry)
            paths[operation.path] = .object(methods)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "WindFlow", "version": "0.1.0",
                     "description": "Workflows designed from prose, validated against the node registry, run durably."],
            "servers": [["url": "/"]],
            "security": [["apiKey": []]],
            "components": [
                "securitySchemes": ["apiKey": ["type": "http", "scheme": "bearer", "description": "An API key: windflow apikey create"]],
                "schemas": ["Problem": ["type": "object", "properties": [
                    "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"],
                    "detail": ["type": "string"], "problems": ["type": "array"],
                ]]],
            ],
            "paths": .object(paths),
        ]
    }
}
