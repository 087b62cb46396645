import WindFlowEngine

/// How `windflow serve` listens and works.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// Executions run at the same time.
    public var workers: Int
    /// Request bodies larger than this get 413.
    public var maxBodyBytes: Int
    /// Past this many queued executions, webhooks answer 429 with Retry-After.
    public var maxQueueDepth: Int
    /// How often due timers (waits, retry delays) are looked for, in seconds.
    public var timerInterval: Double
    /// Seconds running executions get to finish at shutdown before they are stopped (to resume at the next start).
    public var shutdownGrace: Double
    /// Seconds a worker's claim on an execution lasts unless its heartbeat renews it (``RuntimeConfiguration/claimLease``).
    public var claimLease: Double = 30
    /// Whether idle workers are woken by the store's notifications (``RuntimeConfiguration/listens``).
    public var listens = true
    /// Serve the editor from this folder instead of the copy bundled in the binary (for working on Editor/).
    public var editorDirectory: String?
    /// What one connection may hold the server to.
    public var limits: ConnectionLimits

    /// The part the engine's runtime (queue workers, trigger timers) reads.
    public var runtime: RuntimeConfiguration {
        RuntimeConfiguration(workers: workers, timerInterval: timerInterval, shutdownGrace: shutdownGrace, claimLease: claimLease, listens: listens)
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, workers: Int = 4, maxBodyBytes: Int = 1_048_576,
        maxQueueDepth: Int = 10_000, timerInterval: Double = 0.2, shutdownGrace: Double = 30,
        editorDirectory: String? = nil, limits: ConnectionLimits = ConnectionLimits()
    ) {
        self.editorDirectory = editorDirectory
        self.shutdownGrace = shutdownGrace
        self.host = host
        self.port = port
        self.workers = workers
        self.maxBodyBytes = maxBodyBytes
        self.maxQueueDepth = maxQueueDepth
        self.timerInterval = timerInterval
        self.limits = limits
    }

    /// Limits that hold against clients that send too much, too slowly or open too many streams.
    public struct ConnectionLimits: Sendable {
        /// The request line and headers together; larger heads get 431.
        public var maxHeaderBytes: Int
        /// Headers in one request; more get 431.
        public var maxHeaderCount: Int
        /// Seconds a connection may take to send a complete request head (and stay idle between requests) before
        /// it is closed: a client sending its headers a byte at a time holds nothing for longer.
        public var idleTimeout: Double
        /// Live event streams (`/events`, `/events/stream`) open at once per API key; past it, 429.
        public var maxStreamsPerKey: Int

        public init(maxHeaderBytes: Int = 32 * 1024, maxHeaderCount: Int = 100, idleTimeout: Double = 10, maxStreamsPerKey: Int = 16) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.idleTimeout = idleTimeout
            self.maxStreamsPerKey = maxStreamsPerKey
        }
    }
}
