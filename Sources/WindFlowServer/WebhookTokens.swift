import Foundation
import WindFlowCore
import WindFlowStore

/// Tokens for webhooks that take `authentication: token` (the default) but name no `token`: the service makes one
/// when the workflow is activated over the API, keeps it as a secret (write-only, like every secret) and shows it in
/// that activation's answer, once. Deleting the secret and activating again makes a new one.
enum WebhookTokens {
    /// The secret that holds the token made for this webhook node.
    static func secretName(workflowID: String, node: String) -> String {
        "WEBHOOK_TOKEN_" + Hashes.sha256Hex("\(workflowID)/\(node)").prefix(16).uppercased()
    }

    /// Whether this node is a webhook that needs a made token.
    static func needsToken(_ node: WorkflowNode) -> Bool {
        node.type == "trigger.webhook" && !node.disabled && node.configuration["token"] == nil
            && NodeParameters(node)["authentication"]?.stringValue == "token"
    }

    /// Makes the tokens the workflow's webhooks lack. Answers what activating made, for the answer: nil when it
    /// made nothing (tokens made before are never shown again).
    static func issue(for record: WorkflowRecord, store: any WindFlowStorage, now: Double) async throws -> JSONValue? {
        let existing = try await store.secrets()
        var tokens: [String: JSONValue] = [:]
        var secrets: [String: JSONValue] = [:]
        for node in record.workflow.nodes where needsToken(node) {
            let name = secretName(workflowID: record.id, node: node.id)
            guard existing[name] == nil else { continue }
            var random = SystemRandomNumberGenerator()
            let token = "wh_" + (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
            try await store.setSecret(name, value: token, now: now)
            tokens[node.id] = .string(token)
            secrets[node.id] = .string(name)
        }
        guard !tokens.isEmpty else { return nil }
        return ["webhook_tokens": .object(tokens), "secrets": .object(secrets),
                "note": "shown once; send it as the webhook's token header or ?token=. Delete the secret and activate again for a new one"]
    }
}
