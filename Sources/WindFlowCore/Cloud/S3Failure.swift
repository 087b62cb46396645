/// One failed S3 call, classified in one place: what kind, a message that says how to fix it, whether another attempt
/// may help, the HTTP status and S3's own error code (from the XML error body), ready to become a node failure's
/// structured details.
public struct S3Failure: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The access key is unknown, the signature does not match, or credentials are missing.
        case credentials
        /// The clock of this machine is too far from the server's.
        case clockSkew = "clock_skew"
        /// The credentials are valid but not allowed this operation.
        case denied
        /// The bucket or the key does not exist.
        case notFound = "not_found"
        /// The server asks to slow down (503 SlowDown, 429).
        case throttled
        /// The server failed (5xx).
        case server
        /// The bucket is in another region than the one the request was signed for (or sent to).
        case wrongRegion = "wrong_region"
        /// Anything else the server refused (4xx).
        case request
    }

    public var kind: Kind
    public var message: String
    public var retryable: Bool
    public var status: Int
    /// S3's error code (`NoSuchBucket`, `SignatureDoesNotMatch`…), when the body had one.
    public var code: String?
    /// The region the server says the bucket is in, when it says so (`<Region>` of a wrong-region answer).
    public var region: String? = nil

    public var description: String { message }

    /// Classifies an error answer to `operation` (`put s3://bucket/key`). 5xx and throttling are retryable, 4xx not.
    public static func classify(status: Int, body: String, operation: String) -> S3Failure {
        let code = element("Code", in: body)
        let serverMessage = element("Message", in: body).map { ": \($0)" } ?? ""
        let said = "\(operation) failed with \(status)\(code.map { " \($0)" } ?? "")\(serverMessage)"
        func failure(_ kind: Kind, _ fix: String, retryable: Bool = false) -> S3Failure {
            S3Failure(kind: kind, message: "\(said); \(fix)", retryable: retryable, status: status, code: code)
        }
        if let region = element("Region", in: body), ["AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException"].contains(code ?? "") {
            var wrong = failure(.wrongRegion, "the bucket is in \(region): set region to \(region)" + (code == "PermanentRedirect" ? " (and endpoint to that region's)" : ""))
            wrong.region = region
            return wrong
        }
        switch code {
        case "InvalidAccessKeyId":
            return failure(.credentials, "the access key is unknown to this endpoint: check access_key (a secret) and endpoint")
        case "SignatureDoesNotMatch":
            return failure(.credentials, "the secret key does not match the access key: check secret_key (a secret) and region")
        case "RequestTimeTooSkewed":
            return failure(.clockSkew, "this machine's clock is more than 15 minutes off: synchronise it (NTP)")
        case "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
            return failure(.credentials, "the session token is expired or invalid: get fresh temporary credentials")
        case "AccessDenied", "AllAccessDisabled":
            return failure(.denied, "the credentials may not do this: grant the operation on the bucket in its policy")
        case "NoSuchBucket":
            return failure(.notFound, "the bucket does not exist at this endpoint and region: check bucket, region and endpoint")
        case "NoSuchKey", "NoSuchUpload":
            return failure(.notFound, "there is no such object: check key (list the prefix to see what is there)")
        case "SlowDown":
            return failure(.throttled, "the server asks to slow down; the attempt is retried", retryable: true)
        default: break
        }
        if status == 429 { return failure(.throttled, "too many requests; the attempt is retried", retryable: true) }
        if status >= 500 { return failure(.server, "the object store failed; the attempt is retried", retryable: true) }
        if status == 404 { return failure(.notFound, "check bucket and key") }
        if status == 401 || status == 403 { return failure(.credentials, "check access_key, secret_key and region") }
        return failure(.request, "the object store refused the request: check the node's parameters")
    }

    /// The text of the first `<name>…</name>` in an XML body, entities decoded.
    static func element(_ name: String, in xml: String) -> String? { S3XML.first(name, in: xml) }
}
