import Foundation
import WindFlowCore

/// `windflow.scale_service`: to `replicas`, or by `scale_factor` within `min_replicas` / `max_replicas`.
struct ScaleServiceExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let driver: any DeploymentDriver

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node: DeploymentContext
        do throws(ParameterError) { node = try DeploymentContext(settings: settings, context: context) } catch { return .failed(NodeFailure(error)) }
        guard let service = node.string("service_id") else {
            return .failed(NodeFailure(.validation, "service_id is required", retryable: false))
        }
        let deployer = StackDeployer(driver: driver, log: context.log, now: context.now)
        var selector = node.stackID == nil ? [:] : node.selector
        if node.stackID == nil, let environment = node.string("environment"), context.input["environment"] != nil {
            selector[DeploymentLabels.environment] = environment
        }
        do throws(DeploymentError) {
            let current = try await driver.containers(labelled: selector.merging([DeploymentLabels.service: service]) { first, _ in first })
                .filter { $0.isRunning && !$0.name.hasSuffix(StackDeployer.previousSuffix) }.count
            var target: Int
            if let replicas = node.number("replicas") {
                target = Int(replicas)
                if let low = node.number("min_replicas") { target = max(target, Int(low)) }
            } else if let factor = node.number("scale_factor") {
                target = Int((Double(max(current, 1)) * factor).rounded(.up))
                target = max(target, Int(node.number("min_replicas") ?? 1))
            } else {
                return .failed(NodeFailure(.validation, "give replicas or scale_factor", retryable: false))
            }
            if let high = node.number("max_replicas") { target = min(target, Int(high)) }
            guard target >= 0 else { return .failed(NodeFailure(.validation, "the replica count cannot be negative", retryable: false)) }
            let result = try await deployer.scale(service: service, labels: selector, to: target)
            context.log("\(service): \(result.previousReplicas) → \(result.replicas) replicas")
            return .succeeded([
                "service_id": .string(service), "previous_replicas": .int(result.previousReplicas), "replicas": .int(result.replicas),
                "containers": .array(result.containers.map(JSONValue.string)),
            ], branch: nil)
        } catch {
            return .failed(error)
        }
    }
}
