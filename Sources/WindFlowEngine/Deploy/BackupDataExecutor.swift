import Foundation
import WindFlowCore

/// `windflow.backup_data`: a stack's volumes into an archive (full or incremental, gzip, retention), or back.
struct BackupDataExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let driver: any DeploymentDriver

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node = DeploymentContext(settings: settings, context: context)
        let started = Date()
        do throws(DeploymentError) {
            let (volumes, image) = try await target(node)
            let backup = VolumeBackup(driver: driver, log: context.log)
            let prefix = node.scope?.network ?? "volumes"
            if node.string("mode") == "restore" {
                guard let file = node.string("backup_file") else {
                    return .failed(NodeFailure(.validation, "backup_file is required for mode: restore", retryable: false))
                }
                let path = settings.resolve(file)
                try await backup.restore(file: path, volumes: volumes, image: image, labels: node.selector)
                let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
                return .succeeded([
                    "backup_file": .string(path), "size_bytes": .int(size), "volumes": .array(volumes.map { .string($0.name) }),
                    "duration_ms": .int(Int(Date().timeIntervalSince(started) * 1000)), "pruned": [], "restored": true,
                ], branch: nil)
            }
            let result = try await backup.backup(
                volumes: volumes, image: image, destination: settings.resolve(node.string("destination") ?? "backups"), prefix: prefix,
                incremental: node.string("backup_type") == "incremental", compress: context.parameter("compress")?.boolValue ?? true,
                retentionDays: node.number("retention_days").map { Int($0) }, now: context.now)
            return .succeeded([
                "backup_file": .string(result.file), "size_bytes": .int(result.size), "volumes": .array(result.volumes.map(JSONValue.string)),
                "duration_ms": .int(Int(Date().timeIntervalSince(started) * 1000)), "pruned": .array(result.pruned.map(JSONValue.string)),
                "backup_type": .string(node.string("backup_type") ?? "full"),
            ], branch: nil)
        } catch {
            return .failed(error)
        }
    }

    /// The volumes (name inside the archive, volume on the host) and an image present on the host to mount them with.
    private func target(_ node: DeploymentContext) async throws(DeploymentError) -> ([(name: String, volume: String)], String) {
        if let stackID = node.stackID, let scope = node.scope {
            let stack = try settings.loadStack(stackID, environment: node.environment, variables: node.variables, strict: false).stack
            let names = node.strings("volumes") ?? stack.volumes
            for name in names where !stack.volumes.contains(name) {
                throw DeploymentError(.stack, "the stack '\(stackID)' has no volume '\(name)' (its volumes: \(stack.volumes.joined(separator: ", ")))")
            }
            let running = try await driver.containers(labelled: scope.labels)
            let image = running.first?.image ?? stack.services.first?.image ?? ""
            return (names.map { ($0, scope.volume($0)) }, image)
        }
        guard let names = node.strings("volumes"), !names.isEmpty else {
            throw DeploymentError(.stack, "give stack_id (to back up its volumes) or volumes (Docker volume names)")
        }
        let any = try await driver.containers(labelled: [:]).first { $0.service != nil }
        guard let image = any?.image else {
            throw DeploymentError(.notFound, "no WindFlow container runs on \(driver.address) whose image could mount the volumes; give stack_id")
        }
        return (names.map { ($0, $0) }, image)
    }
}

/// `windflow.validate_stack`: the stack file's problems, the images on the host, host ports already taken.
struct ValidateStackExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let driver: any DeploymentDriver

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node = DeploymentContext(settings: settings, context: context)
        guard let stackID = node.stackID, let scope = node.scope else {
            return .failed(NodeFailure(.validation, "stack_id is required", retryable: false))
        }
        let strict = node.string("validation_level") == "strict"
        let file: (path: String, text: String)
        do throws(DeploymentError) { file = try settings.stackFile(stackID) } catch { return .failed(error) }
        let (stack, loaded) = StackLoader.load(file.text, name: stackID, environment: node.environment, variables: node.variables, strict: strict)
        var problems: [JSONValue] = loaded.map { problem in
            var value = problem.jsonValue
            if case .object(var object) = value { object["file"] = .string(file.path); value = .object(object) }
            return value
        }
        var errors = loaded.filter { $0.severity == .error }.count
        var warnings = loaded.count - errors
        func add(_ code: String, _ path: String, _ message: String, error: Bool) {
            problems.append(["code": .string(code), "severity": .string(error ? "error" : "warning"), "path": .string(path), "message": .string(message), "file": .string(file.path)])
            if error { errors += 1 } else { warnings += 1 }
        }
        if let stack {
            for service in stack.services {
                let path = "services.\(service.name)"
                let tag = service.image.split(separator: "/").last.flatMap { $0.contains(":") ? $0.split(separator: ":").last : nil }
                if tag == nil || tag == "latest" {
                    add("unpinned_image", "\(path).image", "\(service.image) is not pinned to a version; a deploy may pick up another image than the one tested", error: false)
                }
                if service.healthcheck == nil {
                    add("no_healthcheck", "\(path).healthcheck", "\(service.name) has no health check, so a deployment cannot tell it works; add healthcheck.test", error: false)
                }
            }
            do throws(DeploymentError) {
                try await driver.ping()
                for service in stack.services where try await !driver.imageExists(service.image) {
                    add("missing_image", "services.\(service.name).image", "the image \(service.image) is not on the Docker host (\(driver.address)); pull or build it first", error: false)
                }
                let ours = try await driver.containers(labelled: scope.labels)
                let ownPorts = Set(ours.flatMap(\.publishedPorts.values))
                let others = try await driver.containers(labelled: [:]).filter { container in !ours.contains { $0.id == container.id } && container.isRunning }
                for service in stack.services {
                    for port in service.ports {
                        guard let host = port.hostPort, port.proto == "tcp", !ownPorts.contains(host) else { continue }
                        if let holder = others.first(where: { $0.publishedPorts.values.contains(host) }) {
                            add("port_in_use", "services.\(service.name).ports", "host port \(host) is already published by container \(holder.name); pick another port or stop it", error: true)
                        } else if !HostPort.isFree(host) {
                            add("port_in_use", "services.\(service.name).ports", "host port \(host) is already in use by another program on this host; pick another port or stop it", error: true)
                        }
                    }
                }
            } catch {
                add("daemon_unreachable", "", error.message, error: strict)
            }
        }
        let failing = errors + (strict ? warnings : 0)
        let summary = "\(stackID) (\(node.environment)): \(errors) error(s), \(warnings) warning(s)"
        context.log(summary)
        let output: JSONValue = [
            "valid": .bool(failing == 0), "problems": .array(problems), "errors": .int(errors), "warnings": .int(warnings),
            "stack_id": .string(stackID), "validation_level": .string(strict ? "strict" : "basic"),
        ]
        guard failing == 0 else {
            let first = problems.prefix(5).compactMap { problem -> String? in
                guard let message = problem["message"]?.stringValue else { return nil }
                return "\(problem["path"]?.stringValue ?? ""): \(message)"
            }
            return .failed(NodeFailure(.validation, "the stack \(summary)\(strict && warnings > 0 ? " (strict: warnings fail too)" : ""): " + first.joined(separator: "; "),
                                       retryable: false, details: output))
        }
        return .succeeded(output, branch: nil)
    }
}
