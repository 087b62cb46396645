/// What the finished runs of a scheduled workflow say about its schedule: how many there were, how many started while
/// the one before was still running, and the 95th percentile of their durations. One reading for every store.
public enum ScheduleOverlaps {
    public static func summary(_ spans: [(start: Double, end: Double)]) -> (runs: Int, overlapping: Int, p95Seconds: Double?) {
        let ordered = spans.sorted { $0.start < $1.start }
        var overlapping = 0
        var latestEnd = -Double.infinity
        for span in ordered {
            if span.start < latestEnd { overlapping += 1 }
            latestEnd = max(latestEnd, span.end)
        }
        let durations = ordered.map { $0.end - $0.start }.sorted()
        return (ordered.count, overlapping, durations.isEmpty ? nil : durations[Int(Double(durations.count - 1) * 0.95)])
    }
}
