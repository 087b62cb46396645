/// AWS Signature Version 4 for S3, written out because the machine's libcurl (7.88.1) signs a removed `Expect:`
/// header into SignedHeaders and does not canonicalise percent-encoded query values (`prefix=dir%2F` is refused with
/// SignatureDoesNotMatch), and because libcurl makes no presigned URLs at all. Pure: the time is passed in.
public struct S3Signature: Sendable {
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?
    public var region: String
    public var service = "s3"

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil, region: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.region = region
    }

    /// A presigned URL: anyone holding it may `method` the object until `expires` seconds after `time`.
    /// - Parameters:
    ///   - host: the host as it appears in the URL, with a port when not the scheme's default.
    ///   - path: the path, already percent-encoded as it is sent (`/bucket/dir/a%20b.txt`).
    ///   - time: seconds since 1970.
    public func presignedURL(method: String, scheme: String, host: String, path: String, expires: Int, time: Double) -> String {
        let (date, stamp) = Self.timestamps(time)
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        var query: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(accessKey)/\(scope)"),
            ("X-Amz-Date", stamp), ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", "host"),
        ]
        if let sessionToken { query.append(("X-Amz-Security-Token", sessionToken)) }
        let canonicalQuery = Self.canonicalQuery(query)
        let canonical = [method, path, canonicalQuery, "host:\(host)\n", "host", "UNSIGNED-PAYLOAD"].joined(separator: "\n")
        let signature = sign(canonical, scope: scope, stamp: stamp, date: date)
        return "\(scheme)://\(host)\(path)?\(canonicalQuery)&X-Amz-Signature=\(signature)"
    }

    /// The headers that authorise one request (`Authorization`, `x-amz-date`, `x-amz-content-sha256`, and the
    /// session token), signing `host` and every `x-amz-*` header in `headers`. The payload is sent unsigned unless
    /// `payloadHash` (its hex SHA-256) is given.
    /// - Parameter query: decoded name/value pairs; they are encoded here exactly as they must be sent.
    public func authorization(method: String, host: String, path: String, query: [(String, String)],
                              headers: [(String, String)], payloadHash: String = "UNSIGNED-PAYLOAD", time: Double) -> [(String, String)] {
        let (date, stamp) = Self.timestamps(time)
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        var signed: [(String, String)] = [("host", host), ("x-amz-content-sha256", payloadHash), ("x-amz-date", stamp)]
        if let sessionToken { signed.append(("x-amz-security-token", sessionToken)) }
        for (name, value) in headers where name.lowercased().hasPrefix("x-amz-") {
            signed.append((name.lowercased(), value.trimmingSpaces))
        }
        signed.sort { $0.0 < $1.0 }
        let names = signed.map(\.0).joined(separator: ";")
        let canonicalHeaders = signed.map { "\($0.0):\($0.1)\n" }.joined()
        let canonical = [method, path, Self.canonicalQuery(query), canonicalHeaders, names, payloadHash].joined(separator: "\n")
        let signature = sign(canonical, scope: scope, stamp: stamp, date: date)
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(names), Signature=\(signature)"
        return [("Authorization", authorization)] + signed.filter { $0.0 != "host" && !headers.map { $0.0.lowercased() }.contains($0.0) }
    }

    /// `name=value` pairs, each part encoded (RFC 3986 unreserved characters kept), sorted by name then value.
    public static func canonicalQuery(_ items: [(String, String)]) -> String {
        items.map { (encode($0.0), encode($0.1)) }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Percent-encodes everything but `A–Z a–z 0–9 - . _ ~` (and `/` when `keepSlash`, for object keys in paths).
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: "/") where keepSlash: out.append("/")
            default:
                let digits = Array("0123456789ABCDEF")
                out += "%\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0f)])"
            }
        }
        return out
    }

    private func sign(_ canonical: String, scope: String, stamp: String, date: String) -> String {
        let toSign = ["AWS4-HMAC-SHA256", stamp, scope, Hashes.sha256Hex(canonical)].joined(separator: "\n")
        var key = Hashes.hmacSHA256(key: Array("AWS4\(secretKey)".utf8), message: Array(date.utf8))
        for part in [region, service, "aws4_request"] { key = Hashes.hmacSHA256(key: key, message: Array(part.utf8)) }
        return Hashes.hmacSHA256Hex(key: key, message: Array(toSign.utf8))
    }

    /// `YYYYMMDD` and `YYYYMMDDTHHMMSSZ` in UTC.
    static func timestamps(_ time: Double) -> (String, String) {
        let text = Timestamp.rfc3339(time.rounded(.down)).filter { $0 != "-" && $0 != ":" }  // 20130524T000000.000Z
        let stamp = String(text.prefix(15)) + "Z"
        return (String(stamp.prefix(8)), stamp)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
