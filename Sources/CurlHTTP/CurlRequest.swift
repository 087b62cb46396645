import Foundation

/// One HTTP request (or SMTP submission) for ``CurlClient``. Named after curl so it never clashes with the HTTP types
/// of server frameworks.
public struct CurlRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Seconds the whole transfer may take (connecting, sending, receiving).
    public var timeout: Double
    /// Larger responses fail with ``CurlError/Kind/tooLarge``.
    public var maxResponseBytes: Int
    public var followRedirects: Bool
    public var maxRedirects: Int
    /// Check the server's certificate and name (on by default; turn off only for a test server).
    public var verifyTLS: Bool
    /// Send the request over this unix socket (e.g. `/var/run/docker.sock`); the URL's host is then only a label.
    public var unixSocketPath: String?
    /// Collect the server's certificate chain (``CurlResponse/certificates``), e.g. to read expiry dates.
    public var certificateInfo = false
    /// For `smtp://` and `smtps://` URLs: the envelope; `body` is then the whole message (RFC 5322).
    public var mail: MailEnvelope?
    /// Send this part of a file as the body, read as it goes out (never held in memory); takes the place of `body`.
    public var bodyFile: FileSection?
    /// Write a 2xx response's body to this file as it arrives instead of into ``CurlResponse/body`` (created or
    /// truncated when the transfer starts; the caller removes it when the transfer fails). Other answers' bodies are
    /// collected as usual, so their errors can be read.
    public var responseFile: String?

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        timeout: Double = 30, maxResponseBytes: Int = 10 * 1024 * 1024, followRedirects: Bool = true, maxRedirects: Int = 10,
        verifyTLS: Bool = true, unixSocketPath: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.followRedirects = followRedirects
        self.maxRedirects = maxRedirects
        self.verifyTLS = verifyTLS
        self.unixSocketPath = unixSocketPath
    }
}

/// `length` bytes of the file at `path`, from `offset` on.
public struct FileSection: Sendable, Equatable {
    public var path: String
    public var offset: Int
    public var length: Int

    public init(path: String, offset: Int = 0, length: Int) {
        self.path = path
        self.offset = offset
        self.length = length
    }
}

/// Who an SMTP message is from and to, and how to log in.
public struct MailEnvelope: Sendable {
    public var from: String
    public var recipients: [String]
    /// Require TLS (STARTTLS on `smtp://`; `smtps://` is TLS from the start).
    public var requireTLS: Bool
    public var username: String?
    public var password: String?

    public init(from: String, recipients: [String], requireTLS: Bool = true, username: String? = nil, password: String? = nil) {
        self.from = from
        self.recipients = recipients
        self.requireTLS = requireTLS
        self.username = username
        self.password = password
    }
}

/// A complete response.
public struct CurlResponse: Sendable {
    public var status: Int
    /// Headers of the final response, names in lower case, in order.
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// The URL answered, after redirects.
    public var effectiveURL: String
    /// Seconds from start to the last byte.
    public var elapsed: Double
    /// With ``CurlRequest/certificateInfo``: the server's certificates, leaf first, as libcurl names their fields
    /// ("Subject", "Issuer", "Start date", "Expire date", …).
    public var certificates: [[String: String]] = []

    /// The first header with this name (any case).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}

/// Why a transfer failed, classified so callers can decide what to retry.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case connectionRefused = "connection_refused"
        case dns
        case tls
        case timeout
        case tooLarge = "too_large"
        case cancelled
        /// The peer closed the connection, or sent something that is not HTTP.
        case connectionLost = "connection_lost"
        case tooManyRedirects = "too_many_redirects"
        case invalidRequest = "invalid_request"
        /// The body file could not be read, or the response file written.
        case file
        case other
    }

    public var kind: Kind
    public var message: String
    /// The URL, with any credentials in it replaced by `***`.
    public var url: String

    public var description: String { "\(message) (\(url))" }

    /// Whether trying again may help.
    public var isRetryable: Bool {
        switch kind {
        case .connectionRefused, .dns, .timeout, .connectionLost: return true
        default: return false
        }
    }
}

/// Hides credentials in a URL: `https://user:pass@host/?token=x` → `https://***@host/?token=***`.
public func redactedURL(_ url: String) -> String {
    guard var components = URLComponents(string: url) else { return url }
    if components.user != nil || components.password != nil {
        components.user = "***"
        components.password = nil
    }
    let sensitive = ["token", "access_token", "api_key", "apikey", "key", "secret", "password", "signature", "sig"]
    if let items = components.queryItems, items.contains(where: { sensitive.contains($0.name.lowercased()) }) {
        components.queryItems = items.map { sensitive.contains($0.name.lowercased()) ? URLQueryItem(name: $0.name, value: "***") : $0 }
    }
    return components.string ?? url
}
