import Foundation
import WindFlowCore

/// The real peers the failure corpus runs against, on loopback: the test HTTP server (plain and TLS), the SMTP sink
/// and a git repository are started here for the run; the S3-compatible server, dockerd and PostgreSQL are taken from
/// the environment scripts/test.sh exports (WINDFLOW_TEST_S3_*, WINDFLOW_TEST_DOCKER_HOST, WINDFLOW_TEST_POSTGRES_URL).
/// A scenario needing a peer that is not here is reported as skipped, not as failed.
final class ScenarioPeers {
    /// `%{name}` values for the scenarios: http, http_port, https, smtp_port, smtp_auth_port (a relay that wants the
    /// login ops / relay-password), git, s3, s3_access_key, s3_secret_key,
    /// docker, postgres.
    private(set) var values: [String: String] = [:]
    private(set) var available: Set<String> = []
    /// Why a peer could not be started, by name.
    private(set) var problems: [String: String] = [:]
    private var processes: [Process] = []
    let folder: URL

    /// Starts what can be started, from the peer scripts in `scripts` (scripts/test-peers).
    init(scripts: URL, folder: URL) {
        self.folder = folder
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let port = start(scripts.appendingPathComponent("http_server.py"), [], as: "http") {
            values["http"] = "http://127.0.0.1:\(port)"
            values["http_port"] = port
        }
        let certificate = folder.appendingPathComponent("peer.pem").path, key = folder.appendingPathComponent("peer.key").path
        if command("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                               "-keyout", key, "-out", certificate]) == nil,
           let port = start(scripts.appendingPathComponent("http_server.py"), [certificate, key], as: "https") {
            values["https"] = "https://127.0.0.1:\(port)"
        }
        let mail = folder.appendingPathComponent("mail").path
        try? FileManager.default.createDirectory(atPath: mail, withIntermediateDirectories: true)
        if let port = start(scripts.appendingPathComponent("smtp_sink.py"), [mail], as: "smtp") { values["smtp_port"] = port }
        // A relay that wants a login: ops / relay-password.
        if let port = start(scripts.appendingPathComponent("smtp_sink.py"), [mail], as: "smtp_auth", environment: ["SMTP_SINK_AUTH": "ops:relay-password"]) {
            values["smtp_auth_port"] = port
        }
        makeGitRepository()
        let environment = ProcessInfo.processInfo.environment
        if let endpoint = environment["WINDFLOW_TEST_S3_ENDPOINT"], let access = environment["WINDFLOW_TEST_S3_ACCESS_KEY"],
           let secret = environment["WINDFLOW_TEST_S3_SECRET_KEY"] {
            values["s3"] = endpoint
            values["s3_access_key"] = access
            values["s3_secret_key"] = secret
            available.insert("s3")
        }
        if let docker = environment["WINDFLOW_TEST_DOCKER_HOST"] {
            values["docker"] = docker
            available.insert("docker")
        }
        if let postgres = environment["WINDFLOW_TEST_POSTGRES_URL"] {
            values["postgres"] = postgres
            available.insert("postgres")
        }
    }

    func stop() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        processes.removeAll()
    }

    deinit { stop() }

    /// Starts a peer script that prints its port on its first line (bounded to 10 s); nil when it did not.
    private func start(_ script: URL, _ arguments: [String], as name: String, environment: [String: String] = [:]) -> String? {
        let process = Process()
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            problems[name] = "\(script.lastPathComponent) did not start: \(error)"
            return nil
        }
        processes.append(process)
        var line = Data()
        let started = Stopwatch()
        while !line.contains(0x0A), started.seconds < 10, process.isRunning {
            line.append(output.fileHandleForReading.availableData)
        }
        let port = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let port, Int(port) != nil else {
            problems[name] = "\(script.lastPathComponent) printed no port"
            return nil
        }
        available.insert(name)
        return port
    }

    /// A bare repository with one commit on `main`, as `%{git}`.
    private func makeGitRepository() {
        let origin = folder.appendingPathComponent("origin.git").path, work = folder.appendingPathComponent("seed").path
        let steps: [[String]] = [
            ["init", "--quiet", "--bare", "--initial-branch=main", origin],
            ["init", "--quiet", "--initial-branch=main", work],
            ["-C", work, "-c", "user.name=WindFlow", "-c", "user.email=windflow@localhost", "commit", "--quiet", "--allow-empty", "-m", "first"],
            ["-C", work, "push", "--quiet", origin, "main"],
        ]
        for step in steps {
            if let problem = command("git", step) {
                problems["git"] = problem
                return
            }
        }
        values["git"] = origin
        available.insert("git")
    }

    /// Runs a short command; nil when it succeeded, else what it printed.
    private func command(_ program: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch { return "\(program): \(error)" }
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : "\(program) \(arguments.first ?? ""): \(String(decoding: text, as: UTF8.self).suffix(300))"
    }
}
