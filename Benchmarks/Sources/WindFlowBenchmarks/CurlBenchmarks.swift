import CurlHTTP
import Foundation

/// The libcurl client against nginx on loopback: requests per second at concurrency 1 and 64, and the memory each
/// request in flight costs (against the repository's Python test server, which can hold requests open).
enum CurlBenchmarks {
    /// Starts nginx with a throwaway configuration serving a small body; returns its port and a stop function.
    static func startNginx() throws -> (port: Int, stop: () -> Void) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-nginx-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(socket)
        let config = """
            worker_processes 1; daemon off; pid \(directory.path)/nginx.pid; error_log \(directory.path)/error.log;
            events { worker_connections 4096; }
            http { access_log off; keepalive_requests 1000000;
              client_body_temp_path \(directory.path); proxy_temp_path \(directory.path); fastcgi_temp_path \(directory.path);
              uwsgi_temp_path \(directory.path); scgi_temp_path \(directory.path);
              server { listen 127.0.0.1:\(port); location / { default_type application/json; return 200 '{"ok":true}'; } } }
            """
        let file = directory.appendingPathComponent("nginx.conf")
        try Data(config.utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-c", file.path, "-p", directory.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(300_000)
        return (port, {
            kill(process.processIdentifier, SIGKILL)
            try? FileManager.default.removeItem(at: directory)
        })
    }

    /// Requests per second for `total` GETs with `concurrency` in flight.
    static func throughput(url: String, total: Int, concurrency: Int) async throws -> Double {
        let client = CurlClient.shared
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                let count = total / concurrency + (worker < total % concurrency ? 1 : 0)
                group.addTask {
                    for _ in 0..<count {
                        let response = try await client.perform(CurlRequest(url: url))
                        precondition(response.status == 200)
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(total) / Date().timeIntervalSince(started)
    }

    /// Resident memory per request held open by the server, measured with `count` in flight.
    static func memoryPerRequest(slowURL: String, count: Int) async throws -> Double {
        let before = EngineBenchmarks.residentMB()
        var peak = before
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { _ = try await CurlClient.shared.perform(CurlRequest(url: slowURL, timeout: 60)) }
            }
            for _ in 0..<20 {
                try await Task.sleep(nanoseconds: 100_000_000)
                peak = max(peak, EngineBenchmarks.residentMB())
            }
            try await group.waitForAll()
        }
        return (peak - before) * 1024 / Double(count)
    }
}
