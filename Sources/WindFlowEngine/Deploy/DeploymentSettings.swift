import Foundation
import WindFlowCore

/// Where the deployment actions find stacks, write backups and reports, and reach the container runtime.
public struct DeploymentSettings: Sendable {
    /// Stack files, `NAME.yaml` or `NAME.yml`, named by `stack_id`.
    public var stacksDirectory: String
    /// Relative paths in node parameters (backup destinations, report and certificate directories) start here.
    public var dataDirectory: String
    /// A `DOCKER_HOST` value (`unix:///var/run/docker.sock`).
    public var dockerHost: String
    /// Stacks kept in the store, by name: looked up before the stacks directory.
    public var storedStacks: (@Sendable (String) async -> String?)?

    public init(stacksDirectory: String = "stacks", dataDirectory: String = ".", dockerHost: String = "unix:///var/run/docker.sock") {
        self.stacksDirectory = stacksDirectory
        self.dataDirectory = dataDirectory
        self.dockerHost = dockerHost
    }

    /// From WINDFLOW_STACKS_DIR, WINDFLOW_DATA_DIR and DOCKER_HOST, with the defaults above.
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(
            stacksDirectory: value("WINDFLOW_STACKS_DIR") ?? "stacks", dataDirectory: value("WINDFLOW_DATA_DIR") ?? ".",
            dockerHost: value("DOCKER_HOST") ?? "unix:///var/run/docker.sock")
    }

    /// `path` as given when absolute, else under the data directory.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (dataDirectory as NSString).appendingPathComponent(path)
    }

    /// The stack file's text (from the store first, then the stacks directory), or a message saying where it was
    /// looked for.
    public func stackFile(_ id: String) async throws(DeploymentError) -> (path: String, text: String) {
        guard Stack.isValidName(id) else {
            throw DeploymentError(.stack, "'\(id)' is not a stack name (letters, digits, '-' and '_')")
        }
        if let text = await storedStacks?(id) { return ("stack '\(id)' (stored)", text) }
        for candidate in ["\(id).yaml", "\(id).yml", "\(id)/stack.yaml", "\(id)/docker-compose.yml", "\(id)/compose.yaml"] {
            let path = (stacksDirectory as NSString).appendingPathComponent(candidate)
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return (path, text) }
        }
        let known = ((try? FileManager.default.contentsOfDirectory(atPath: stacksDirectory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { ($0 as NSString).deletingPathExtension }.sorted()
        let hint = known.isEmpty ? "the folder has no stack files" : "stacks there: \(known.joined(separator: ", "))"
        let stored = storedStacks == nil ? "" : " nor in the store (windflow stacks put, or PUT /api/v1/stacks/\(id))"
        throw DeploymentError(.stack, "there is no stack '\(id)' in \(stacksDirectory) (\(hint))\(stored); set WINDFLOW_STACKS_DIR or --stacks-dir to the folder of stack files")
    }

    /// The stack for `environment`, or every error in it as one message.
    public func loadStack(_ id: String, environment: String, variables: [String: String], strict: Bool = true) async throws(DeploymentError) -> (stack: Stack, problems: [Problem]) {
        let file = try await stackFile(id)
        let (stack, problems) = StackLoader.load(file.text, name: id, environment: environment, variables: variables, strict: strict)
        guard let stack else {
            let errors = problems.filter { $0.severity == .error }
            let lines = errors.prefix(5).map { "\(file.path)\($0.line.map { ":\($0)" } ?? ""): \($0.path): \($0.message)" }
            throw DeploymentError(.stack, "the stack '\(id)' has \(errors.count) error(s): " + lines.joined(separator: "; "))
        }
        return (stack, problems)
    }
}

/// How resources of a stack in an environment are named.
public struct StackScope: Sendable, Hashable {
    public var stack: String
    public var environment: String

    public init(stack: String, environment: String) {
        self.stack = stack
        self.environment = environment
    }

    var prefix: String { Self.clean("\(stack)-\(environment)") }
    public var network: String { prefix }
    public func volume(_ name: String) -> String { "\(prefix)-\(Self.clean(name))" }
    public func container(_ service: String, replica: Int) -> String { "\(prefix)-\(Self.clean(service))-\(replica)" }
    public var labels: [String: String] { [DeploymentLabels.stack: stack, DeploymentLabels.environment: environment] }

    /// Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-].
    static func clean(_ text: String) -> String {
        String(text.map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || "_.-".contains($0) ? $0 : "-" })
    }
}
