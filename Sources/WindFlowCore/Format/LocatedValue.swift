import Foundation
import Yams

/// A parsed YAML or JSON document that remembers the line each value came from.
struct LocatedValue {
    enum Kind {
        case scalar(JSONValue)
        case list([LocatedValue])
        /// Entries in document order; a duplicated key appears twice.
        case map([(key: String, value: LocatedValue)])
    }

    var kind: Kind
    /// 1-based line, when known.
    var line: Int?

    /// The plain value, without locations.
    var plain: JSONValue {
        switch kind {
        case .scalar(let value): return value
        case .list(let elements): return .array(elements.map(\.plain))
        case .map(let entries):
            var members: [String: JSONValue] = [:]
            for entry in entries where members[entry.key] == nil { members[entry.key] = entry.value.plain }
            return .object(members)
        }
    }

    var entries: [(key: String, value: LocatedValue)]? {
        if case .map(let entries) = kind { return entries }
        return nil
    }

    var elements: [LocatedValue]? {
        if case .list(let elements) = kind { return elements }
        return nil
    }

    var scalar: JSONValue? {
        if case .scalar(let value) = kind { return value }
        return nil
    }

    /// The value under `key`, first occurrence.
    subscript(key: String) -> LocatedValue? {
        entries?.first { $0.key == key }?.value
    }
}

/// Parses text into a ``LocatedValue``, reading scalars by the YAML 1.2 core schema (so `no` stays a string).
enum LocatedParser {
    /// Documents larger than this are refused before parsing.
    static let maxDocumentBytes = 8 * 1024 * 1024
    /// Values in one document, counting those that aliases repeat.
    static let maxValues = 1_000_000
    static let maxDepth = 128

    static func parse(_ text: String) throws(WorkflowFormatError) -> LocatedValue {
        guard text.utf8.count <= maxDocumentBytes else {
            throw WorkflowFormatError(
                "the document is \(text.utf8.count) bytes; the limit is \(maxDocumentBytes)",
                hint: "split it into several workflows")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, Resolver.basic)
        } catch let error as YamlError {
            if let fallback = try? jsonFallback(text) { return fallback }
            throw WorkflowFormatError(yamlError: error)
        } catch {
            throw WorkflowFormatError("could not read the document: \(error)")
        }
        guard let root else {
            throw WorkflowFormatError("the document is empty", hint: "start with 'workflow:' followed by name, nodes and edges")
        }
        var budget = maxValues
        return try convert(root, depth: 0, budget: &budget)
    }

    /// Tab-indented JSON trips the YAML scanner; read it as JSON instead (without line numbers).
    private static func jsonFallback(_ text: String) throws -> LocatedValue? {
        guard text.drop(while: \.isWhitespace).first == "{" else { return nil }
        return LocatedValue(plain: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
    }

    private static func convert(_ node: Node, depth: Int, budget: inout Int) throws(WorkflowFormatError) -> LocatedValue {
        budget -= 1
        guard budget >= 0 else {
            throw WorkflowFormatError("the document has more than \(maxValues) values (counting aliases)", line: node.mark?.line)
        }
        guard depth <= maxDepth else {
            throw WorkflowFormatError("the document is nested more than \(maxDepth) levels deep", line: node.mark?.line)
        }
        let line = node.mark?.line
        switch node {
        case .scalar(let scalar):
            return LocatedValue(kind: .scalar(resolve(scalar)), line: line)
        case .sequence(let sequence):
            var elements: [LocatedValue] = []
            for element in sequence { elements.append(try convert(element, depth: depth + 1, budget: &budget)) }
            return LocatedValue(kind: .list(elements), line: line)
        case .mapping(let mapping):
            var entries: [(key: String, value: LocatedValue)] = []
            for (key, value) in mapping {
                let keyText: String
                switch key {
                case .scalar(let scalar): keyText = scalar.string
                default:
                    throw WorkflowFormatError("a mapping key must be plain text", line: key.mark?.line)
                }
                var converted = try convert(value, depth: depth + 1, budget: &budget)
                // A key's line is where the entry starts, which is what a person looks for.
                if case .scalar = converted.kind { converted.line = key.mark?.line ?? converted.line }
                entries.append((keyText, converted))
            }
            return LocatedValue(kind: .map(entries), line: line)
        case .alias(let alias):
            throw WorkflowFormatError("unresolved alias '\(alias.anchor.rawValue)'", line: line)
        }
    }

    /// YAML 1.2 core schema for plain scalars; quoted and block scalars are always strings.
    static func resolve(_ scalar: Node.Scalar) -> JSONValue {
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let first = text.first, first.isNumber || first == "-" || first == "+" || first == "." {
            if let number = Int(text) { return .int(number) }
            if text.hasPrefix("0x"), let number = Int(text.dropFirst(2), radix: 16) { return .int(number) }
            if text.hasPrefix("0o"), let number = Int(text.dropFirst(2), radix: 8) { return .int(number) }
            if text.contains(where: { $0.isNumber }), text.allSatisfy({ "0123456789.eE+-".contains($0) }),
                let number = Double(text), number.isFinite
            {
                return .double(number)
            }
            switch text {
            case ".inf", ".Inf", "+.inf": return .double(.infinity)
            case "-.inf", "-.Inf": return .double(-.infinity)
            default: break
            }
        }
        return .string(text)
    }
}

extension LocatedValue {
    /// A value without line information.
    init(plain value: JSONValue) {
        switch value {
        case .array(let elements): kind = .list(elements.map(LocatedValue.init(plain:)))
        case .object(let members): kind = .map(members.keys.sorted().map { ($0, LocatedValue(plain: members[$0]!)) })
        default: kind = .scalar(value)
        }
        line = nil
    }
}
