/// Caps on what is stored per node run, so one chatty node cannot fill the disk.
public struct StoreLimits: Sendable {
    /// Bytes of a node's evaluated input or output kept; longer values are cut and the cut recorded.
    public var maxValueBytes: Int
    /// Bytes of a node's log tail kept.
    public var maxLogTailBytes: Int
    /// Log lines kept per execution.
    public var maxLogLines: Int

    public init(maxValueBytes: Int = 256 * 1024, maxLogTailBytes: Int = 16 * 1024, maxLogLines: Int = 10_000) {
        self.maxValueBytes = maxValueBytes
        self.maxLogTailBytes = maxLogTailBytes
        self.maxLogLines = maxLogLines
    }
}
