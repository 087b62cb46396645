import CurlHTTP
import Foundation
import WindFlowCore

/// `windflow.backup_data`: a stack's volumes into an archive (full or incremental, gzip, retention), or back; on
/// the local disk or in an S3-compatible bucket (``OffsiteBackup``).
struct BackupDataExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let driver: any DeploymentDriver
    var client: CurlClient = .shared

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node: DeploymentContext, destination: String, incremental: Bool, compress: Bool
        do throws(ParameterError) {
            node = try DeploymentContext(settings: settings, context: context)
            (destination, incremental, compress) = (try node.parameters.string("destination"), try node.parameters.string("backup_type") == "incremental",
                                                    try node.parameters.bool("compress"))
        } catch {
            return .failed(NodeFailure(error))
        }
        let stopwatch = Stopwatch()
        if OffsiteBackup.location(destination) != nil || node.string("backup_file").flatMap(OffsiteBackup.location) != nil {
            return await offsite(node, context: context, destination: destination, incremental: incremental, compress: compress, stopwatch: stopwatch)
        }
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
                    "duration_ms": .int(Int(stopwatch.seconds * 1000)), "pruned": [], "restored": true,
                ], branch: nil)
            }
            let result = try await backup.backup(
                volumes: volumes, image: image, destination: settings.resolve(destination), prefix: prefix,
                incremental: incremental, compress: compress,
                retentionDays: node.number("retention_days").map { Int($0) }, now: context.now)
            return .succeeded([
                "backup_file": .string(result.file), "size_bytes": .int(result.size), "volumes": .array(result.volumes.map(JSONValue.string)),
                "duration_ms": .int(Int(stopwatch.seconds * 1000)), "pruned": .array(result.pruned.map(JSONValue.string)),
                "backup_type": .string(incremental ? "incremental" : "full"),
            ], branch: nil)
        } catch {
            return .failed(error)
        }
    }

    /// A backup to, or a restore from, `s3://bucket/prefix`: through a staging folder that is removed afterwards.
    private func offsite(_ node: DeploymentContext, context: NodeContext, destination: String, incremental: Bool, compress: Bool,
                         stopwatch: Stopwatch) async -> NodeOutcome {
        let restoring = node.string("mode") == "restore"
        guard let (bucket, path) = OffsiteBackup.location(restoring ? node.string("backup_file") ?? "" : destination) else {
            return .failed(NodeFailure(.validation, "backup_file must be an s3:// location or a path", retryable: false))
        }
        guard restoring || !incremental else {
            return .failed(NodeFailure(.validation, "an incremental backup compares with the archives on this machine: back up to "
                                       + "\(destination) with backup_type: full, or keep incremental backups on disk", retryable: false,
                                       details: FailureDetails(subject: "backup_type")))
        }
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-backup-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            let s3 = try S3Client(parameters: node.parameters, http: client, start: context.now)
            let prefix = path.isEmpty || path.hasSuffix("/") || restoring ? path : path + "/"
            let remote = OffsiteBackup(bucket: bucket, prefix: restoring ? "" : prefix, s3: s3, log: context.log)
            let (volumes, image) = try await target(node)
            let backup = VolumeBackup(driver: driver, log: context.log)
            if restoring {
                let file = staging + "/" + (URL(fileURLWithPath: path).lastPathComponent.isEmpty ? "backup.tar.gz" : URL(fileURLWithPath: path).lastPathComponent)
                try await remote.download(path, to: file)
                try await backup.restore(file: file, volumes: volumes, image: image, labels: node.selector)
                let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? 0
                return .succeeded([
                    "backup_file": .string("s3://\(bucket)/\(path)"), "size_bytes": .int(size), "volumes": .array(volumes.map { .string($0.name) }),
                    "duration_ms": .int(Int(stopwatch.seconds * 1000)), "pruned": [], "restored": true,
                ], branch: nil)
            }
            let made = try await backup.backup(volumes: volumes, image: image, destination: staging, prefix: node.scope?.network ?? "volumes",
                                               incremental: false, compress: compress, retentionDays: nil, now: context.now)
            let (uri, size) = try await remote.upload(made.file)
            let key = String(uri.dropFirst("s3://\(bucket)/".count))
            var pruned: [String] = []
            if let days = node.number("retention_days") { pruned = try await remote.prune(olderThan: Int(days), now: context.now, keep: key) }
            return .succeeded([
                "backup_file": .string(uri), "size_bytes": .int(size), "volumes": .array(made.volumes.map(JSONValue.string)),
                "duration_ms": .int(Int(stopwatch.seconds * 1000)), "pruned": .array(pruned.map(JSONValue.string)), "backup_type": "full",
            ], branch: nil)
        } catch let failure as NodeFailure {
            return .failed(failure)
        } catch let error as DeploymentError {
            return .failed(error)
        } catch let error as ParameterError {
            return .failed(NodeFailure(error))
        } catch {
            return .failed(NodeFailure(.internal, "\(error)"))
        }
    }

    /// The volumes (name inside the archive, volume on the host) and an image present on the host to mount them with.
    private func target(_ node: DeploymentContext) async throws(DeploymentError) -> ([(name: String, volume: String)], String) {
        if let stackID = node.stackID, let scope = node.scope {
            let stack = try await settings.loadStack(stackID, environment: node.environment, variables: node.variables, strict: false).stack
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
