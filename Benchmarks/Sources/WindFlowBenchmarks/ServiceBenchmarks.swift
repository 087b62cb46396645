import CurlHTTP
import Foundation
import WindFlowCore
import WindFlowEngine
import WindFlowServer
import WindFlowStore

/// Webhook → small workflow through the real service on loopback: throughput, latency, and a count proving every
/// accepted request became exactly one execution that finished.
enum ServiceBenchmarks {
    /// The service on a scratch store with the benchmark's workflow (webhook → condition → stop) active.
    static func startService(_ name: String, workers: Int) async throws -> (SQLiteStore, URL, Task<Void, any Error>, Int) {
        let (store, directory) = try EngineBenchmarks.scratchStore(name)
        let workflow = try WorkflowCodec.load("""
            name: load
            nodes:
              - {id: hook, type: trigger.webhook, configuration: {webhook_path: /load, authentication: none}}
              - {id: check, type: logic.condition, configuration: {condition: "trigger.n >= 0"}}
              - {id: done, type: logic.stop, configuration: {message: "{{ trigger.n }}"}}
            """).workflow
        _ = try store.setActive(try store.saveWorkflow(workflow, now: 0).id, true, now: 0)
        let engine = WorkflowEngine(runner: ExecutionRunner(store: store, configuration: EngineConfiguration(parkAfter: 1, cancelPollInterval: 5)))
        let service = try WindFlowService(engine: engine, store: store, configuration: ServerConfiguration(port: 0, workers: workers, maxQueueDepth: 1_000_000))
        let port = PortHolder()
        let server = Task { try await service.run { port.set($0) } }
        while port.value == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        return (store, directory, server, port.value)
    }
    static func webhookLoad(requests: Int, concurrency: Int, workers: Int) async throws -> String {
        let (store, directory, server, port) = try await startService("service", workers: workers)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "http://127.0.0.1:\(port)/webhooks/load"
        let started = Date()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var times: [Double] = []
                    var index = worker
                    while index < requests {
                        let begin = Date()
                        let response = try await CurlClient.shared.perform(CurlRequest(method: "POST", url: url,
                                                                                       headers: [("Content-Type", "application/json")],
                                                                                       body: Data("{\"n\": \(index)}".utf8)))
                        precondition(response.status == 202, "status \(response.status)")
                        times.append(Date().timeIntervalSince(begin) * 1000)
                        index += concurrency
                    }
                    return times
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }.sorted()
        }
        let accepted = Date().timeIntervalSince(started)
        // Wait (bounded) for the workers to finish every execution.
        let deadline = Date().addingTimeInterval(120)
        var finished = 0
        while Date() < deadline {
            finished = try store.metrics().byStatus["succeeded"] ?? 0
            if finished >= requests { break }
            try await Task.sleep(nanoseconds: 50_000_000)  // the count scans the executions: not too often
        }
        let total = Date().timeIntervalSince(started)
        let executions = try store.metrics().byStatus.values.reduce(0, +)
        server.cancel()
        _ = await server.result
        return String(format: """
            webhook → 3-node workflow, %d requests at concurrency %d, %d workers: accepted %.0f requests/s (p50 %.2f ms, p99 %.2f ms); \
            %d executions stored for %d accepted requests, %d succeeded; all done after %.1f s = %.0f executions/s end to end
            """, requests, concurrency, workers, Double(requests) / accepted, latencies[latencies.count / 2],
                      latencies[min(latencies.count - 1, latencies.count * 99 / 100)], executions, requests, finished, total,
                      Double(finished) / total)
    }
}

extension ServiceBenchmarks {
    /// The same load from wrk (Debian's), outside this process, for `seconds` at `concurrency`, each request numbered;
    /// then the stored executions are checked against the 202s wrk saw, and their numbers for duplicates.
    static func webhookLoadWithWrk(seconds: Int, concurrency: Int, workers: Int) async throws -> String {
        let (store, directory, server, port) = try await startService("service-wrk", workers: workers)
        defer { try? FileManager.default.removeItem(at: directory) }
        let threads = 2
        let script = directory.appendingPathComponent("post.lua")
        // Each request carries a unique number; done() prints how many 202s came back.
        try """
            counter, accepted, others = 0, 0, 0
            local threads = {}
            setup = function(thread) table.insert(threads, thread); thread:set("id", #threads) end
            request = function()
              counter = counter + 1
              return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, '{"n": ' .. (id * 10000000 + counter) .. '}')
            end
            response = function(status, headers, body)
              if status == 202 then accepted = accepted + 1 else others = others + 1 end
            end
            done = function(summary, latency, requests)
              local total, bad = 0, 0
              for _, thread in ipairs(threads) do total = total + thread:get("accepted"); bad = bad + thread:get("others") end
              io.write(string.format("ACCEPTED %d OTHER %d\\n", total, bad))
            end
            """.write(to: script, atomically: true, encoding: .utf8)
        let wrk = Process()
        wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        wrk.arguments = ["-t\(threads)", "-c\(concurrency)", "-d\(seconds)s", "--latency", "-s", script.path, "http://127.0.0.1:\(port)/webhooks/load"]
        let output = Pipe()
        wrk.standardOutput = output
        let started = Date()
        try wrk.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let accepted = Date().timeIntervalSince(started)
        let deadline = Date().addingTimeInterval(120)
        var finished = 0, stored = 0
        while Date() < deadline {
            let metrics = try store.metrics()
            (finished, stored) = (metrics.byStatus["succeeded"] ?? 0, metrics.byStatus.values.reduce(0, +))
            if finished == stored, stored > 0, try store.queueDepth() == 0 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let total = Date().timeIntervalSince(started)
        let numbers = try store.executions(workflow: "load", status: nil, limit: 1_000_000).compactMap { $0.input["n"]?.intValue }
        server.cancel()
        _ = await server.result
        let completed = text.split(separator: "\n").first { $0.contains("requests in") }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
        let counted = text.split(separator: "\n").first { $0.hasPrefix("ACCEPTED") }.map(String.init) ?? "ACCEPTED ?"
        let latency = text.split(separator: "\n").filter { $0.contains("50%") || $0.contains("99%") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return String(format: """
            wrk → webhook → 3-node workflow, concurrency %d, %d workers: %@ (%@), %@ = %.0f accepted/s; \
            %d executions stored, %d distinct request numbers, %d succeeded; all done after %.1f s = %.0f executions/s end to end
            """, concurrency, workers, completed, latency.joined(separator: ", "), counted, Double(stored) / accepted, stored,
                      Set(numbers).count, finished, total, Double(finished) / total)
    }
}

final class PortHolder: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var port = 0
    func set(_ value: Int) { lock.withLock { port = value } }
    var value: Int { lock.withLock { port } }
}
