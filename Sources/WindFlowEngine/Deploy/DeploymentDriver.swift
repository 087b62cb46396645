import Foundation
import WindFlowCore

/// What the deployment actions need from a container runtime. The Docker Engine API driver is the first; Podman serves
/// the same API. Everything a driver creates carries the `windflow.*` labels, which is how it is found again.
public protocol DeploymentDriver: Sendable {
    /// Where the runtime is, for messages ("unix:///var/run/docker.sock").
    var address: String { get }
    /// Fails with a clear message when the runtime cannot be reached.
    func ping() async throws(DeploymentError)
    /// Containers, running or not, carrying all these labels.
    func containers(labelled labels: [String: String]) async throws(DeploymentError) -> [ContainerInfo]
    func inspect(_ container: String) async throws(DeploymentError) -> ContainerInfo
    func imageExists(_ image: String) async throws(DeploymentError) -> Bool
    func ensureNetwork(_ name: String, labels: [String: String]) async throws(DeploymentError)
    /// Removes a network no container uses any more (nothing when it does not exist).
    func removeNetwork(_ name: String) async throws(DeploymentError)
    func ensureVolume(_ name: String, labels: [String: String]) async throws(DeploymentError)
    func volumeExists(_ name: String) async throws(DeploymentError) -> Bool
    func removeVolume(_ name: String) async throws(DeploymentError)
    /// Creates (does not start) a container; returns its id.
    func create(_ spec: ContainerSpec) async throws(DeploymentError) -> String
    func start(_ container: String) async throws(DeploymentError)
    func stop(_ container: String, grace: Int) async throws(DeploymentError)
    func remove(_ container: String) async throws(DeploymentError)
    func rename(_ container: String, to name: String) async throws(DeploymentError)
    /// Creates (does not start) a container configured like `container`, with another name and these labels changed.
    func clone(_ container: String, name: String, labels: [String: String]) async throws(DeploymentError) -> String
    /// The last lines the container printed (stdout and stderr).
    func logs(_ container: String, lines: Int) async throws(DeploymentError) -> String
    /// One sample of CPU and memory use.
    func stats(_ container: String) async throws(DeploymentError) -> ContainerStats
    /// A tar archive of `path` inside the container (which may be stopped).
    func readArchive(_ container: String, path: String) async throws(DeploymentError) -> Data
    /// Extracts a tar archive (plain or gzip) into `path` inside the container.
    func writeArchive(_ container: String, path: String, archive: Data) async throws(DeploymentError)
}

/// How to create one container.
public struct ContainerSpec: Sendable, Hashable {
    public var name: String
    public var image: String
    public var command: [String]?
    public var environment: [String: String]
    public var labels: [String: String]
    public var ports: [PortMapping]
    /// Named volumes (already created) and host paths, with their targets.
    public var mounts: [VolumeMount]
    public var healthcheck: HealthCheck?
    public var network: String?
    /// Other containers on the network reach this one by these names.
    public var aliases: [String]

    public init(
        name: String, image: String, command: [String]? = nil, environment: [String: String] = [:], labels: [String: String] = [:],
        ports: [PortMapping] = [], mounts: [VolumeMount] = [], healthcheck: HealthCheck? = nil, network: String? = nil, aliases: [String] = []
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.environment = environment
        self.labels = labels
        self.ports = ports
        self.mounts = mounts
        self.healthcheck = healthcheck
        self.network = network
        self.aliases = aliases
    }
}

/// A container as the runtime reports it.
public struct ContainerInfo: Sendable, Hashable {
    public var id: String
    public var name: String
    public var image: String
    public var labels: [String: String]
    /// created, running, exited, restarting…
    public var state: String
    /// healthy, unhealthy, starting, or nil without a health check (only filled by `inspect`).
    public var health: String?
    /// The last health check's output (only filled by `inspect`).
    public var healthOutput: String?
    public var exitCode: Int?
    /// Published ports: container port ("80/tcp") → host port.
    public var publishedPorts: [String: Int]

    public var service: String? { labels[DeploymentLabels.service] }
    public var replica: Int { labels[DeploymentLabels.replica].flatMap(Int.init) ?? 0 }
    public var isRunning: Bool { state == "running" }
}

/// CPU and memory of one container at one moment.
public struct ContainerStats: Sendable, Hashable {
    /// Percent of one core (can exceed 100 on several cores).
    public var cpuPercent: Double
    public var memoryBytes: Double
    public var memoryLimitBytes: Double
    public var memoryPercent: Double { memoryLimitBytes > 0 ? memoryBytes / memoryLimitBytes * 100 : 0 }
}

/// The labels every resource a deployment creates carries.
public enum DeploymentLabels {
    public static let stack = "windflow.stack"
    public static let environment = "windflow.env"
    public static let service = "windflow.service"
    public static let replica = "windflow.replica"
    /// Which deployment made the container (its time), so a rollback knows what was there before.
    public static let deployment = "windflow.deployment"
}

/// A runtime call that failed, in words a user can act on.
public struct DeploymentError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The daemon cannot be reached.
        case unreachable
        case imageMissing = "image_missing"
        case portInUse = "port_in_use"
        case notFound = "not_found"
        case conflict
        /// The stack file is missing or invalid.
        case stack
        /// Containers failed their health checks or exited.
        case unhealthy
        /// Containers were still not healthy when the wait for health ended.
        case healthTimeout = "health_timeout"
        case daemon
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// As a node failure: only an unreachable daemon is worth another attempt.
    public var nodeFailure: NodeFailure {
        let failureKind: FailureKind = switch kind {
        case .unreachable: .connection
        case .unhealthy, .healthTimeout, .daemon: .internal
        case .imageMissing, .portInUse, .notFound, .conflict, .stack: .configuration
        }
        return NodeFailure(failureKind, message, retryable: kind == .unreachable, details: FailureDetails(errorClass: FailureClass(rawValue: kind.rawValue)),
                           output: ["reason": .string(kind.rawValue)])
    }
}
