import Foundation

/// Reads a stack file: applies the `environments.NAME` overrides of the environment deployed to, substitutes
/// `${NAME}` / `${NAME:-default}` from the given variables, and checks it, collecting problems with their lines the
/// way the workflow validator does. `strict` makes a missing variable an error instead of a warning.
public enum StackLoader {
    static let stackFields: Set<String> = ["name", "services", "volumes", "environments", "version", "networks"]
    static let serviceFields: Set<String> = ["image", "command", "environment", "ports", "volumes", "healthcheck", "labels", "deploy", "depends_on"]

    public static func load(_ text: String, name: String = "stack", environment: String? = nil, variables: [String: String] = [:],
                            strict: Bool = true) -> (stack: Stack?, problems: [Problem]) {
        var problems: [Problem] = []
        let root: LocatedValue
        do { root = try LocatedParser.parse(text) } catch { return (nil, [error.problem]) }
        guard root.entries != nil else {
            return (nil, [Problem(.syntaxError, path: "", message: "a stack file is a mapping with 'services:'", line: root.line)])
        }
        for entry in root.entries ?? [] where !stackFields.contains(entry.key) {
            problems.append(Problem(.unknownField, path: entry.key, message: "'\(entry.key)' is not part of the stack format and is ignored", line: entry.value.line))
        }
        var document = root.plain
        if let environment, let overrides = document["environments"]?[environment] {
            document = merge(document, overrides)
        }
        document = substitute(document, variables: variables, path: "", strict: strict, problems: &problems)
        var stack = Stack(name: document["name"]?.stringValue ?? name)
        stack.volumes = (document["volumes"]?.objectValue?.keys).map { Array($0).sorted() } ?? []
        guard let services = document["services"]?.objectValue, !services.isEmpty else {
            problems.append(Problem(.missingField, path: "services", message: "the stack has no services", line: root.line))
            return (nil, problems)
        }
        let order = root["services"]?.entries?.map(\.key) ?? services.keys.sorted()
        for serviceName in order {
            guard let value = services[serviceName] else { continue }
            if let service = self.service(serviceName, value, stack: stack, located: root["services"]?[serviceName], problems: &problems) {
                stack.services.append(service)
            }
        }
        check(stack, root: root, problems: &problems)
        return (problems.contains { $0.severity == .error } ? nil : stack, problems)
    }

    private static func service(_ name: String, _ value: JSONValue, stack: Stack, located: LocatedValue?, problems: inout [Problem]) -> StackService? {
        let path = "services.\(name)"
        func report(_ code: ProblemCode, _ field: String, _ message: String, _ severity: Severity? = nil) {
            // The line of the field when the file has it (an override may have added it), else the service's.
            let key = String(field.prefix { $0 != "." && $0 != "[" })
            let line = (key.isEmpty ? nil : located?[key]?.line) ?? located?.line
            problems.append(Problem(code, severity, path: field.isEmpty ? path : "\(path).\(field)", message: message, line: line))
        }
        guard let fields = value.objectValue else {
            report(.invalidFieldType, "", "service '\(name)' must be a mapping")
            return nil
        }
        for key in fields.keys.sorted() where !serviceFields.contains(key) { report(.unknownField, key, "'\(key)' is not part of the stack format and is ignored") }
        guard let image = fields["image"]?.stringValue, !image.isEmpty else {
            report(.missingField, "image", "service '\(name)' has no image")
            return nil
        }
        var service = StackService(name: name, image: image)
        switch fields["command"] {
        case .string(let text)?: service.command = text.split(separator: " ").map(String.init)
        case .array(let parts)?: service.command = parts.map(\.renderedText)
        default: break
        }
        switch fields["environment"] {
        case .object(let members)?: service.environment = members.mapValues(\.renderedText)
        case .array(let items)?:
            for item in items.map(\.renderedText) {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                service.environment[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
        default: break
        }
        for (index, port) in (fields["ports"]?.arrayValue ?? []).enumerated() {
            if let mapping = PortMapping(port.renderedText) { service.ports.append(mapping) } else {
                report(.invalidPort, "ports[\(index)]", "'\(port.renderedText)' is not a port mapping; write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER (ports 1–65535)")
            }
        }
        for (index, volume) in (fields["volumes"]?.arrayValue ?? []).enumerated() {
            guard let mount = VolumeMount(volume.renderedText) else {
                report(.invalidVolume, "volumes[\(index)]", "'\(volume.renderedText)' is not SOURCE:/absolute/target[:ro|rw]")
                continue
            }
            if mount.isNamed, !stack.volumes.contains(mount.source) {
                report(.invalidVolume, "volumes[\(index)]", "volume '\(mount.source)' is not declared under the stack's volumes:")
            }
            service.volumes.append(mount)
        }
        if let check = fields["healthcheck"]?.objectValue {
            let test: [String]
            switch check["test"] {
            case .array(let parts)?: test = parts.map(\.renderedText)
            case .string(let text)?: test = ["CMD-SHELL", text]
            default: test = []
            }
            var health = HealthCheck(test: test)
            for (key, keyPath) in [("interval", \HealthCheck.interval), ("timeout", \HealthCheck.timeout), ("start_period", \HealthCheck.startPeriod)] {
                guard let given = check[key] else { continue }
                if let seconds = DurationText.seconds(from: given) { health[keyPath: keyPath] = seconds } else {
                    report(.invalidDuration, "healthcheck.\(key)", "'\(given.renderedText)' is not a duration (5s, 1m30s)")
                }
            }
            health.retries = check["retries"]?.intValue ?? health.retries
            if test.isEmpty { report(.missingField, "healthcheck.test", "the healthcheck has no test") } else { service.healthcheck = health }
        }
        service.labels = fields["labels"]?.objectValue?.mapValues(\.renderedText) ?? [:]
        if let replicas = fields["deploy"]?["replicas"] {
            if let count = replicas.intValue, (0...1000).contains(count) { service.replicas = count } else {
                report(.invalidFieldType, "deploy.replicas", "replicas must be a whole number from 0 to 1000")
            }
        }
        service.dependsOn = fields["depends_on"]?.arrayValue?.map(\.renderedText) ?? fields["depends_on"]?.objectValue?.keys.sorted() ?? []
        return service
    }

    /// Across services: host port clashes, dependencies on unknown services, dependency cycles.
    private static func check(_ stack: Stack, root: LocatedValue, problems: inout [Problem]) {
        var taken: [String: String] = [:]
        for service in stack.services {
            let line = root["services"]?[service.name]?.line
            for port in service.ports {
                guard let host = port.hostPort else { continue }
                let key = "\(port.hostIP ?? "0.0.0.0"):\(host)/\(port.proto)"
                if let other = taken[key] {
                    problems.append(Problem(.portClash, path: "services.\(service.name).ports", message: "host port \(host)/\(port.proto) is published by '\(other)' too", line: line))
                } else if service.replicas > 1 {
                    problems.append(Problem(.portClash, path: "services.\(service.name).ports",
                                            message: "\(service.replicas) replicas cannot all publish host port \(host); publish the container port alone (\(port.containerPort)) and let each replica get its own", line: line))
                }
                taken[key] = service.name
            }
            for dependency in service.dependsOn where stack.service(dependency) == nil {
                problems.append(Problem(.unknownService, path: "services.\(service.name).depends_on", message: "'\(service.name)' depends on '\(dependency)', which the stack does not have", line: line))
            }
        }
        var visiting: Set<String> = [], done: Set<String> = []
        func visit(_ name: String, _ trail: [String]) {
            guard !done.contains(name), let service = stack.service(name) else { return }
            if visiting.contains(name) {
                problems.append(Problem(.cycle, path: "services.\(name).depends_on", message: "services depend on each other: \((trail + [name]).joined(separator: " → "))"))
                return
            }
            visiting.insert(name)
            for dependency in service.dependsOn { visit(dependency, trail + [name]) }
            visiting.remove(name)
            done.insert(name)
        }
        for service in stack.services { visit(service.name, []) }
    }

    /// `overrides` laid over `base`: mappings merge key by key, anything else replaces.
    static func merge(_ base: JSONValue, _ overrides: JSONValue) -> JSONValue {
        guard case .object(var members) = base, case .object(let changes) = overrides else { return overrides }
        for (key, value) in changes { members[key] = members[key].map { merge($0, value) } ?? value }
        return .object(members)
    }

    /// `${NAME}` and `${NAME:-default}` in every string, from `variables`.
    static func substitute(_ value: JSONValue, variables: [String: String], path: String, strict: Bool, problems: inout [Problem]) -> JSONValue {
        switch value {
        case .string(let text) where text.contains("${"):
            var result = ""
            var rest = Substring(text)
            while let open = rest.range(of: "${") {
                result += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].firstIndex(of: "}") else { result += rest[open.lowerBound...]; rest = ""; break }
                let inner = rest[open.upperBound..<close]
                let parts = inner.components(separatedBy: ":-")
                let name = parts[0]
                if let given = variables[name] {
                    result += given
                } else if parts.count > 1 {
                    result += parts.dropFirst().joined(separator: ":-")
                } else {
                    problems.append(Problem(.missingVariable, strict ? .error : .warning, path: path,
                                            message: "${\(name)} has no value; pass it as a variable or write ${\(name):-default}"))
                }
                rest = rest[rest.index(after: close)...]
            }
            return .string(result + rest)
        case .array(let elements):
            return .array(elements.enumerated().map { substitute($1, variables: variables, path: "\(path)[\($0)]", strict: strict, problems: &problems) })
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members.sorted(by: { $0.key < $1.key }) where key != "environments" {
                result[key] = substitute(member, variables: variables, path: path.isEmpty ? key : "\(path).\(key)", strict: strict, problems: &problems)
            }
            if let environments = members["environments"] { result["environments"] = environments }
            return .object(result)
        default:
            return value
        }
    }
}
