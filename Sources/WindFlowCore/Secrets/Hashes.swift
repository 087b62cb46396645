import Crypto

/// SHA-256 and HMAC-SHA256 as WindFlow uses them: hex digests of API keys and tokens, webhook signatures, and a
/// comparison that takes the same time whatever the bytes. The arithmetic is swift-crypto's.
public enum Hashes {
    /// The lowercase hex SHA-256 digest of `message`.
    public static func sha256Hex<Bytes: Collection>(_ message: Bytes) -> String where Bytes.Element == UInt8 {
        hex(Array(SHA256.hash(data: Array(message))))
    }

    /// The lowercase hex SHA-256 digest of a string's UTF-8 bytes.
    public static func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    /// The lowercase hex HMAC-SHA256 of `message` under `key` (RFC 2104).
    public static func hmacSHA256Hex<Key: Collection, Bytes: Collection>(key: Key, message: Bytes) -> String
    where Key.Element == UInt8, Bytes.Element == UInt8 {
        let code = HMAC<SHA256>.authenticationCode(for: Array(message), using: SymmetricKey(data: Array(key)))
        return hex(Array(code))
    }

    /// The raw HMAC-SHA256 of `message` under `key`, for chained derivations such as AWS Signature Version 4's key.
    public static func hmacSHA256<Key: Collection, Bytes: Collection>(key: Key, message: Bytes) -> [UInt8]
    where Key.Element == UInt8, Bytes.Element == UInt8 {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message), using: SymmetricKey(data: Array(key))))
    }

    /// Whether `a` and `b` are equal, in a time that depends only on their lengths.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
