import Foundation
import WindFlowCore

/// Deploys a stack replica by replica and rolls back, and scales services; the logic above any ``DeploymentDriver``.
public struct StackDeployer: Sendable {
    public let driver: any DeploymentDriver
    public let log: @Sendable (String) -> Void
    /// When the deployment starts (seconds since 1970, from the engine's clock): it names the deployment.
    public let now: Double

    public init(driver: any DeploymentDriver, log: @escaping @Sendable (String) -> Void = { _ in }, now: Double) {
        self.driver = driver
        self.log = log
        self.now = now
    }

    public struct Options: Sendable {
        public var waitForHealthy = true
        /// Seconds each replica gets to become healthy.
        public var healthTimeout: Double = 120
        public var rollbackOnFailure = true
        public init() {}
    }

    public struct Deployment: Sendable {
        /// Base URL per service with a published port.
        public var endpoints: [(service: String, url: String)]
        public var containers: [String]
        /// The containers a rollback returns to (kept stopped until the next deployment).
        public var previousContainers: [String]
    }

    /// A deployment that failed, and whether what ran before it was restored.
    public struct Failure: Error, Sendable {
        public var error: DeploymentError
        public var rolledBack: Bool
        public var previousContainers: [String]
    }

    static let previousSuffix = "-previous"

    // MARK: Deploy

    public func deploy(_ stack: Stack, scope: StackScope, options: Options) async throws(Failure) -> Deployment {
        let deploymentID = String(Int(now * 1000))
        var created: [String] = []
        var replaced: [ContainerInfo] = []
        do throws(DeploymentError) {
            try await driver.ping()
            for service in stack.services {
                guard try await driver.imageExists(service.image) else {
                    throw DeploymentError(.imageMissing, "the image \(service.image) of service \(service.name) is not on the Docker host at \(driver.address); pull or build it there first")
                }
            }
            try await driver.ensureNetwork(scope.network, labels: scope.labels)
            for volume in stack.volumes { try await driver.ensureVolume(scope.volume(volume), labels: scope.labels) }
            let existing = try await driver.containers(labelled: scope.labels)
            // An older generation kept for rollback gives way to the one being replaced now.
            for old in existing where old.name.hasSuffix(Self.previousSuffix) { try await driver.remove(old.id) }
            let current = existing.filter { !$0.name.hasSuffix(Self.previousSuffix) }
            for service in Self.dependencyOrder(stack) {
                for replica in stride(from: 1, through: service.replicas, by: 1) {
                    let name = scope.container(service.name, replica: replica)
                    for old in current where old.service == service.name && (old.replica == replica || old.name == name) {
                        try await retire(old, into: &replaced)
                    }
                    log("starting \(name) (\(service.image))")
                    let id = try await driver.create(spec(service, stack: stack, scope: scope, replica: replica, deploymentID: deploymentID))
                    created.append(id)
                    try await driver.start(id)
                    if options.waitForHealthy {
                        try await waitUntilHealthy(id, name: name, timeout: options.healthTimeout)
                    }
                }
                for old in current where old.service == service.name && old.replica > service.replicas && !replaced.contains(old) {
                    try await retire(old, into: &replaced)
                }
            }
            // Services no longer in the stack file.
            let names = Set(stack.services.map(\.name))
            for old in current where !names.contains(old.service ?? "") && !replaced.contains(old) {
                try await retire(old, into: &replaced)
            }
            var endpoints: [(String, String)] = []
            for service in stack.services where !service.ports.isEmpty {
                let first = try await driver.inspect(scope.container(service.name, replica: 1))
                if let url = Self.endpoint(first, service: service) { endpoints.append((service.name, url)) }
            }
            log("deployed \(stack.name) to \(scope.environment): \(created.count) container(s)")
            return Deployment(endpoints: endpoints, containers: created, previousContainers: replaced.map(\.id))
        } catch {
            guard options.rollbackOnFailure else {
                throw Failure(error: error, rolledBack: false, previousContainers: replaced.map(\.id))
            }
            log("deployment failed (\(error.message)); rolling back to \(replaced.count) previous container(s)")
            for id in created { await cleanUp("remove container \(id)", log: log) { try await driver.remove(id) } }
            for old in replaced {
                await cleanUp("rename container \(old.id) back to \(old.name)", log: log) { try await driver.rename(old.id, to: old.name) }
                if old.isRunning { await cleanUp("restart container \(old.name)", log: log) { try await driver.start(old.id) } }
            }
            throw Failure(error: error, rolledBack: true, previousContainers: replaced.map(\.id))
        }
    }

    /// Stops a container being replaced and keeps it, renamed, for a rollback.
    private func retire(_ old: ContainerInfo, into replaced: inout [ContainerInfo]) async throws(DeploymentError) {
        log("stopping \(old.name)")
        if old.isRunning { try await driver.stop(old.id, grace: 10) }
        try await driver.rename(old.id, to: old.name + Self.previousSuffix)
        replaced.append(old)
    }

    func spec(_ service: StackService, stack: Stack, scope: StackScope, replica: Int, deploymentID: String) -> ContainerSpec {
        var labels = service.labels
        for (key, value) in scope.labels { labels[key] = value }
        labels[DeploymentLabels.service] = service.name
        labels[DeploymentLabels.replica] = String(replica)
        labels[DeploymentLabels.deployment] = deploymentID
        let mounts = service.volumes.map { mount in
            mount.isNamed ? VolumeMount(source: scope.volume(mount.source), target: mount.target, readOnly: mount.readOnly) : mount
        }
        return ContainerSpec(
            name: scope.container(service.name, replica: replica), image: service.image, command: service.command,
            environment: service.environment, labels: labels, ports: service.ports, mounts: mounts, healthcheck: service.healthcheck,
            network: scope.network, aliases: [service.name])
    }

    /// `http://127.0.0.1:PORT` for the service's first published TCP port.
    static func endpoint(_ container: ContainerInfo, service: StackService) -> String? {
        for port in service.ports where port.proto == "tcp" {
            if let host = container.publishedPorts["\(port.containerPort)/tcp"] {
                let address = port.hostIP.flatMap { $0.isEmpty || $0 == "0.0.0.0" ? nil : $0 } ?? "127.0.0.1"
                return "http://\(address):\(host)"
            }
        }
        return nil
    }

    /// Services after the ones they depend on (the stack loader has already refused cycles).
    static func dependencyOrder(_ stack: Stack) -> [StackService] {
        var ordered: [StackService] = []
        var seen: Set<String> = []
        func visit(_ service: StackService) {
            guard seen.insert(service.name).inserted else { return }
            for dependency in service.dependsOn { if let other = stack.service(dependency) { visit(other) } }
            ordered.append(service)
        }
        stack.services.forEach(visit)
        return ordered
    }

    /// Waits for the container's health check to pass (or, without one, for it to keep running), up to `timeout`.
    public func waitUntilHealthy(_ id: String, name: String, timeout: Double) async throws(DeploymentError) {
        let waited = Stopwatch()
        var runningSince: Double?
        while true {
            let info = try await driver.inspect(id)
            switch (info.state, info.health) {
            case (_, "healthy"?):
                log("\(name) is healthy")
                return
            case (_, "unhealthy"?):
                throw DeploymentError(.unhealthy, "\(name) failed its health check\(info.healthOutput.map { ": \($0.prefix(300))" } ?? "")")
            case ("exited", _), ("dead", _):
                // Its last output says why; when even that cannot be read, the error says so instead.
                let output: String
                do {
                    let last = try await driver.logs(id, lines: 10).trimmingCharacters(in: .whitespacesAndNewlines)
                    output = last.isEmpty ? "" : "; its last output: \(last.suffix(300))"
                } catch {
                    output = "; its output could not be read (\(error.message))"
                }
                throw DeploymentError(.unhealthy, "\(name) exited with code \(info.exitCode ?? -1) right after starting\(output)")
            case ("running", nil):
                // No health check: running for a second without exiting counts as up.
                if let since = runningSince, waited.seconds - since >= 1 { return }
                runningSince = runningSince ?? waited.seconds
            default:
                break
            }
            if waited.seconds >= timeout {
                throw DeploymentError(.healthTimeout, "\(name) did not become healthy within \(JSONValue.format(timeout)) s (health: \(info.health ?? info.state)\(info.healthOutput.map { "; last check: \($0.prefix(200))" } ?? ""))")
            }
            do { try await Task.sleep(nanoseconds: 300_000_000) } catch {
                throw DeploymentError(.daemon, "stopped while waiting for \(name) to become healthy")
            }
        }
    }

    // MARK: Scale

    public struct Scaling: Sendable {
        public var service: String
        public var previousReplicas: Int
        public var replicas: Int
        public var containers: [String]
    }

    /// Sets the number of running replicas of `service`, cloning replica 1 to add and removing the highest to take away.
    public func scale(service: String, labels: [String: String], to target: Int, healthTimeout: Double = 120) async throws(DeploymentError) -> Scaling {
        var selector = labels
        selector[DeploymentLabels.service] = service
        let all = try await driver.containers(labelled: selector).filter { !$0.name.hasSuffix(Self.previousSuffix) }
        guard let template = all.first(where: \.isRunning) ?? all.first else {
            throw DeploymentError(.notFound, "there are no containers of service '\(service)'\(labels.isEmpty ? "" : " in \(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))") on \(driver.address); deploy its stack first")
        }
        let groups = Set(all.map { "\($0.labels[DeploymentLabels.stack] ?? "")/\($0.labels[DeploymentLabels.environment] ?? "")" })
        guard groups.count == 1 else {
            throw DeploymentError(.conflict, "service '\(service)' runs in several stacks or environments (\(groups.sorted().joined(separator: ", "))); give stack_id and environment")
        }
        let running = all.filter(\.isRunning)
        let previous = running.count
        var containers = running.map(\.id)
        if target > previous {
            let scope = StackScope(stack: template.labels[DeploymentLabels.stack] ?? "", environment: template.labels[DeploymentLabels.environment] ?? "")
            var taken = Set(all.map(\.replica))
            var added: [String] = []
            do throws(DeploymentError) {
                for _ in previous..<target {
                    let replica = (1...).first { !taken.contains($0) }!
                    taken.insert(replica)
                    let name = scope.stack.isEmpty ? "\(service)-\(replica)" : scope.container(service, replica: replica)
                    if let stale = all.first(where: { $0.name == name }) { try await driver.remove(stale.id) }
                    log("starting \(name)")
                    let id = try await driver.clone(template.id, name: name, labels: [DeploymentLabels.replica: String(replica)])
                    added.append(id)
                    do throws(DeploymentError) { try await driver.start(id) } catch {
                        guard error.kind == .portInUse else { throw error }
                        throw DeploymentError(.portInUse, "service '\(service)' publishes a fixed host port, so only one replica can hold it; publish only the container port (e.g. \"80\") in the stack file to run several")
                    }
                }
                for id in added { try await waitUntilHealthy(id, name: id, timeout: healthTimeout) }
            } catch {
                for id in added { await cleanUp("remove container \(id)", log: log) { try await driver.remove(id) } }
                throw error
            }
            containers += added
        } else if target < previous {
            for old in running.sorted(by: { $0.replica > $1.replica }).prefix(previous - target) {
                log("removing \(old.name)")
                try await driver.stop(old.id, grace: 10)
                try await driver.remove(old.id)
                containers.removeAll { $0 == old.id }
            }
        }
        return Scaling(service: service, previousReplicas: previous, replicas: target, containers: containers)
    }
}
