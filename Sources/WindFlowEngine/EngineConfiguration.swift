import WindFlowCore

/// How the engine runs nodes.
public struct EngineConfiguration: Sendable {
    /// Values for `{{ secrets.NAME }}`; redacted from everything stored or shown.
    public var secrets: [String: String]
    /// Values for `{{ env.NAME }}`.
    public var environment: [String: String]
    /// A run whose next timer is further away than this returns `.parked` instead of waiting in memory.
    public var parkAfter: Double
    /// How often a running execution checks whether someone asked to cancel it, in seconds.
    public var cancelPollInterval: Double
    /// A node output larger than this (as JSON) is replaced by a preview before anything reads or stores it, so
    /// live runs and replays see the same value and one node cannot bloat the history.
    public var maxOutputBytes: Int

    public init(
        secrets: [String: String] = [:], environment: [String: String] = [:], parkAfter: Double = .infinity,
        cancelPollInterval: Double = 0.5, maxOutputBytes: Int = 4 * 1024 * 1024
    ) {
        self.secrets = secrets
        self.environment = environment
        self.parkAfter = parkAfter
        self.cancelPollInterval = cancelPollInterval
        self.maxOutputBytes = maxOutputBytes
    }
}

extension EngineConfiguration {
    /// Variables of this process that `{{ env.NAME }}` never reads: secrets (read them as `{{ secrets.NAME }}`,
    /// which is redacted) and the keys of model providers and of the API.
    public static func isHiddenFromExpressions(_ name: String) -> Bool {
        name.hasPrefix("WINDFLOW_SECRET_") || hiddenVariables.contains(name)
    }

    static let hiddenVariables: Set<String> = [
        "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "WINDFLOW_LLM_API_KEY", "LLM_API_KEY", "WINDFLOW_API_KEY", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ]

    /// The variables `{{ env.NAME }}` may read, from this process's environment.
    public static func expressionEnvironment(_ environment: [String: String]) -> [String: String] {
        environment.filter { !isHiddenFromExpressions($0.key) }
    }
}

/// An engine operation that could not be done, saying what and why.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// How a call to ``ExecutionRunner/run(_:)`` ended.
public enum RunResult: Sendable, Equatable {
    case finished(ExecutionStatus, ExecutionError?)
    /// Nothing runs and the next timer is later than `parkAfter`: the run holds no task until then.
    case parked(until: Double)
}
