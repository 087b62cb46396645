import Crypto
import Foundation
import WindFlowCore
import WindFlowEngine
import WindFlowStore

/// `integration.cloud` moving a large file: up as a multipart upload and back down to a file, through the engine,
/// against the S3-compatible server of `WINDFLOW_BENCH_S3_ENDPOINT` (moto: scripts/test-peers/moto.sh start DIR prints
/// endpoint, access key and secret key). Measures the peak resident memory the transfer adds.
enum CloudBenchmarks {
    struct Result: CustomStringConvertible {
        var megabytes: Int
        var upload: Double
        var download: Double
        var peakGrowthMiB: Double
        var sameDigest: Bool
        var parts: Int

        var description: String {
            String(format: "%d MiB file up (%d parts) in %.1f s, down in %.1f s; peak resident memory +%.1f MiB over the transfer; sha256 %@",
                   megabytes, parts, upload, download, peakGrowthMiB, sameDigest ? "matches" : "DIFFERS")
        }
    }

    /// VmRSS or VmHWM of this process, in KiB.
    static func memory(_ field: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    static func transfer(megabytes: Int, endpoint: String, accessKey: String, secretKey: String) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-bench-cloud-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("big.bin").path, back = folder.appendingPathComponent("back.bin").path
        // Written and hashed a MiB at a time, so making the file does not count against the transfer.
        FileManager.default.createFile(atPath: source, contents: nil)
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: source))
        var hasher = SHA256()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<megabytes {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            for index in stride(from: 0, to: chunk.count, by: 64) { chunk[index] = UInt8.random(in: 0...255, using: &generator) }
            hasher.update(data: chunk)
            try writer.write(contentsOf: chunk)
        }
        try writer.close()
        let digest = Data(hasher.finalize())
        let store = try SQLiteStore(path: folder.appendingPathComponent("db.sqlite").path)
        let engine = WorkflowEngine(runner: ExecutionRunner(store: store, configuration: EngineConfiguration(secrets: ["KEY": accessKey, "SECRET": secretKey])))
        func node(_ id: String, _ extra: String) -> String {
            "  - {id: \(id), type: integration.cloud, timeout: 3600, configuration: {endpoint: \"\(endpoint)\", path_style: true, bucket: windflow-test, "
                + "access_key: \"{{ secrets.KEY }}\", secret_key: \"{{ secrets.SECRET }}\", key: bench/big.bin, timeout: 3600, \(extra)}}\n"
        }
        let up = try WorkflowCodec.load("name: up\nnodes:\n  - {id: start, type: trigger.manual}\n" + node("upload", "operation: put, source_file: \"\(source)\"")
                                        + "edges: [{source: start, target: upload}]\n").workflow
        let down = try WorkflowCodec.load("name: down\nnodes:\n  - {id: start, type: trigger.manual}\n" + node("download", "operation: get, destination_file: \"\(back)\"")
                                          + "edges: [{source: start, target: download}]\n").workflow
        let baseline = memory("VmRSS")
        // Resets the peak (VmHWM) to the present size, so the peak read after is the transfer's.
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let clock = ContinuousClock()
        var parts = 0
        let upload = try await clock.measure {
            let record = try await engine.enqueue(up)
            _ = try await engine.runToEnd(record.id)
            let run = try await store.nodeRuns(of: record.id).last { $0.nodeID == "upload" }
            guard run?.status == .succeeded else { throw EngineError("upload failed: \(run?.errorMessage ?? "?")") }
            parts = run?.output?["parts"]?.intValue ?? 0
        }
        let download = try await clock.measure {
            let record = try await engine.enqueue(down)
            _ = try await engine.runToEnd(record.id)
            let run = try await store.nodeRuns(of: record.id).last { $0.nodeID == "download" }
            guard run?.status == .succeeded else { throw EngineError("download failed: \(run?.errorMessage ?? "?")") }
        }
        let peak = memory("VmHWM")
        var check = SHA256()
        let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: back))
        while let chunk = try reader.read(upToCount: 1 << 20), !chunk.isEmpty { check.update(data: chunk) }
        try reader.close()
        func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
        return Result(megabytes: megabytes, upload: seconds(upload), download: seconds(download), peakGrowthMiB: (peak - baseline) / 1024,
                      sameDigest: Data(check.finalize()) == digest, parts: parts)
    }
}
