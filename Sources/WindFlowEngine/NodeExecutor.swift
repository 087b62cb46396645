import Foundation
import WindFlowCore

/// Runs one kind of node.
public protocol NodeExecutor: Sendable {
    /// Parameters the executor reads from the raw configuration instead of receiving them rendered (a script body
    /// whose placeholders become environment variables; a condition evaluated as an expression).
    var rawParameters: Set<String> { get }

    /// Whether the executor only computes (no I/O, no waiting): the runner then calls it inline, without a task, a
    /// timeout or a cancellation race.
    var isInstant: Bool { get }

    /// Runs one attempt. Cancellation of the calling task means the attempt must stop (the node timed out or the
    /// execution was cancelled): kill processes, abort transfers.
    func execute(_ context: NodeContext) async -> NodeOutcome
}

extension NodeExecutor {
    public var rawParameters: Set<String> { [] }
    public var isInstant: Bool { false }
}

/// What an executor gets for one attempt.
public struct NodeContext: Sendable {
    public var key: NodeKey
    public var node: WorkflowNode
    public var attempt: Int
    public var executionID: String
    /// The same for every attempt of this node in this execution, for idempotent side effects.
    public var idempotencyKey: String
    /// The configuration with placeholders rendered (raw parameters left as written).
    public var input: [String: JSONValue]
    /// What expressions in raw parameters may read.
    public var scope: ExpressionScope
    /// For merges: the outputs arriving over taken edges, in the order their sources finished.
    public var incoming: [(source: String, output: JSONValue)]
    /// Seconds since 1970, from the engine's clock.
    public var now: Double
    /// Appends a line to the execution's log.
    public var log: @Sendable (String) -> Void

    /// The rendered parameters, with the defaults the registry declares for the node's type: the one way an executor
    /// reads a parameter (`try context.parameters.int("max_rows")`), so no executor writes a default of its own.
    public var parameters: NodeParameters { NodeParameters(input, of: node.type) }
}

/// The executors the engine knows, by node type.
public struct ExecutorRegistry: Sendable {
    private var executors: [String: any NodeExecutor] = [:]

    public init() {}

    /// Executors for every node type, the deployment actions set up from WINDFLOW_STACKS_DIR, WINDFLOW_DATA_DIR and
    /// DOCKER_HOST.
    public static var standard: ExecutorRegistry {
        standard(deployment: DeploymentSettings(environment: ProcessInfo.processInfo.environment))
    }

    /// Executors for every node type; the deployment actions use `deployment` and the Docker Engine API.
    public static func standard(deployment: DeploymentSettings) -> ExecutorRegistry {
        var registry = ExecutorRegistry()
        registry.register("logic.condition", ConditionExecutor())
        registry.register("logic.switch", SwitchExecutor())
        registry.register("logic.loop", LoopExecutor())
        registry.register("logic.merge", MergeExecutor())
        registry.register("logic.wait", WaitExecutor())
        registry.register("logic.stop", StopExecutor())
        registry.register("integration.script", ScriptExecutor())
        registry.register("integration.http", HTTPExecutor(client: .shared))
        registry.register("integration.monitoring", MonitoringExecutor(client: .shared))
        registry.register("integration.notification", NotificationExecutor(client: .shared))
        registry.register("integration.git", GitExecutor())
        registry.register("integration.database", DatabaseExecutor())
        registry.register("integration.cloud", CloudStorageExecutor(client: .shared))
        let docker = DockerEngineDriver(host: deployment.dockerHost)
        registry.register("windflow.deploy_stack", DeployStackExecutor(settings: deployment, driver: docker))
        registry.register("windflow.scale_service", ScaleServiceExecutor(settings: deployment, driver: docker))
        registry.register("windflow.backup_data", BackupDataExecutor(settings: deployment, driver: docker))
        registry.register("windflow.validate_stack", ValidateStackExecutor(settings: deployment, driver: docker))
        registry.register("windflow.get_metrics", GetMetricsExecutor(settings: deployment, driver: docker, client: .shared))
        registry.register("windflow.health_check", HealthCheckExecutor(settings: deployment, driver: docker, client: .shared))
        registry.register("windflow.renew_certificates", RenewCertificatesExecutor(settings: deployment, client: .shared))
        return registry
    }

    public mutating func register(_ type: String, _ executor: any NodeExecutor) {
        executors[type] = executor
    }

    public func executor(for type: String) -> (any NodeExecutor)? {
        executors[type]
    }

    /// Node types in `workflow` that would have to run but have no executor yet (triggers never run, and disabled
    /// nodes are passed through).
    public func missingExecutors(in workflow: Workflow, registry: NodeRegistry = .standard) -> [String] {
        let types = workflow.nodes.filter { !$0.disabled && !(registry.type($0.type)?.isTrigger ?? false) }.map(\.type)
        return Array(Set(types.filter { executors[$0] == nil })).sorted()
    }
}
