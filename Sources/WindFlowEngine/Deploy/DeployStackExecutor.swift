import Foundation
import WindFlowCore

/// `windflow.deploy_stack`: create or replace the stack's network, volumes and containers, replica by replica.
struct DeployStackExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let driver: any DeploymentDriver

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node: DeploymentContext
        do throws(ParameterError) { node = try DeploymentContext(settings: settings, context: context) } catch { return .failed(NodeFailure(error)) }
        guard let stackID = node.stackID, let scope = node.scope else { return .missingStack }
        let stack: Stack
        do throws(DeploymentError) {
            stack = try await settings.loadStack(stackID, environment: node.environment, variables: node.variables).stack
        } catch {
            return .failed(error)
        }
        var options = StackDeployer.Options()
        let backupFirst: Bool
        do throws(ParameterError) {
            options.waitForHealthy = try node.parameters.bool("wait_for_healthy")
            options.healthTimeout = try node.parameters.seconds("health_timeout")
            options.rollbackOnFailure = try node.parameters.bool("rollback_on_failure")
            backupFirst = try node.parameters.bool("backup_before_deploy")
        } catch {
            return .failed(NodeFailure(error))
        }
        var output: [String: JSONValue] = ["stack_id": .string(stackID), "environment": .string(node.environment)]
        if backupFirst, !stack.volumes.isEmpty {
            do throws(DeploymentError) {
                let existing = try await existingVolumes(stack, scope: scope)
                if !existing.isEmpty, let image = stack.services.first?.image {
                    let backup = try await VolumeBackup(driver: driver, log: context.log).backup(
                        volumes: existing, image: image, destination: settings.resolve("backups"),
                        prefix: scope.network, incremental: false, compress: true, retentionDays: nil, now: context.now)
                    output["backup_file"] = .string(backup.file)
                }
            } catch {
                return .failed(DeploymentError(error.kind, "the backup before deploying failed, nothing was replaced: \(error.message)"))
            }
        }
        let deployer = StackDeployer(driver: driver, log: context.log, now: context.now)
        do throws(StackDeployer.Failure) {
            let deployment = try await deployer.deploy(stack, scope: scope, options: options)
            output["endpoint"] = deployment.endpoints.first.map { .string($0.url) } ?? .null
            output["endpoints"] = .object(Dictionary(deployment.endpoints.map { ($0.service, JSONValue.string($0.url)) }, uniquingKeysWith: { first, _ in first }))
            output["containers"] = .array(deployment.containers.map(JSONValue.string))
            output["previous_containers"] = .array(deployment.previousContainers.map(JSONValue.string))
            output["rolled_back"] = false
            output["deployed_at"] = .string(node.iso8601(context.now))
            if deployment.endpoints.isEmpty { output.removeValue(forKey: "endpoint") }
            return .succeeded(.object(output), branch: nil)
        } catch {
            var failure = error.error.nodeFailure
            if error.rolledBack { failure.message += " — rolled back to the \(error.previousContainers.count) container(s) that ran before" }
            failure.output = [
                "reason": .string(error.error.kind.rawValue), "rolled_back": .bool(error.rolledBack),
                "previous_containers": .array(error.previousContainers.map(JSONValue.string)),
            ]
            return .failed(failure)
        }
    }

    private func existingVolumes(_ stack: Stack, scope: StackScope) async throws(DeploymentError) -> [(name: String, volume: String)] {
        var found: [(name: String, volume: String)] = []
        for volume in stack.volumes {
            if try await driver.volumeExists(scope.volume(volume)) { found.append((volume, scope.volume(volume))) }
        }
        return found
    }
}
