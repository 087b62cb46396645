import Foundation
import WindFlowServer
import Yams

/// `windflow serve`'s settings from, in order of precedence: flags, environment variables, the `--config` file
/// (YAML or JSON), defaults. Every setting is listed in docs/CONFIGURATION.md.
struct ServiceSettings {
    /// The config file's keys, by the environment variable that overrides each.
    static let keys: [(key: String, environment: String)] = [
        ("host", "WINDFLOW_HOST"), ("port", "WINDFLOW_PORT"), ("workers", "WINDFLOW_WORKERS"), ("db", "WINDFLOW_DB"),
        ("max_body_bytes", "WINDFLOW_MAX_BODY_BYTES"), ("max_queue_depth", "WINDFLOW_MAX_QUEUE_DEPTH"),
        ("shutdown_grace", "WINDFLOW_SHUTDOWN_GRACE"), ("claim_lease", "WINDFLOW_CLAIM_LEASE"), ("llm.provider", "WINDFLOW_LLM_PROVIDER"), ("llm.base_url", "WINDFLOW_LLM_BASE_URL"),
        ("llm.model", "WINDFLOW_LLM_MODEL"), ("llm.timeout", "WINDFLOW_LLM_TIMEOUT"), ("prompts_dir", "WINDFLOW_PROMPTS_DIR"),
        ("templates_dir", "WINDFLOW_TEMPLATES_DIR"), ("stacks_dir", "WINDFLOW_STACKS_DIR"), ("data_dir", "WINDFLOW_DATA_DIR"),
        ("docker_host", "DOCKER_HOST"), ("editor_dir", "WINDFLOW_EDITOR_DIR"),
        ("max_header_bytes", "WINDFLOW_MAX_HEADER_BYTES"), ("idle_timeout", "WINDFLOW_IDLE_TIMEOUT"),
        ("max_streams_per_key", "WINDFLOW_MAX_STREAMS_PER_KEY"), ("log_level", "WINDFLOW_LOG_LEVEL"),
    ]

    private var values: [String: String] = [:]

    /// Reads the file (when given) and the environment.
    /// - Throws: ``CLIError`` naming the file, the key and what is wrong.
    init(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let file {
            let text = try WorkflowFile.read(file).text
            let root: Any?
            do { root = try Yams.load(yaml: text) } catch { throw CLIError("\(file): not YAML or JSON: \(error)") }
            guard let map = root as? [String: Any] else { throw CLIError("\(file): must be a mapping of settings (see docs/CONFIGURATION.md)") }
            let flat = Self.flatten(map)
            let known = Set(Self.keys.map(\.key))
            for key in flat.keys.sorted() where !known.contains(key) {
                throw CLIError("\(file): unknown setting '\(key)'; known: \(Self.keys.map(\.key).joined(separator: ", "))")
            }
            values = flat
        }
        for (key, variable) in Self.keys {
            if let value = environment[variable], !value.isEmpty { values[key] = value }
        }
    }

    private static func flatten(_ map: [String: Any], prefix: String = "") -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in map {
            if let nested = value as? [String: Any] { result.merge(flatten(nested, prefix: prefix + key + ".")) { $1 } } else { result[prefix + key] = "\(value)" }
        }
        return result
    }

    func string(_ key: String) -> String? { values[key] }

    /// The setting as a number, or a ``CLIError`` naming it.
    func number(_ key: String) throws -> Double? {
        guard let text = values[key] else { return nil }
        guard let number = Double(text) else { throw CLIError("setting '\(key)' must be a number, not '\(text)'") }
        return number
    }
}
