import CurlHTTP
import Foundation
import WindFlowCore

/// The Docker Engine API v1.41 over its unix socket (Docker, or Podman's compatible service), through libcurl.
public struct DockerEngineDriver: DeploymentDriver {
    public let socketPath: String
    let client: CurlClient
    static let version = "v1.41"

    /// - Parameter host: a `DOCKER_HOST` value (`unix:///var/run/docker.sock`) or a socket path.
    public init(host: String = "unix:///var/run/docker.sock", client: CurlClient = .shared) {
        socketPath = host.hasPrefix("unix://") ? String(host.dropFirst("unix://".count)) : host
        self.client = client
    }

    public var address: String { "unix://\(socketPath)" }

    // MARK: Calls

    /// One API call; non-2xx answers become ``DeploymentError``s carrying the daemon's message.
    @discardableResult
    func call(_ method: String, _ path: String, query: [String: String] = [:], json: JSONValue? = nil, body: Data? = nil,
              contentType: String? = nil, timeout: Double = 60, accept: Set<Int> = []) async throws(DeploymentError) -> CurlResponse {
        var url = "http://docker/\(Self.version)\(path)"
        if !query.isEmpty {
            url += "?" + query.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.escape($0.value))" }.joined(separator: "&")
        }
        var headers: [(name: String, value: String)] = []
        var data = body
        if let json {
            data = Data(json.jsonText.utf8)
            headers.append(("Content-Type", "application/json"))
        } else if let contentType {
            headers.append(("Content-Type", contentType))
        }
        let response: CurlResponse
        do {
            response = try await client.perform(CurlRequest(
                method: method, url: url, headers: headers, body: data, timeout: timeout, maxResponseBytes: 2 * 1024 * 1024 * 1024,
                unixSocketPath: socketPath))
        } catch let error as CurlError {
            if !FileManager.default.fileExists(atPath: socketPath) {
                throw DeploymentError(.unreachable, "the Docker daemon is not running: there is no socket at \(socketPath) (start dockerd, or set DOCKER_HOST / --docker-host to where it listens)")
            }
            throw DeploymentError(.unreachable, "the Docker daemon at \(address) did not answer (\(error.message)); is dockerd running, and may this user open its socket?")
        } catch {
            throw DeploymentError(.unreachable, "the Docker daemon at \(address) could not be reached: \(error)")
        }
        guard (200..<300).contains(response.status) || accept.contains(response.status) else {
            throw Self.error(response, method: method, path: path)
        }
        return response
    }

    func json(_ method: String, _ path: String, query: [String: String] = [:], body: JSONValue? = nil, timeout: Double = 60) async throws(DeploymentError) -> JSONValue {
        let response = try await call(method, path, query: query, json: body, timeout: timeout)
        return (try? JSONDecoder().decode(JSONValue.self, from: response.body)) ?? .null
    }

    static func error(_ response: CurlResponse, method: String, path: String) -> DeploymentError {
        let body = (try? JSONDecoder().decode(JSONValue.self, from: response.body))?["message"]?.stringValue
            ?? String(decoding: response.body.prefix(500), as: UTF8.self)
        let lowered = body.lowercased()
        if lowered.contains("port is already allocated") || lowered.contains("address already in use") {
            return DeploymentError(.portInUse, "a host port is already in use: \(body) — free it, or publish another port in the stack file")
        }
        if response.status == 404, lowered.contains("no such image") || path.hasPrefix("/images/") {
            return DeploymentError(.imageMissing, "the image is not on the Docker host: \(body) — pull or build it there first")
        }
        if response.status == 404 { return DeploymentError(.notFound, body) }
        if response.status == 409 { return DeploymentError(.conflict, body) }
        return DeploymentError(.daemon, "the Docker daemon refused \(method) \(path) (\(response.status)): \(body)")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    // MARK: DeploymentDriver

    public func ping() async throws(DeploymentError) {
        try await call("GET", "/_ping", timeout: 10)
    }

    public func containers(labelled labels: [String: String]) async throws(DeploymentError) -> [ContainerInfo] {
        let filters: JSONValue = ["label": .array(labels.sorted { $0.key < $1.key }.map { .string("\($0.key)=\($0.value)") })]
        let list = try await json("GET", "/containers/json", query: ["all": "1", "filters": filters.jsonText])
        return (list.arrayValue ?? []).map { entry in
            var ports: [String: Int] = [:]
            for port in entry["Ports"]?.arrayValue ?? [] {
                if let host = port["PublicPort"]?.intValue, let inner = port["PrivatePort"]?.intValue {
                    ports["\(inner)/\(port["Type"]?.stringValue ?? "tcp")"] = host
                }
            }
            let name = entry["Names"]?.arrayValue?.first?.stringValue ?? ""
            return ContainerInfo(
                id: entry["Id"]?.stringValue ?? "", name: name.hasPrefix("/") ? String(name.dropFirst()) : name,
                image: entry["Image"]?.stringValue ?? "", labels: (entry["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                state: entry["State"]?.stringValue ?? "", health: nil, healthOutput: nil, exitCode: nil, publishedPorts: ports)
        }.sorted { ($0.service ?? "", $0.replica, $0.name) < ($1.service ?? "", $1.replica, $1.name) }
    }

    public func inspect(_ container: String) async throws(DeploymentError) -> ContainerInfo {
        let entry = try await json("GET", "/containers/\(Self.escape(container))/json")
        var ports: [String: Int] = [:]
        for (inner, bindings) in entry["NetworkSettings"]?["Ports"]?.objectValue ?? [:] {
            if let host = bindings.arrayValue?.first?["HostPort"]?.stringValue.flatMap(Int.init) { ports[inner] = host }
        }
        let state = entry["State"]
        let name = entry["Name"]?.stringValue ?? ""
        return ContainerInfo(
            id: entry["Id"]?.stringValue ?? container, name: name.hasPrefix("/") ? String(name.dropFirst()) : name,
            image: entry["Config"]?["Image"]?.stringValue ?? "", labels: (entry["Config"]?["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
            state: state?["Status"]?.stringValue ?? "", health: state?["Health"]?["Status"]?.stringValue,
            healthOutput: state?["Health"]?["Log"]?.arrayValue?.last?["Output"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines),
            exitCode: state?["ExitCode"]?.intValue, publishedPorts: ports)
    }

    public func imageExists(_ image: String) async throws(DeploymentError) -> Bool {
        let response = try await call("GET", "/images/\(Self.escape(image))/json", accept: [404])
        return response.status == 200
    }

    public func ensureNetwork(_ name: String, labels: [String: String]) async throws(DeploymentError) {
        let found = try await call("GET", "/networks/\(Self.escape(name))", accept: [404])
        guard found.status == 404 else { return }
        try await call("POST", "/networks/create", json: ["Name": .string(name), "CheckDuplicate": true, "Labels": .object(labels.mapValues(JSONValue.string))])
    }

    public func removeNetwork(_ name: String) async throws(DeploymentError) {
        try await call("DELETE", "/networks/\(Self.escape(name))", accept: [404])
    }

    public func ensureVolume(_ name: String, labels: [String: String]) async throws(DeploymentError) {
        guard try await !volumeExists(name) else { return }
        try await call("POST", "/volumes/create", json: ["Name": .string(name), "Labels": .object(labels.mapValues(JSONValue.string))])
    }

    public func volumeExists(_ name: String) async throws(DeploymentError) -> Bool {
        try await call("GET", "/volumes/\(Self.escape(name))", accept: [404]).status == 200
    }

    public func removeVolume(_ name: String) async throws(DeploymentError) {
        try await call("DELETE", "/volumes/\(Self.escape(name))", accept: [404])
    }

    public func create(_ spec: ContainerSpec) async throws(DeploymentError) -> String {
        let created = try await json("POST", "/containers/create", query: ["name": spec.name], body: Self.createBody(spec))
        guard let id = created["Id"]?.stringValue else { throw DeploymentError(.daemon, "the daemon created \(spec.name) but returned no id") }
        return id
    }

    static func createBody(_ spec: ContainerSpec) -> JSONValue {
        var exposed: [String: JSONValue] = [:]
        var bindings: [String: JSONValue] = [:]
        for port in spec.ports {
            let key = "\(port.containerPort)/\(port.proto)"
            exposed[key] = [:]
            bindings[key] = [["HostIp": .string(port.hostIP ?? ""), "HostPort": .string(port.hostPort.map(String.init) ?? "")]]
        }
        let mounts: [JSONValue] = spec.mounts.map {
            ["Type": .string($0.isNamed ? "volume" : "bind"), "Source": .string($0.source), "Target": .string($0.target), "ReadOnly": .bool($0.readOnly)]
        }
        var hostConfig: [String: JSONValue] = [
            "Init": true, "PortBindings": .object(bindings), "Mounts": .array(mounts),
            "RestartPolicy": ["Name": "unless-stopped"],
        ]
        var body: [String: JSONValue] = [
            "Image": .string(spec.image),
            "Env": .array(spec.environment.sorted { $0.key < $1.key }.map { .string("\($0.key)=\($0.value)") }),
            "Labels": .object(spec.labels.mapValues(JSONValue.string)),
            "ExposedPorts": .object(exposed),
        ]
        if let command = spec.command { body["Cmd"] = .array(command.map(JSONValue.string)) }
        if let check = spec.healthcheck {
            let nanoseconds = { (seconds: Double) -> JSONValue in .int(Int(seconds * 1_000_000_000)) }
            body["Healthcheck"] = [
                "Test": .array(check.test.map(JSONValue.string)), "Interval": nanoseconds(check.interval), "Timeout": nanoseconds(check.timeout),
                "Retries": .int(check.retries), "StartPeriod": nanoseconds(check.startPeriod),
            ]
        }
        if let network = spec.network {
            hostConfig["NetworkMode"] = .string(network)
            body["NetworkingConfig"] = ["EndpointsConfig": .object([network: ["Aliases": .array(spec.aliases.map(JSONValue.string))]])]
        }
        body["HostConfig"] = .object(hostConfig)
        return .object(body)
    }

    public func start(_ container: String) async throws(DeploymentError) {
        try await call("POST", "/containers/\(Self.escape(container))/start", accept: [304])
    }

    public func stop(_ container: String, grace: Int) async throws(DeploymentError) {
        try await call("POST", "/containers/\(Self.escape(container))/stop", query: ["t": String(grace)], timeout: Double(grace) + 30, accept: [304])
    }

    public func remove(_ container: String) async throws(DeploymentError) {
        try await call("DELETE", "/containers/\(Self.escape(container))", query: ["force": "1"], accept: [404])
    }

    public func rename(_ container: String, to name: String) async throws(DeploymentError) {
        try await call("POST", "/containers/\(Self.escape(container))/rename", query: ["name": name])
    }

    public func clone(_ container: String, name: String, labels: [String: String]) async throws(DeploymentError) -> String {
        let entry = try await json("GET", "/containers/\(Self.escape(container))/json")
        guard var config = entry["Config"]?.objectValue else { throw DeploymentError(.daemon, "the daemon did not describe \(container)") }
        var allLabels = config["Labels"]?.objectValue ?? [:]
        for (key, value) in labels { allLabels[key] = .string(value) }
        config["Labels"] = .object(allLabels)
        config.removeValue(forKey: "Hostname")
        config["HostConfig"] = entry["HostConfig"]
        // Docker adds the short container id as an alias; the copy gets its own.
        let shortID = String((entry["Id"]?.stringValue ?? "").prefix(12))
        var endpoints: [String: JSONValue] = [:]
        for (network, settings) in entry["NetworkSettings"]?["Networks"]?.objectValue ?? [:] {
            endpoints[network] = ["Aliases": .array((settings["Aliases"]?.arrayValue ?? []).filter { $0.stringValue != shortID })]
        }
        config["NetworkingConfig"] = ["EndpointsConfig": .object(endpoints)]
        let created = try await json("POST", "/containers/create", query: ["name": name], body: .object(config))
        guard let id = created["Id"]?.stringValue else { throw DeploymentError(.daemon, "the daemon created \(name) but returned no id") }
        return id
    }

    public func logs(_ container: String, lines: Int) async throws(DeploymentError) -> String {
        let response = try await call("GET", "/containers/\(Self.escape(container))/logs",
                                      query: ["stdout": "1", "stderr": "1", "tail": String(lines)])
        return Self.demultiplex(response.body)
    }

    /// Logs of a container without a TTY come in frames: 1 byte stream, 3 zero bytes, a 4-byte big-endian length.
    static func demultiplex(_ data: Data) -> String {
        let bytes = [UInt8](data)
        var text = [UInt8]()
        var index = 0
        while index + 8 <= bytes.count, bytes[index] <= 2, bytes[index + 1] == 0 {
            let length = Int(bytes[index + 4]) << 24 | Int(bytes[index + 5]) << 16 | Int(bytes[index + 6]) << 8 | Int(bytes[index + 7])
            let end = min(bytes.count, index + 8 + length)
            text += bytes[(index + 8)..<end]
            index = end
        }
        if index == 0 { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: text, as: UTF8.self)
    }

    public func stats(_ container: String) async throws(DeploymentError) -> ContainerStats {
        let stats = try await json("GET", "/containers/\(Self.escape(container))/stats", query: ["stream": "false"], timeout: 30)
        return Self.parseStats(stats)
    }

    /// CPU percent as `docker stats` computes it: the container's share of the host's CPU time between two samples,
    /// times the number of CPUs. Memory without the page cache.
    static func parseStats(_ stats: JSONValue) -> ContainerStats {
        let total = stats["cpu_stats"]?["cpu_usage"]?["total_usage"]?.doubleValue ?? 0
        let previousTotal = stats["precpu_stats"]?["cpu_usage"]?["total_usage"]?.doubleValue ?? 0
        let system = stats["cpu_stats"]?["system_cpu_usage"]?.doubleValue ?? 0
        let previousSystem = stats["precpu_stats"]?["system_cpu_usage"]?.doubleValue ?? 0
        let cpus = stats["cpu_stats"]?["online_cpus"]?.doubleValue
            ?? Double(stats["cpu_stats"]?["cpu_usage"]?["percpu_usage"]?.arrayValue?.count ?? 1)
        let cpuDelta = total - previousTotal
        let systemDelta = system - previousSystem
        let cpu = cpuDelta > 0 && systemDelta > 0 ? cpuDelta / systemDelta * cpus * 100 : 0
        let memory = stats["memory_stats"]
        let cache = memory?["stats"]?["inactive_file"]?.doubleValue ?? memory?["stats"]?["cache"]?.doubleValue ?? 0
        let usage = max(0, (memory?["usage"]?.doubleValue ?? 0) - cache)
        return ContainerStats(cpuPercent: cpu, memoryBytes: usage, memoryLimitBytes: memory?["limit"]?.doubleValue ?? 0)
    }

    public func readArchive(_ container: String, path: String) async throws(DeploymentError) -> Data {
        try await call("GET", "/containers/\(Self.escape(container))/archive", query: ["path": path], timeout: 600).body
    }

    public func writeArchive(_ container: String, path: String, archive: Data) async throws(DeploymentError) {
        try await call("PUT", "/containers/\(Self.escape(container))/archive", query: ["path": path], body: archive,
                       contentType: "application/x-tar", timeout: 600)
    }
}
