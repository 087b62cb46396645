import Foundation
import WindFlowCore
import WindFlowEngine

/// Prints a run's progress node by node: symbols and colours on a terminal, plain lines otherwise.
struct ProgressPrinter: Sendable {
    let color: Bool

    init() {
        color = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    func handle(_ event: ProgressEvent) {
        switch event {
        case .nodeStarted(let key, let attempt):
            line(color ? "\(paint("▶", 36)) \(key)\(attempt > 1 ? " (attempt \(attempt))" : "")"
                 : "\(key): started\(attempt > 1 ? " (attempt \(attempt))" : "")")
        case .nodeFinished(_, _, let status, _, _) where status == .waiting || status == .iterating:
            break  // said by the waiting line, or by the loop's own end
        case .nodeFinished(let key, let attempt, let status, let seconds, let error):
            let time = String(format: "%.2f s", seconds)
            let retry = attempt > 1 ? ", attempt \(attempt)" : ""
            let detail = error.map { ": \($0)" } ?? ""
            if color {
                let symbol = status == .succeeded ? paint("✔", 32) : status == .waiting ? paint("⏸", 33) : paint("✘", 31)
                line("\(symbol) \(key) \(paint("\(status.rawValue) in \(time)\(retry)", 2))\(detail)")
            } else {
                line("\(key): \(status.rawValue) in \(time)\(retry)\(detail)")
            }
        case .nodeSkipped(let key):
            line(color ? "\(paint("○", 2)) \(paint("\(key) skipped", 2))" : "\(key): skipped")
        case .retryScheduled(let key, let attempt, let at):
            line("\(key): retry \(attempt) in \(String(format: "%.1f", max(0, at - SystemClock().now()))) s")
        case .waiting(let key, let until):
            line("\(key): waiting until \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: until)))")
        case .log(let key, let text):
            line(color ? paint("  │ \(key): \(text)", 2) : "  \(key) | \(text)")
        case .finished(let status, let error):
            let text = "execution \(status.rawValue)\(error.map { ": \($0)" } ?? "")"
            line(color ? paint(text, status == .succeeded ? 32 : 31) : text)
        }
    }

    private func paint(_ text: String, _ code: Int) -> String { "\u{1B}[\(code)m\(text)\u{1B}[0m" }

    private func line(_ text: String) {
        writeLine(text)
    }
}
