/// RFC 6902 JSON Patch: the form every suggestion takes, so a change is exact, reviewable and applied as a whole.
public struct JSONPatch: Sendable, Hashable {
    public struct Operation: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case add, remove, replace, move, copy, test }
        public var op: Kind
        /// A JSON Pointer (RFC 6901): `/nodes/2/configuration/url`.
        public var path: String
        public var value: JSONValue?
        /// For move and copy.
        public var from: String?

        public init(_ op: Kind, _ path: String, value: JSONValue? = nil, from: String? = nil) {
            self.op = op
            self.path = path
            self.value = value
            self.from = from
        }
    }

    public var operations: [Operation]

    public init(_ operations: [Operation]) {
        self.operations = operations
    }

    /// Reads a patch document (a JSON array of operations).
    /// - Throws: ``JSONPatchError`` saying which operation is malformed.
    public init(json: JSONValue) throws(JSONPatchError) {
        guard let list = json.arrayValue else { throw JSONPatchError("a JSON Patch is an array of operations") }
        var operations: [Operation] = []
        for (index, item) in list.enumerated() {
            guard let name = item["op"]?.stringValue, let kind = Operation.Kind(rawValue: name) else {
                throw JSONPatchError("operation \(index): 'op' must be add, remove, replace, move, copy or test")
            }
            guard let path = item["path"]?.stringValue else { throw JSONPatchError("operation \(index): 'path' is missing") }
            let value = item["value"]
            if [.add, .replace, .test].contains(kind), value == nil { throw JSONPatchError("operation \(index) (\(name)): 'value' is missing") }
            let from = item["from"]?.stringValue
            if [.move, .copy].contains(kind), from == nil { throw JSONPatchError("operation \(index) (\(name)): 'from' is missing") }
            operations.append(Operation(kind, path, value: value, from: from))
        }
        self.operations = operations
    }

    public var jsonValue: JSONValue {
        .array(operations.map { operation in
            var object: [String: JSONValue] = ["op": .string(operation.op.rawValue), "path": .string(operation.path)]
            if let value = operation.value { object["value"] = value }
            if let from = operation.from { object["from"] = .string(from) }
            return .object(object)
        })
    }

    /// `document` with every operation applied in order; all or nothing.
    /// - Throws: ``JSONPatchError`` naming the operation and the path that does not exist or failed its test.
    public func apply(to document: JSONValue) throws(JSONPatchError) -> JSONValue {
        var result = document
        for (index, operation) in operations.enumerated() {
            do throws(JSONPatchError) {
                switch operation.op {
                case .add: result = try Self.set(result, Self.tokens(operation.path), operation.value ?? .null, inserting: true)
                case .replace:
                    _ = try Self.get(result, Self.tokens(operation.path))
                    result = try Self.set(result, Self.tokens(operation.path), operation.value ?? .null, inserting: false)
                case .remove: result = try Self.remove(result, Self.tokens(operation.path))
                case .move:
                    let from = try Self.tokens(operation.from ?? "")
                    let value = try Self.get(result, from)
                    result = try Self.set(try Self.remove(result, from), Self.tokens(operation.path), value, inserting: true)
                case .copy:
                    let value = try Self.get(result, Self.tokens(operation.from ?? ""))
                    result = try Self.set(result, Self.tokens(operation.path), value, inserting: true)
                case .test:
                    guard try Self.get(result, Self.tokens(operation.path)) == operation.value else {
                        throw JSONPatchError("the value at \(operation.path) is not the one expected")
                    }
                }
            } catch {
                throw JSONPatchError("operation \(index) (\(operation.op.rawValue) \(operation.path)): \(error.message)")
            }
        }
        return result
    }

    /// `/a/b~1c/0` → ["a", "b/c", "0"].
    static func tokens(_ pointer: String) throws(JSONPatchError) -> [String] {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { throw JSONPatchError("a JSON Pointer starts with '/'") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    /// Escapes one key for a pointer.
    public static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func get(_ value: JSONValue, _ path: [String]) throws(JSONPatchError) -> JSONValue {
        guard let first = path.first else { return value }
        switch value {
        case .object(let members):
            guard let child = members[first] else { throw JSONPatchError("there is no '\(first)'") }
            return try get(child, Array(path.dropFirst()))
        case .array(let elements):
            guard let index = Int(first), elements.indices.contains(index) else { throw JSONPatchError("there is no element \(first)") }
            return try get(elements[index], Array(path.dropFirst()))
        default:
            throw JSONPatchError("'\(first)' is inside a \(value.kindName)")
        }
    }

    static func set(_ value: JSONValue, _ path: [String], _ new: JSONValue, inserting: Bool) throws(JSONPatchError) -> JSONValue {
        guard let first = path.first else { return new }
        let rest = Array(path.dropFirst())
        switch value {
        case .object(var members):
            if rest.isEmpty {
                members[first] = new
            } else {
                guard let child = members[first] else { throw JSONPatchError("there is no '\(first)'") }
                members[first] = try set(child, rest, new, inserting: inserting)
            }
            return .object(members)
        case .array(var elements):
            if rest.isEmpty, inserting {
                if first == "-" { elements.append(new); return .array(elements) }
                guard let index = Int(first), (0...elements.count).contains(index) else { throw JSONPatchError("there is no position \(first)") }
                elements.insert(new, at: index)
                return .array(elements)
            }
            guard let index = Int(first), elements.indices.contains(index) else { throw JSONPatchError("there is no element \(first)") }
            elements[index] = rest.isEmpty ? new : try set(elements[index], rest, new, inserting: inserting)
            return .array(elements)
        default:
            throw JSONPatchError("'\(first)' is inside a \(value.kindName)")
        }
    }

    static func remove(_ value: JSONValue, _ path: [String]) throws(JSONPatchError) -> JSONValue {
        guard let first = path.first else { throw JSONPatchError("the whole document cannot be removed") }
        let rest = Array(path.dropFirst())
        switch value {
        case .object(var members):
            guard let child = members[first] else { throw JSONPatchError("there is no '\(first)'") }
            // Not `rest.isEmpty ? nil : …`: JSONValue is ExpressibleByNilLiteral, so that nil would be stored as null.
            if rest.isEmpty { members.removeValue(forKey: first) } else { members[first] = try remove(child, rest) }
            return .object(members)
        case .array(var elements):
            guard let index = Int(first), elements.indices.contains(index) else { throw JSONPatchError("there is no element \(first)") }
            if rest.isEmpty { elements.remove(at: index) } else { elements[index] = try remove(elements[index], rest) }
            return .array(elements)
        default:
            throw JSONPatchError("'\(first)' is inside a \(value.kindName)")
        }
    }
}

public struct JSONPatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
