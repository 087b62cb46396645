import Foundation

/// Replaces secret values with `[secret]` in whatever is about to be stored or shown: each secret as it is, its
/// base64, base64url and URL-encoded forms (a basic-auth header carries `base64(user:password)`, so the parts of the
/// base64 text that come from the secret alone are hidden too), and every value computed from a secret during the
/// run (``DerivedSecrets``).
///
/// - warning: What a program does to a secret itself (a script that reverses or hashes it) cannot be recognised;
///   docs/SECURITY.md says so.
public struct Redactor: Sendable {
    private let values: [String]
    /// Values computed from secrets in this run, when the redactor belongs to one.
    public let derived: DerivedSecrets?

    /// Secrets shorter than 4 characters are not redacted (they would mangle ordinary text).
    public init(secrets: [String: String], derived: DerivedSecrets? = nil) {
        var forms = Set<String>()
        for secret in secrets.values where secret.count >= Self.minimumLength { forms.formUnion(Self.forms(of: secret)) }
        values = forms.sorted { $0.count > $1.count }
        self.derived = derived
    }

    /// Secrets and derived values shorter than this are left alone.
    static let minimumLength = 4

    public func redact(_ text: String) -> String {
        let extra = derived?.forms ?? []
        guard !values.isEmpty || !extra.isEmpty else { return text }
        var result = text
        for value in extra.isEmpty ? values : (values + extra).sorted(by: { $0.count > $1.count }) where result.contains(value) {
            result = result.replacingOccurrences(of: value, with: "[secret]")
        }
        return result
    }

    public func redact(_ value: JSONValue) -> JSONValue {
        guard !values.isEmpty || !(derived?.isEmpty ?? true) else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let elements): return .array(elements.map(redact))
        case .object(let members): return .object(members.mapValues(redact))
        default: return value
        }
    }

    /// The texts that give a secret away: itself, its encodings, and the parts of its base64 text that stay the
    /// same wherever it starts inside a longer encoded value.
    static func forms(of secret: String) -> Set<String> {
        var forms: Set<String> = [secret]
        let bytes = Array(secret.utf8)
        let base64 = Data(bytes).base64EncodedString()
        forms.insert(base64)
        forms.insert(base64.replacingOccurrences(of: "=", with: ""))
        forms.insert(urlSafe(base64))
        forms.insert(urlSafe(base64).replacingOccurrences(of: "=", with: ""))
        if let encoded = secret.addingPercentEncoding(withAllowedCharacters: unreserved) { forms.insert(encoded) }
        for allowed in [CharacterSet.urlQueryAllowed, .alphanumerics] {
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: allowed) { forms.insert(encoded) }
        }
        for shift in 0..<3 where bytes.count >= 6 {
            let encoded = Array(Data(Array(repeating: 0, count: shift) + bytes).base64EncodedString())
            let start = (8 * shift + 5) / 6
            let end = (8 * (shift + bytes.count)) / 6
            guard end - start >= 8 else { continue }
            let fragment = String(encoded[start..<end])
            forms.insert(fragment)
            forms.insert(urlSafe(fragment))
        }
        return forms.filter { $0.count >= minimumLength }
    }

    private static func urlSafe(_ base64: String) -> String {
        base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// Values computed from secrets while a run evaluates its expressions (`{{ secrets.TOKEN | upper }}`,
/// `{{ 'Bearer ' + secrets.TOKEN }}`), shared by the run's scope and its redactor.
public final class DerivedSecrets: @unchecked Sendable {
    // Safe: `stored` is only touched while holding `lock`.
    private let lock = NSLock()
    private var stored: Set<String> = []

    public init() {}

    /// Records every string in `value` long enough to redact, with its encoded forms.
    public func record(_ value: JSONValue) {
        switch value {
        case .string(let text) where text.count >= Redactor.minimumLength:
            let forms = Redactor.forms(of: text)
            lock.withLock { stored.formUnion(forms) }
        case .array(let elements): for element in elements { record(element) }
        case .object(let members): for member in members.values { record(member) }
        default: break
        }
    }

    var forms: [String] { lock.withLock { Array(stored) } }
    var isEmpty: Bool { lock.withLock { stored.isEmpty } }
}
