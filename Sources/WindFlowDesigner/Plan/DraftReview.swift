import WindFlowCore

/// A model's verdict on the draft made from the request's words (``PlanStart/draft``), asked before any plan is
/// written: `{"right": true}`, or `{"right": false, "change": "what to add, remove or change"}`.
///
/// A small model on this machine writes ≈ 19 tokens a second and its plan is mostly the draft copied back; the verdict
/// is a few tokens. A draft judged right is kept as it is; otherwise the plan is asked in the same conversation, the
/// model's own words about what to change right before it (docs/DESIGNER.md).
enum DraftReview {
    enum Verdict: Equatable {
        case right
        /// What the model would change, in its words (empty when it did not say).
        case change(String)
    }

    /// The answer's shape: `right` first, then what to change.
    static var schema: JSONValue {
        [
            "type": "object",
            "properties": ["right": ["type": "boolean"], "change": ["type": "string", "minLength": 1, "maxLength": 200]],
            "required": ["right"], "additionalProperties": false,
        ]
    }

    /// The same in OpenAI's strict dialect: every property required, `change` nullable.
    static var strictSchema: JSONValue {
        [
            "type": "object",
            "properties": ["right": ["type": "boolean"], "change": ["anyOf": [["type": "string"], ["type": "null"]]]],
            "required": ["right", "change"], "additionalProperties": false,
        ]
    }

    /// The most tokens the verdict may take.
    static let maxTokens = 80

    /// The verdict in an answer; anything but a plain `right: true` (a change beside it, garbage) asks for the plan.
    static func read(_ text: String) -> Verdict {
        guard let value = Designer.jsonObject(in: text) else { return .change("") }
        let change = value["change"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return value["right"] == .bool(true) && change.isEmpty ? .right : .change(change)
    }
}
