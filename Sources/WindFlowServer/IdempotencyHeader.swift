import HTTPTypes
import Hummingbird
import WindFlowEngine

/// The `Idempotency-Key` header a client sends with a run or a webhook so that a retried request (a timeout, a
/// redelivery) starts the workflow once: the repeat is answered with the execution the first one started.
enum IdempotencyHeader {
    static let name = HTTPField.Name("Idempotency-Key")!

    /// The key; nil without the header; the 400 that says what a key must be when it is not one.
    static func read(_ request: Request) -> Answer<String?> {
        guard let key = request.headers[name] else { return .ok(nil) }
        guard WorkflowEngine.isValidClientIdempotencyKey(key) else {
            return .response(ServiceResponse.problem(.badRequest, "Bad Idempotency-Key", detail: WorkflowEngine.clientIdempotencyKeyRule))
        }
        return .ok(key)
    }
}
