import WindFlowCore

/// Every operation of the service, with its parameters, body, answer and links.
extension OpenAPIDocument {
    private static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    private static func list(_ name: String) -> JSONValue { ["type": "array", "items": ref(name)] }
    private static func link(_ operation: String, _ parameters: [String: String]) -> Link { Link(operation: operation, parameters: parameters) }

    // Workflow and stack files are documented as JSON. The server reads YAML with the same shape too, but YAML 1.1
    // writers (PyYAML, so schemathesis) leave strings like `1e100` unquoted, which YAML 1.2 reads as numbers: the
    // shape would not survive the trip, so the document names the format that keeps it.
    private static let workflowFile = Body(mediaTypes: ["application/json"], schema: Schemas.workflow, isFile: true, example: [
        "name": "nightly report", "nodes": [["id": "start", "type": "trigger.manual"], ["id": "done", "type": "logic.stop", "configuration": ["message": "done"]]],
    ])
    private static let stackFile = Body(mediaTypes: ["application/json"], schema: Schemas.stackFile, isFile: true,
                                        example: ["services": ["web": ["image": "nginx:1.25", "ports": ["80"]]]])
    private static func jsonBody(_ schema: JSONValue, required: Bool = true) -> Body {
        Body(mediaTypes: ["application/json"], schema: schema, required: required)
    }

    private static let activate = Parameter(name: "activate", schema: Schemas.flag, description: "also turn its triggers on")
    private static let lastEventID = Parameter(name: "Last-Event-ID", schema: Schemas.lastEventID, description: "resume after this event id")
    private static let eventStream: Answer = .media(["text/event-stream": ["type": "string"]])

    /// What the operations on one workflow need, from an answer that holds its id (and version).
    private static func workflowLinks(id: String, version: String) -> [String: Link] {
        [
            "GetWorkflow": link("getWorkflow", ["id": id]), "UpdateWorkflow": link("updateWorkflow", ["id": id]),
            "DeleteWorkflow": link("deleteWorkflow", ["id": id]), "ListVersions": link("listVersions", ["id": id]),
            "GetVersion": link("getVersion", ["id": id, "version": version]),
            "Diff": link("diffVersions", ["id": id, "from": version, "to": version]),
            "Rollback": link("rollback", ["id": id, "version": version]),
            "Activate": link("activateWorkflow", ["id": id]), "Deactivate": link("deactivateWorkflow", ["id": id]),
            "Run": link("runWorkflow", ["id": id]), "Optimize": link("optimizeWorkflow", ["id": id]),
        ]
    }

    private static let executionLinks: [String: Link] = [
        "GetExecution": link("getExecution", ["id": "$response.body#/execution_id"]),
        "ExecutionEvents": link("executionEvents", ["id": "$response.body#/execution_id"]),
        "Cancel": link("cancelExecution", ["id": "$response.body#/execution_id"]),
        "Retry": link("retryExecution", ["id": "$response.body#/execution_id"]),
        "SuggestFixes": link("suggestFixes", ["id": "$response.body#/execution_id"]),
    ]

    private static let proposalLinks: [String: Link] = [
        "GetProposal": link("getProposal", ["id": "$response.body#/id"]),
        "Accept": link("acceptProposal", ["id": "$response.body#/id"]),
        "Discard": link("discardProposal", ["id": "$response.body#/id"]),
    ]

    static let operations: [Operation] = [
        Operation(method: "get", path: "/healthz", id: "health", summary: "Liveness", success: 200, open: true),
        Operation(method: "get", path: "/readyz", id: "ready", summary: "Readiness and queue depth", success: 200, open: true),
        Operation(method: "get", path: "/metrics", id: "metrics", summary: "Prometheus metrics", success: 200,
                  answer: .media(["text/plain": ["type": "string"]]), open: true),
        Operation(method: "get", path: "/api/v1/openapi.json", id: "openAPI", summary: "This document", success: 200, open: true),
        Operation(method: "get", path: "/api/v1/registry", id: "registry", summary: "Node types", success: 200, answer: .json(["type": "array"])),
        Operation(method: "get", path: "/api/v1/schema", id: "workflowSchema", summary: "JSON Schema of the workflow format", success: 200),
        Operation(method: "post", path: "/api/v1/validate", id: "validate",
                  summary: "Validate a workflow (YAML or JSON mapping); 200 with the validator's report, valid or not, and the workflow as read",
                  success: 200, body: Body(mediaTypes: ["application/json"], schema: ["type": "object"], isFile: true)),
        Operation(method: "get", path: "/api/v1/workflows", id: "listWorkflows", summary: "List workflows", success: 200, answer: .json(list("WorkflowSummary")),
                  links: ["GetFirst": link("getWorkflow", ["id": "$response.body#/0/id"])]),
        Operation(method: "post", path: "/api/v1/workflows", id: "createWorkflow",
                  summary: "Create a workflow; 422 with the validator's problems when it is invalid. Activating answers the webhook tokens it made, once",
                  success: 201, body: workflowFile, query: [activate], answer: .json(ref("WorkflowSummary")),
                  links: workflowLinks(id: "$response.body#/id", version: "$response.body#/version")),
        Operation(method: "get", path: "/api/v1/workflows/{id}", id: "getWorkflow", summary: "A workflow (by id or name) and its definition", success: 200,
                  query: [Parameter(name: "format", schema: ["type": "string", "enum": ["json", "yaml"]], description: "yaml: the workflow file, for export")],
                  answer: .media(["application/json": ref("WorkflowSummary"), "application/yaml": ["type": "object", "description": "the workflow file"]])),
        Operation(method: "put", path: "/api/v1/workflows/{id}", id: "updateWorkflow", summary: "Update: a new version (the name must stay); 422 when invalid",
                  success: 200, body: workflowFile, answer: .json(ref("WorkflowSummary"))),
        Operation(method: "delete", path: "/api/v1/workflows/{id}", id: "deleteWorkflow", summary: "Delete a workflow and its history", success: 204, answer: nil),
        Operation(method: "get", path: "/api/v1/workflows/{id}/versions", id: "listVersions", summary: "Versions", success: 200, answer: .json(list("Version"))),
        Operation(method: "get", path: "/api/v1/workflows/{id}/versions/{version}", id: "getVersion", summary: "One version's definition", success: 200),
        Operation(method: "get", path: "/api/v1/workflows/{id}/diff/{from}/{to}", id: "diffVersions", summary: "Line diff between versions", success: 200),
        Operation(method: "post", path: "/api/v1/workflows/{id}/rollback/{version}", id: "rollback", summary: "A new version equal to an old one", success: 201,
                  answer: .json(ref("WorkflowSummary"))),
        Operation(method: "post", path: "/api/v1/workflows/{id}/activate", id: "activateWorkflow",
                  summary: "Turn its triggers on; the webhook tokens it makes are in the answer, once", success: 200, answer: .json(ref("WorkflowSummary"))),
        Operation(method: "post", path: "/api/v1/workflows/{id}/deactivate", id: "deactivateWorkflow", summary: "Turn its triggers off", success: 200,
                  answer: .json(ref("WorkflowSummary"))),
        Operation(method: "post", path: "/api/v1/workflows/{id}/run", id: "runWorkflow", summary: "Run now (a JSON object of inputs)", success: 202,
                  body: jsonBody(Schemas.runInput, required: false),
                  query: [Parameter(name: "trigger", schema: Schemas.identifier, description: "the trigger node to start from (default: the first)")],
                  headers: [Schemas.idempotencyKey],
                  answer: .json(ref("Started")), links: executionLinks),
        Operation(method: "get", path: "/api/v1/executions", id: "listExecutions", summary: "Executions, newest first", success: 200,
                  query: [
                      Parameter(name: "workflow", schema: Schemas.anyID, description: "only this workflow's (id or name)"),
                      Parameter(name: "status", schema: Schemas.executionStatus, description: "only those in this status"),
                      Parameter(name: "limit", schema: Schemas.limit, description: "at most this many (default 50)"),
                      Parameter(name: "cursor", schema: Schemas.anyID, description: "the id of the last execution of the previous page: the ones created before it"),
                  ],
                  answer: .json(list("Execution")), links: ["GetFirst": link("getExecution", ["id": "$response.body#/0/id"])]),
        Operation(method: "get", path: "/api/v1/executions/{id}", id: "getExecution", summary: "An execution with its node runs", success: 200,
                  answer: .json(ref("Execution"))),
        Operation(method: "get", path: "/api/v1/executions/{id}/events", id: "executionEvents",
                  summary: "Live events of one run, as its state machine decided them (server-sent events; docs/API.md, Live events): execution_started, node_started, node_finished, node_skipped, retry_scheduled, node_waiting, node_iterating, log, execution_finished", success: 200,
                  headers: [lastEventID], answer: eventStream),
        Operation(method: "get", path: "/api/v1/events/stream", id: "eventStream",
                  summary: "Live events of every run, with execution_finished (server-sent events; endless)", success: 200,
                  query: [Parameter(name: "workflow", schema: Schemas.anyID, description: "only this workflow's runs (id or name)")],
                  headers: [lastEventID], answer: eventStream),
        Operation(method: "post", path: "/api/v1/executions/{id}/cancel", id: "cancelExecution", summary: "Cancel (409 when it is over)", success: 202),
        Operation(method: "post", path: "/api/v1/executions/{id}/retry", id: "retryExecution",
                  summary: "Run again from a node, reusing the earlier outputs upstream (409 when that cannot be)", success: 202,
                  body: jsonBody(Schemas.retry)),
        Operation(method: "get", path: "/api/v1/stacks", id: "listStacks", summary: "Stack files kept in the store", success: 200, answer: .json(list("Stack"))),
        Operation(method: "put", path: "/api/v1/stacks/{name}", id: "putStack", summary: "Store a stack file (checked first: 422 with its problems; 201 when new)",
                  success: 200, alsoSuccess: [201], body: stackFile,
                  links: ["GetStack": link("getStack", ["name": "$request.path.name"]), "DeleteStack": link("deleteStack", ["name": "$request.path.name"])]),
        Operation(method: "get", path: "/api/v1/stacks/{name}", id: "getStack", summary: "A stored stack file and its problems", success: 200, answer: .json(ref("Stack"))),
        Operation(method: "delete", path: "/api/v1/stacks/{name}", id: "deleteStack", summary: "Delete a stored stack file", success: 204, answer: nil),
        Operation(method: "post", path: "/api/v1/events", id: "postEvent", summary: "Post an event for event triggers", success: 202, body: jsonBody(Schemas.event)),
        Operation(method: "get", path: "/api/v1/secrets", id: "listSecrets", summary: "Secret names", success: 200, answer: .json(list("Secret"))),
        Operation(method: "put", path: "/api/v1/secrets/{name}", id: "putSecret", summary: "Set a secret (write-only)", success: 204,
                  body: jsonBody(Schemas.secretValue), answer: nil, links: ["DeleteSecret": link("deleteSecret", ["name": "$request.path.name"])]),
        Operation(method: "delete", path: "/api/v1/secrets/{name}", id: "deleteSecret", summary: "Delete a secret", success: 204, answer: nil),
        Operation(method: "post", path: "/api/v1/designs", id: "design", summary: "Design from prose: a stored proposal", success: 201,
                  body: Body(mediaTypes: ["application/json"], schema: Schemas.design, example: ["prose": "every night at 3am back up the shop stack"]),
                  answer: .json(ref("Proposal")), links: proposalLinks),
        Operation(method: "get", path: "/api/v1/proposals", id: "listProposals", summary: "Proposals, newest first", success: 200,
                  query: [Parameter(name: "limit", schema: Schemas.limit, description: "at most this many (default 50)")],
                  answer: .json(list("Proposal")), links: ["GetFirst": link("getProposal", ["id": "$response.body#/0/id"])]),
        Operation(method: "get", path: "/api/v1/proposals/{id}", id: "getProposal", summary: "A proposal: workflow, validation, rounds, assumptions", success: 200,
                  answer: .json(ref("Proposal"))),
        Operation(method: "post", path: "/api/v1/proposals/{id}/accept", id: "acceptProposal",
                  summary: "Accept a valid proposal: a new workflow version (409 when invalid or decided)", success: 201, query: [activate],
                  links: workflowLinks(id: "$response.body#/workflow_id", version: "$response.body#/version")),
        Operation(method: "post", path: "/api/v1/proposals/{id}/discard", id: "discardProposal", summary: "Discard a proposal (409 when decided)", success: 200),
        Operation(method: "get", path: "/api/v1/templates", id: "listTemplates", summary: "Workflow templates", success: 200, answer: .json(["type": "array"]),
                  links: ["GetFirst": link("getTemplate", ["id": "$response.body#/0/id"])]),
        Operation(method: "get", path: "/api/v1/templates/{id}", id: "getTemplate", summary: "A template and its YAML", success: 200),
        Operation(method: "get", path: "/api/v1/recommendations", id: "recommend", summary: "Templates and workflows ranked for a request (text relevance × success in history)",
                  success: 200, query: [
                      Parameter(name: "q", schema: ["type": "string", "minLength": 1, "pattern": "\\S"], required: true, description: "what you want to automate"),
                      Parameter(name: "limit", schema: ["type": "integer", "minimum": 1, "maximum": 50], description: "at most this many (default 5)"),
                  ], answer: .json(["type": "array"])),
        Operation(method: "get", path: "/api/v1/apikeys", id: "listKeys", summary: "API keys (ids and names; keys are never shown again)", success: 200,
                  answer: .json(list("APIKey"))),
        Operation(method: "post", path: "/api/v1/apikeys", id: "createKey", summary: "Create an API key; the key is in the answer, once", success: 201,
                  body: jsonBody(Schemas.apiKey, required: false), answer: .json(ref("APIKey")),
                  links: ["Revoke": link("revokeKey", ["id": "$response.body#/id"])]),
        Operation(method: "delete", path: "/api/v1/apikeys/{id}", id: "revokeKey", summary: "Revoke an API key (409 for the last one)", success: 204, answer: nil),
        Operation(method: "post", path: "/api/v1/executions/{id}/suggestions", id: "suggestFixes",
                  summary: "Fix suggestions for a failed execution (validated JSON Patches, or actions to take outside the workflow; 409 when there is nothing to fix)", success: 201,
                  links: ["GetSuggestion": link("getSuggestion", ["id": "$response.body#/suggestions/0/id"]),
                          "Apply": link("applySuggestion", ["id": "$response.body#/suggestions/0/id"])]),
        Operation(method: "post", path: "/api/v1/workflows/{id}/optimizations", id: "optimizeWorkflow", summary: "Optimization suggestions from the workflow's runs",
                  success: 201),
        Operation(method: "get", path: "/api/v1/suggestions", id: "listSuggestions", summary: "Suggestions", success: 200,
                  query: [Parameter(name: "workflow", schema: Schemas.anyID, description: "only this workflow's (id or name)"),
                          Parameter(name: "execution", schema: Schemas.anyID, description: "only those for this execution")],
                  answer: .json(list("Suggestion")), links: ["GetFirst": link("getSuggestion", ["id": "$response.body#/0/id"])]),
        Operation(method: "get", path: "/api/v1/suggestions/{id}", id: "getSuggestion", summary: "A suggestion, with how the runs after it went once applied",
                  success: 200, answer: .json(ref("Suggestion"))),
        Operation(method: "post", path: "/api/v1/suggestions/{id}/apply", id: "applySuggestion", summary: "Apply a suggestion: a new workflow version (409 when it cannot be)",
                  success: 201),
    ] + webhookOperations

    /// A webhook answers on the method its trigger names; every method it may name is listed.
    private static let webhookOperations: [Operation] = ["post", "get", "put", "patch", "delete"].map { method in
        Operation(method: method, path: "/webhooks/{path}", id: "webhook\(method.capitalized)",
                  summary: "Webhook trigger (token, HMAC or basic auth; 404 when no active workflow listens)", success: 202,
                  body: ["post", "put", "patch"].contains(method) ? Body(mediaTypes: ["application/json", "text/plain"], schema: [:], required: false) : nil,
                  query: [Parameter(name: "token", schema: ["type": "string"], description: "the webhook's token, when not sent in its header")],
                  headers: [Schemas.idempotencyKey],
                  answer: .json(ref("Started")), open: true)
    }
}
