import Foundation

/// The Docker daemon the deployment tests use: the one `scripts/test.sh` started (WINDFLOW_TEST_DOCKER_HOST), or
/// one started here with scripts/test-peers/dockerd.sh and stopped when the test process exits.
public enum DockerDaemon {
    /// `unix:///…/docker.sock`, with the image `windflow/busybox:test` present.
    public static let host: Result<String, any Error> = {
        if let host = ProcessInfo.processInfo.environment["WINDFLOW_TEST_DOCKER_HOST"], !host.isEmpty { return .success(host) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/test-peers/dockerd.sh").path
        let directory = "/tmp/windflow-dockerd-\(getpid())"
        do {
            let output = try PostgresServer.run(script, ["start", directory], timeout: 120).trimmingCharacters(in: .whitespacesAndNewlines)
            guard output.hasSuffix("docker.sock") else {
                return .failure(CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "dockerd did not start: \(output)"]))
            }
            startedDirectory = directory
            stopScript = script
            atexit {
                if let directory = DockerDaemon.startedDirectory, let script = DockerDaemon.stopScript {
                    _ = try? PostgresServer.run(script, ["stop", directory], timeout: 60)
                }
            }
            return .success("unix://" + output)
        } catch {
            return .failure(error)
        }
    }()

    nonisolated(unsafe) static var startedDirectory: String?
    nonisolated(unsafe) static var stopScript: String?
}
