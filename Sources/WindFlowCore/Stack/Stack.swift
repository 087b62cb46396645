/// A deployable stack: a documented subset of the Compose format (docs/STACKS.md), after its environment's
/// overrides and variables are applied.
public struct Stack: Sendable, Hashable {
    public var name: String
    public var services: [StackService]
    /// Named volumes the stack declares.
    public var volumes: [String]

    public init(name: String, services: [StackService] = [], volumes: [String] = []) {
        self.name = name
        self.services = services
        self.volumes = volumes
    }

    public func service(_ name: String) -> StackService? { services.first { $0.name == name } }

    /// Whether `name` can name a stack (`stack_id`, a stored stack, a file in the stacks directory): a letter, then
    /// letters, digits, '-' and '_', at most 100 — nothing that could reach outside the stacks directory.
    public static func isValidName(_ name: String) -> Bool {
        name.count <= 100 && name.first?.isLetter == true && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

public struct StackService: Sendable, Hashable {
    public var name: String
    public var image: String
    /// nil: the image's own command.
    public var command: [String]?
    public var environment: [String: String]
    public var ports: [PortMapping]
    public var volumes: [VolumeMount]
    public var healthcheck: HealthCheck?
    public var labels: [String: String]
    public var replicas: Int
    public var dependsOn: [String]

    public init(
        name: String, image: String, command: [String]? = nil, environment: [String: String] = [:], ports: [PortMapping] = [],
        volumes: [VolumeMount] = [], healthcheck: HealthCheck? = nil, labels: [String: String] = [:], replicas: Int = 1, dependsOn: [String] = []
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.environment = environment
        self.ports = ports
        self.volumes = volumes
        self.healthcheck = healthcheck
        self.labels = labels
        self.replicas = replicas
        self.dependsOn = dependsOn
    }
}

/// `[IP:][HOST:]CONTAINER[/PROTOCOL]`.
public struct PortMapping: Sendable, Hashable {
    public var hostIP: String?
    /// nil: the daemon picks a free port.
    public var hostPort: Int?
    public var containerPort: Int
    public var proto: String

    /// - Returns: nil when `text` is not a port mapping.
    public init?(_ text: String) {
        var spec = Substring(text)
        proto = "tcp"
        if let slash = spec.lastIndex(of: "/") {
            let given = spec[spec.index(after: slash)...].lowercased()
            guard given == "tcp" || given == "udp" else { return nil }
            proto = given
            spec = spec[..<slash]
        }
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func port(_ text: String) -> Int? { Int(text).flatMap { (1...65535).contains($0) ? $0 : nil } }
        switch parts.count {
        case 1:
            guard let container = port(parts[0]) else { return nil }
            (hostIP, hostPort, containerPort) = (nil, nil, container)
        case 2:
            guard let host = port(parts[0]), let container = port(parts[1]) else { return nil }
            (hostIP, hostPort, containerPort) = (nil, host, container)
        case 3:
            guard !parts[0].isEmpty, let container = port(parts[2]) else { return nil }
            let host = parts[1].isEmpty ? nil : port(parts[1])
            if !parts[1].isEmpty, host == nil { return nil }
            (hostIP, hostPort, containerPort) = (parts[0], host, container)
        default:
            return nil
        }
    }
}

/// `SOURCE:TARGET[:ro|rw]`: a named volume, or a host path (starting with `/` or `.`).
public struct VolumeMount: Sendable, Hashable {
    public var source: String
    public var target: String
    public var readOnly: Bool
    public var isNamed: Bool { !(source.hasPrefix("/") || source.hasPrefix(".")) }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), !parts[0].isEmpty, parts[1].hasPrefix("/") else { return nil }
        if parts.count == 3, parts[2] != "ro", parts[2] != "rw" { return nil }
        (source, target, readOnly) = (parts[0], parts[1], parts.count == 3 && parts[2] == "ro")
    }

    public init(source: String, target: String, readOnly: Bool = false) {
        (self.source, self.target, self.readOnly) = (source, target, readOnly)
    }
}

public struct HealthCheck: Sendable, Hashable {
    /// `["CMD", …]` or `["CMD-SHELL", "…"]`.
    public var test: [String]
    public var interval: Double
    public var timeout: Double
    public var retries: Int
    public var startPeriod: Double

    public init(test: [String], interval: Double = 30, timeout: Double = 30, retries: Int = 3, startPeriod: Double = 0) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.startPeriod = startPeriod
    }
}
