import WindFlowCore

/// The JSON Schema a design answer must follow, generated from the registry: sent as the provider's structured
/// output option, so a grammar-constrained model cannot even spell an unknown node type.
public enum DesignSchema {
    public static func answer(_ registry: NodeRegistry) -> JSONValue {
        let node: JSONValue = [
            "type": "object",
            "properties": [
                "id": ["type": "string"],
                "type": ["type": "string", "enum": .array(registry.ids.map { .string($0) })],
                "name": ["type": "string"],
                "configuration": ["type": "object"],
                "error_handling": ["type": "string", "enum": ["stop", "continue", "branch"]],
                "retry_count": ["type": "integer"],
            ],
            "required": ["id", "type", "configuration"],
        ]
        let edge: JSONValue = [
            "type": "object",
            "properties": ["source": ["type": "string"], "target": ["type": "string"], "branch": ["type": "string"]],
            "required": ["source", "target"],
        ]
        return [
            "type": "object",
            "properties": [
                "explanation": ["type": "string"],
                "assumptions": ["type": "array", "items": ["type": "string"]],
                "workflow": [
                    "type": "object",
                    "properties": [
                        "name": ["type": "string"], "description": ["type": "string"],
                        "nodes": ["type": "array", "items": node, "minItems": 1],
                        "edges": ["type": "array", "items": edge],
                    ],
                    "required": ["name", "nodes", "edges"],
                ],
            ],
            "required": ["explanation", "assumptions", "workflow"],
        ]
    }
}
