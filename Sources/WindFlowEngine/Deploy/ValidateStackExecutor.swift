import Foundation
import WindFlowCore

/// `windflow.validate_stack`: the stack file's problems, the images on the host, host ports already taken.
struct ValidateStackExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let driver: any DeploymentDriver

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node: DeploymentContext
        do throws(ParameterError) { node = try DeploymentContext(settings: settings, context: context) } catch { return .failed(NodeFailure(error)) }
        guard let stackID = node.stackID, let scope = node.scope else { return .missingStack }
        let strict = node.string("validation_level") == "strict"
        let file: (path: String, text: String)
        do throws(DeploymentError) { file = try await settings.stackFile(stackID) } catch { return .failed(error) }
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
                                       retryable: false, output: output))
        }
        return .succeeded(output, branch: nil)
    }
}
