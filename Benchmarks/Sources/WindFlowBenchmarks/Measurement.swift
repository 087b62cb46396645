/// Runs a piece of work repeatedly and reports the distribution of its durations.
struct Measurement {
    var name: String
    var samples: [Duration]

    /// Times `body` `iterations` times after `warmup` untimed runs.
    static func run(_ name: String, warmup: Int = 20, iterations: Int, _ body: () -> Void) -> Measurement {
        for _ in 0..<warmup { body() }
        let clock = ContinuousClock()
        var samples: [Duration] = []
        samples.reserveCapacity(iterations)
        for _ in 0..<iterations {
            samples.append(clock.measure(body))
        }
        return Measurement(name: name, samples: samples.sorted())
    }

    /// Times the asynchronous `body` the same way.
    static func run(_ name: String, warmup: Int = 20, iterations: Int, _ body: () async -> Void) async -> Measurement {
        for _ in 0..<warmup { await body() }
        let clock = ContinuousClock()
        var samples: [Duration] = []
        samples.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let started = clock.now
            await body()
            samples.append(clock.now - started)
        }
        return Measurement(name: name, samples: samples.sorted())
    }

    func percentile(_ p: Double) -> Duration {
        samples[min(samples.count - 1, Int((Double(samples.count - 1) * p).rounded()))]
    }

    /// One line: name, median, p95, min, iterations.
    var summary: String {
        func ms(_ duration: Duration) -> String {
            let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            return String(format: "%.3f ms", value)
        }
        return "\(name): median \(ms(percentile(0.5))), p95 \(ms(percentile(0.95))), min \(ms(samples[0])) (\(samples.count) runs)"
    }
}
