/// How the long-lived parts of the engine work: the queue workers and the trigger timers.
public struct RuntimeConfiguration: Sendable {
    /// Executions run at the same time.
    public var workers: Int
    /// How often schedules, watched files and due timers (waits, retry delays) are looked at, in seconds.
    public var timerInterval: Double
    /// Seconds running executions get to finish at shutdown before they are stopped (to resume at the next start).
    public var shutdownGrace: Double
    /// Seconds a worker's claim on an execution lasts unless renewed; the workers renew theirs every third of it.
    /// A process that dies (kill -9) loses its claims this long after its last renewal, and another worker (of
    /// this or another process sharing the store) resumes its executions.
    public var claimLease: Double
    /// Whether idle workers are woken by the store's notifications (PostgreSQL's LISTEN/NOTIFY) as well as by their
    /// polls. Off behind a connection pooler that cannot carry LISTEN (PgBouncer in transaction mode): each idle
    /// worker then looks every 0.25 s.
    public var listens: Bool

    public init(workers: Int = 4, timerInterval: Double = 0.2, shutdownGrace: Double = 30, claimLease: Double = 30, listens: Bool = true) {
        self.workers = workers
        self.timerInterval = timerInterval
        self.shutdownGrace = shutdownGrace
        self.claimLease = claimLease
        self.listens = listens
    }
}
