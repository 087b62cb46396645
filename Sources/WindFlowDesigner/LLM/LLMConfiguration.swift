import Foundation

/// Which model to ask, where, and how patiently. Read from flags, then the environment, then defaults.
public struct LLMConfiguration: Sendable {
    public enum Provider: String, Sendable, CaseIterable {
        /// Any OpenAI-compatible `/v1/chat/completions` (OpenAI, llama-server, vLLM, LM Studio, Ollama's /v1).
        case openai
        /// Anthropic's Messages API.
        case anthropic
        /// Ollama's own `/api/chat`.
        case ollama
        /// No model: templates filled in from the prose.
        case offline
    }

    public var provider: Provider
    /// The server's root, without `/v1`: `https://api.openai.com`, `http://127.0.0.1:8091`.
    public var baseURL: String
    public var model: String
    /// Sent as a bearer token (OpenAI) or `x-api-key` (Anthropic); never logged, stored or shown.
    public var apiKey: String?
    public var temperature: Double
    public var maxTokens: Int
    /// Seconds one HTTP request may take.
    public var timeout: Double
    /// Further attempts after a 429, a 5xx or a lost connection.
    public var maxRetries: Int
    /// The longest wait between attempts, whatever Retry-After asks.
    public var maxRetryDelay: Double
    /// Stream the answer (progress as it comes); off for servers that cannot.
    public var stream: Bool
    /// Whether the server takes OpenAI's strict structured outputs (`strict: true`, every property required):
    /// OpenAI's own API by default; `WINDFLOW_LLM_STRICT=1|0` says otherwise.
    public var strictSchemas: Bool
    /// Whether the server takes llama.cpp's `grammar` field, so that an answer's shape is sent as a grammar that
    /// leaves no room for whitespace (small models pretty-print otherwise): servers on this machine by default
    /// (`scripts/local-llm.sh` runs llama-server); `WINDFLOW_LLM_GRAMMAR=1|0` says otherwise (0 for a local server
    /// that is not llama.cpp's, such as vLLM or LM Studio, which would ignore it).
    public var compactGrammar: Bool

    /// Whether the server runs on this machine (llama-server, Ollama, LM Studio): its prompt cache is asked for,
    /// and the designer sends it the catalog the request needs rather than the whole registry.
    public var isLocalServer: Bool {
        guard let host = URLComponents(string: baseURL)?.host?.lowercased() else { return false }
        return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    public init(
        provider: Provider, baseURL: String? = nil, model: String? = nil, apiKey: String? = nil, temperature: Double = 0.1,
        maxTokens: Int = 2048, timeout: Double = 300, maxRetries: Int = 3, maxRetryDelay: Double = 30, stream: Bool = true
    ) {
        self.provider = provider
        self.baseURL = Self.trimmed(baseURL ?? Self.defaultBaseURL(provider))
        self.model = model ?? Self.defaultModel(provider)
        self.apiKey = apiKey
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.maxRetryDelay = maxRetryDelay
        self.stream = stream
        self.strictSchemas = self.baseURL.contains("api.openai.com")
        self.compactGrammar = false
        self.compactGrammar = provider == .openai && isLocalServer
    }

    /// The configuration the flags ask for, completed from the environment: `WINDFLOW_LLM_PROVIDER`,
    /// `WINDFLOW_LLM_BASE_URL`, `WINDFLOW_LLM_MODEL`, `WINDFLOW_LLM_API_KEY` (or `OPENAI_API_KEY` /
    /// `ANTHROPIC_API_KEY`), `WINDFLOW_LLM_TIMEOUT`. With nothing set, the offline planner.
    /// - Throws: ``LLMError`` (rejected) for an unknown provider name.
    public static func resolve(
        provider: String? = nil, baseURL: String? = nil, model: String? = nil, apiKey: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> LLMConfiguration {
        let name = provider ?? environment["WINDFLOW_LLM_PROVIDER"] ?? "offline"
        guard let kind = Provider(rawValue: name.lowercased()) else {
            throw LLMError(.rejected, "unknown LLM provider '\(name)'; use one of: \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let key = apiKey ?? environment["WINDFLOW_LLM_API_KEY"]
            ?? (kind == .openai ? environment["OPENAI_API_KEY"] : kind == .anthropic ? environment["ANTHROPIC_API_KEY"] : nil)
        var configuration = LLMConfiguration(
            provider: kind, baseURL: baseURL ?? environment["WINDFLOW_LLM_BASE_URL"], model: model ?? environment["WINDFLOW_LLM_MODEL"],
            apiKey: key?.isEmpty == true ? nil : key)
        if let timeout = environment["WINDFLOW_LLM_TIMEOUT"].flatMap(Double.init) { configuration.timeout = timeout }
        if let strict = environment["WINDFLOW_LLM_STRICT"], !strict.isEmpty { configuration.strictSchemas = ["1", "true", "yes"].contains(strict.lowercased()) }
        if let grammar = environment["WINDFLOW_LLM_GRAMMAR"], !grammar.isEmpty { configuration.compactGrammar = ["1", "true", "yes"].contains(grammar.lowercased()) }
        return configuration
    }

    static func defaultBaseURL(_ provider: Provider) -> String {
        switch provider {
        case .openai: return "https://api.openai.com"
        case .anthropic: return "https://api.anthropic.com"
        case .ollama: return "http://127.0.0.1:11434"
        case .offline: return ""
        }
    }

    static func defaultModel(_ provider: Provider) -> String {
        switch provider {
        case .openai: return "gpt-4o-mini"
        case .anthropic: return "claude-3-5-haiku-latest"
        case .ollama: return "qwen2.5-coder:1.5b"
        case .offline: return "templates"
        }
    }

    /// `http://host/v1/` → `http://host`: the providers add their own paths.
    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/v1") { url.removeLast(3) }
        return url
    }

    /// The provider this configuration names, or nil for the offline planner.
    public func makeProvider(client: CurlClientRef = .shared) -> (any LLMProvider)? {
        switch provider {
        case .openai: return OpenAIProvider(configuration: self, client: client)
        case .anthropic: return AnthropicProvider(configuration: self, client: client)
        case .ollama: return OllamaProvider(configuration: self, client: client)
        case .offline: return nil
        }
    }
}
