/// Reads the few XML answers of the S3 API (errors, listings, multipart uploads, copies): the texts of named
/// elements, entities decoded. S3's answers are flat and regular; a general XML parser is not needed for them.
public enum S3XML {
    /// The text of the first `<name>…</name>` in `xml`.
    public static func first(_ name: String, in xml: Substring) -> String? {
        all(name, in: xml, limit: 1).first
    }

    public static func first(_ name: String, in xml: String) -> String? { first(name, in: xml[...]) }

    /// The contents of every `<name>…</name>` in `xml`, in order (raw, for blocks such as `<Contents>` that hold
    /// elements of their own; read them with ``first(_:in:)-(_,Substring)``).
    public static func blocks(_ name: String, in xml: String) -> [Substring] {
        var found: [Substring] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex) {
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func all(_ name: String, in xml: Substring, limit: Int = .max) -> [String] {
        var found: [String] = []
        var rest = xml
        while found.count < limit, let open = rest.range(of: "<\(name)>"),
              let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex) {
            found.append(decoded(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// Text with XML's five entities (and numeric references) decoded.
    public static func decoded(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semicolon) <= 10 else {
                out.append("&")
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "lt": out.append("<")
            case "gt": out.append(">")
            case "amp": out.append("&")
            case "quot": out.append("\"")
            case "apos": out.append("'")
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) { out.unicodeScalars.append(scalar) } else { out += "&\(entity);" }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return out + rest
    }

    /// `text` with `& < > " '` escaped, for the few XML bodies sent (a multipart upload's completion).
    public static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
