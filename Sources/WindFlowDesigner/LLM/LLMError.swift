import Foundation

/// A model call that failed, classified, with a message that says what to do. Never holds the API key.
public struct LLMError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// 401 / 403: the key is missing, wrong or not allowed this model.
        case authentication
        /// 429 after every retry.
        case rateLimited = "rate_limited"
        /// 5xx after every retry.
        case server
        /// Another 4xx: the request was refused (unknown model, bad option).
        case rejected
        /// No answer in time.
        case timeout
        /// The server cannot be reached.
        case unreachable
        /// The answer is not in the provider's wire format.
        case malformedResponse = "malformed_response"
        case cancelled
    }

    public var kind: Kind
    public var message: String
    public var status: Int?

    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { message }

    /// Whether sending the same request again may work.
    var isRetryable: Bool {
        switch kind {
        case .rateLimited, .server, .timeout, .unreachable: return true
        default: return false
        }
    }
}
