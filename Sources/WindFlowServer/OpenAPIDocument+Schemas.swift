import WindFlowCore
import WindFlowEngine

/// The schemas of the document. Request schemas are what the server checks bodies and parameters against
/// (`SchemaCheck`), so they state the real constraints; answer schemas are in `components`.
extension OpenAPIDocument {
    enum Schemas {
        static let timestamp: JSONValue = [
            "type": "string", "format": "date-time", "description": "RFC 3339 in UTC with milliseconds",
            "examples": ["2026-12-04T17:48:44.165Z"],
        ]
        /// A node id, a secret's name: a letter or `_`, then letters, digits and `_`.
        static let identifier: JSONValue = ["type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$", "examples": ["API_TOKEN"]]
        /// A stack's name (`Stack.isValidName`).
        static let stackName: JSONValue = ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_-]{0,99}$", "examples": ["shop"]]
        static let version: JSONValue = ["type": "integer", "minimum": 1, "examples": [1]]
        static let anyID: JSONValue = ["type": "string", "minLength": 1]
        static let flag: JSONValue = ["type": "boolean"]
        /// The header that makes a retried start answer the execution the first one started.
        static let idempotencyKey = Parameter(
            name: "Idempotency-Key", schema: ["type": "string", "minLength": 1, "maxLength": .int(WorkflowEngine.maxIdempotencyKeyLength), "pattern": "^[!-~]+$"],
            description: "names this start: a repeat with the same key answers the execution the first one started, and starts nothing; "
                + "keys starting with windflow: are WindFlow's own and refused")
        static let executionStatus: JSONValue = ["type": "string", "enum": .array(ExecutionStatus.allCases.map { .string($0.rawValue) })]
        static let limit: JSONValue = ["type": "integer", "minimum": 1, "maximum": 500]
        static let lastEventID: JSONValue = ["type": "integer", "minimum": 0]

        /// The shape a workflow file must have to be read at all; the validator then checks its meaning (the full
        /// format, node by node, is `GET /api/v1/schema`).
        static let workflow: JSONValue = [
            "type": "object", "required": ["name", "nodes"],
            "properties": [
                "name": ["type": "string", "minLength": 1, "maxLength": 200],
                "description": ["type": "string"],
                "tags": ["type": "array", "items": ["type": "string"]],
                "nodes": ["type": "array", "minItems": 1, "items": [
                    "type": "object", "required": ["id", "type"],
                    "properties": ["id": ["type": "string", "minLength": 1], "type": ["type": "string", "minLength": 1],
                                   "configuration": ["type": "object"]],
                ]],
                "edges": ["type": "array", "items": [
                    "type": "object", "required": ["source", "target"],
                    "properties": ["source": ["type": "string"], "target": ["type": "string"], "branch": ["type": "string"]],
                ]],
                "settings": ["type": "object"],
            ],
        ]
        static let stackFile: JSONValue = [
            "type": "object", "required": ["services"],
            "description": "A Compose-like stack file (docs/STACKS.md); it is checked before it is stored",
            "properties": ["services": ["type": "object", "additionalProperties": [
                "type": "object", "required": ["image"], "properties": ["image": ["type": "string", "minLength": 1]],
            ]]],
        ]
        static let secretValue: JSONValue = [
            "type": "object", "required": ["value"], "properties": ["value": ["type": "string", "minLength": 1]],
        ]
        static let event: JSONValue = [
            "type": "object", "required": ["event"],
            "properties": [
                "event": ["type": "string", "minLength": 1, "maxLength": 200,
                          "not": ["type": "string", "pattern": "^(execution|workflow)\\.",
                                  "description": "execution.* and workflow.* events come from WindFlow itself"]],
                "payload": ["type": "object"],
            ],
        ]
        static let design: JSONValue = [
            "type": "object", "required": ["prose"],
            "properties": [
                "prose": ["type": "string", "minLength": 1, "maxLength": 20_000, "pattern": "\\S",
                          "description": "what the workflow should do"],
                "workflow": ["type": "string", "minLength": 1, "description": "the stored workflow to edit"],
                "accept": flag, "activate": flag,
            ],
        ]
        static let apiKey: JSONValue = [
            "type": "object", "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 100]],
        ]
        static let retry: JSONValue = [
            "type": "object", "required": ["from"], "properties": ["from": identifier],
        ]
        static let runInput: JSONValue = ["type": "object", "description": "the trigger's input"]

        /// `components.schemas`: the answers.
        static var components: JSONValue {
            let optionalTime = timestamp
            return [
                "Problem": ["type": "object", "required": ["type", "title", "status"], "properties": [
                    "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"],
                    "detail": ["type": "string"], "problems": ["type": "array"],
                ]],
                "WorkflowSummary": ["type": "object", "required": ["id", "name", "version", "active"], "properties": [
                    "id": ["type": "string"], "name": ["type": "string"], "version": ["type": "integer"], "active": ["type": "boolean"],
                    "warnings": ["type": "array"], "activation": ["$ref": "#/components/schemas/Activation"],
                ]],
                "Activation": ["type": "object", "description": "Present once, when activating made webhook tokens",
                               "properties": ["webhook_tokens": ["type": "object", "additionalProperties": ["type": "string"]]]],
                "Execution": ["type": "object", "required": ["id", "workflow_id", "workflow_name", "status", "created_at"], "properties": [
                    "id": ["type": "string"], "workflow_id": ["type": "string"], "workflow_name": ["type": "string"],
                    "workflow_version": ["type": "integer"], "trigger_node": ["type": "string"], "trigger_type": ["type": "string"],
                    "status": executionStatus, "created_at": timestamp, "started_at": optionalTime, "finished_at": optionalTime,
                    "error_kind": ["type": "string"], "error_message": ["type": "string"], "error_node": ["type": "string"],
                    "idempotency_key": ["type": "string"],
                    "node_runs": ["type": "array", "items": ["$ref": "#/components/schemas/NodeRun"]],
                ]],
                "NodeRun": ["type": "object", "required": ["node", "attempt", "status"], "properties": [
                    "node": ["type": "string"], "node_id": ["type": "string"], "type": ["type": "string"], "attempt": ["type": "integer"],
                    "status": ["type": "string"], "started_at": timestamp, "finished_at": timestamp, "duration_ms": ["type": "number"],
                ]],
                "Started": ["type": "object", "required": ["execution_id", "status_url"], "properties": [
                    "execution_id": ["type": "string"], "status_url": ["type": "string"],
                ]],
                "Version": ["type": "object", "required": ["version", "created_at"], "properties": [
                    "version": ["type": "integer"], "created_at": timestamp,
                ]],
                "Stack": ["type": "object", "required": ["name", "created_at", "updated_at"], "properties": [
                    "name": ["type": "string"], "created_at": timestamp, "updated_at": timestamp, "size_bytes": ["type": "integer"],
                    "definition": ["type": "string"], "problems": ["type": "array"],
                ]],
                "Secret": ["type": "object", "required": ["name", "updated_at"], "properties": [
                    "name": ["type": "string"], "updated_at": timestamp,
                ]],
                "APIKey": ["type": "object", "required": ["id", "name"], "properties": [
                    "id": ["type": "string"], "name": ["type": "string"], "created_at": timestamp, "key": ["type": "string"],
                ]],
                "Proposal": ["type": "object", "required": ["id", "status", "valid", "created_at"], "properties": [
                    "id": ["type": "string"], "status": ["type": "string"], "valid": ["type": "boolean"], "created_at": timestamp,
                ]],
                "Suggestion": ["type": "object", "required": ["id", "kind", "created_at"], "properties": [
                    "id": ["type": "string"], "kind": ["type": "string"], "created_at": timestamp,
                ]],
            ]
        }
    }
}
