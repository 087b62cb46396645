extension Problem {
    /// The problem as the API and `--format json` show it.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "code": .string(code.rawValue), "severity": .string(severity.rawValue), "path": .string(path),
            "message": .string(message),
        ]
        if let suggestion { object["suggestion"] = .string(suggestion) }
        if let nodeID { object["node_id"] = .string(nodeID) }
        if let line { object["line"] = .int(line) }
        return .object(object)
    }
}

extension ValidationReport {
    /// The report as the API and `--format json` show it.
    public var jsonValue: JSONValue {
        [
            "valid": .bool(isValid), "errors": .int(errors.count), "warnings": .int(warnings.count),
            "problems": .array(problems.map(\.jsonValue)),
        ]
    }
}
