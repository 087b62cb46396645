import Foundation
import WindFlowCore

/// Volume contents to and from archives, through a helper container that mounts the volumes and is never started
/// (the Engine API's archive endpoint reads and writes a stopped container's mounts).
struct VolumeBackup: Sendable {
    let driver: any DeploymentDriver
    let log: @Sendable (String) -> Void

    struct Result: Sendable {
        var file: String
        var size: Int
        var volumes: [String]
        var pruned: [String]
    }

    /// Writes `destination/PREFIX-YYYYMMDD-HHMMSS-TYPE.tar[.gz]`. An incremental backup keeps only what changed since
    /// the newest earlier archive with the same prefix.
    func backup(volumes: [(name: String, volume: String)], image: String, destination: String, prefix: String, incremental: Bool,
                compress: Bool, retentionDays: Int?, now: Double) async throws(DeploymentError) -> Result {
        guard !volumes.isEmpty else { throw DeploymentError(.stack, "there are no volumes to back up") }
        for item in volumes {
            guard try await driver.volumeExists(item.volume) else {
                throw DeploymentError(.notFound, "the volume \(item.volume) does not exist on \(driver.address); deploy the stack first, or name existing volumes")
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw DeploymentError(.stack, "cannot create the backup folder \(destination): \(error.localizedDescription)")
        }
        let earlier = Self.archives(in: destination, prefix: prefix)
        var archive = try await withHelper(volumes: volumes, image: image) { helper throws(DeploymentError) in
            try await driver.readArchive(helper, path: "/backup")
        }
        if incremental, let last = earlier.last {
            archive = TarArchive.changed(archive, after: last.modified)
            log("incremental: only files changed since \(last.name)")
        }
        let stamp = Self.stamp(now)
        let kind = incremental ? "incremental" : "full"
        var path = (destination as NSString).appendingPathComponent("\(prefix)-\(stamp)-\(kind).tar")
        var counter = 2
        while FileManager.default.fileExists(atPath: path) || FileManager.default.fileExists(atPath: path + ".gz") {
            path = (destination as NSString).appendingPathComponent("\(prefix)-\(stamp)-\(counter)-\(kind).tar")
            counter += 1
        }
        do {
            try archive.write(to: URL(fileURLWithPath: path), options: .atomic)
            if compress {
                let zipped = try await ProcessRunner.run("gzip", arguments: ["-f", path], limit: 4096)
                guard zipped.exitCode == 0 else { throw DeploymentError(.daemon, "gzip failed: \(zipped.stderr.text)") }
                path += ".gz"
            }
        } catch let error as DeploymentError {
            throw error
        } catch {
            throw DeploymentError(.stack, "cannot write the backup \(path): \(error.localizedDescription)")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        var pruned: [String] = []
        if let retentionDays {
            for old in earlier where old.modified < now - Double(retentionDays) * 86_400 {
                if (try? FileManager.default.removeItem(atPath: old.path)) != nil { pruned.append(old.path) }
            }
        }
        log("backed up \(volumes.map(\.name).joined(separator: ", ")) to \(path) (\(size) bytes)")
        return Result(file: path, size: size, volumes: volumes.map(\.name), pruned: pruned)
    }

    /// Extracts an archive made by ``backup`` into the volumes (created when missing).
    func restore(file: String, volumes: [(name: String, volume: String)], image: String, labels: [String: String]) async throws(DeploymentError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DeploymentError(.notFound, "there is no backup file \(file)")
        }
        for item in volumes { try await driver.ensureVolume(item.volume, labels: labels) }
        try await withHelper(volumes: volumes, image: image) { helper throws(DeploymentError) in
            try await driver.writeArchive(helper, path: "/", archive: data)
        }
        log("restored \(file) into \(volumes.map(\.volume).joined(separator: ", "))")
    }

    /// Runs `body` with a created (never started) container mounting each volume at /backup/NAME, then removes it.
    private func withHelper<T: Sendable>(volumes: [(name: String, volume: String)], image: String,
                                         _ body: (String) async throws(DeploymentError) -> T) async throws(DeploymentError) -> T {
        let spec = ContainerSpec(
            name: "windflow-backup-\(UUID().uuidString.prefix(8).lowercased())", image: image, command: ["true"],
            labels: ["windflow.helper": "backup"],
            mounts: volumes.map { VolumeMount(source: $0.volume, target: "/backup/\($0.name)") })
        let helper = try await driver.create(spec)
        do {
            let result = try await body(helper)
            await cleanUp("remove the backup helper container \(helper)", log: log) { try await driver.remove(helper) }
            return result
        } catch {
            await cleanUp("remove the backup helper container \(helper)", log: log) { try await driver.remove(helper) }
            throw error
        }
    }

    struct Archive {
        var path: String
        var name: String
        var modified: Double
    }

    /// Earlier archives with this prefix, oldest first.
    static func archives(in folder: String, prefix: String) -> [Archive] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(prefix + "-") && ($0.hasSuffix(".tar") || $0.hasSuffix(".tar.gz")) }.compactMap { name in
            let path = (folder as NSString).appendingPathComponent(name)
            guard let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
            return Archive(path: path, name: name, modified: date.timeIntervalSince1970)
        }.sorted { ($0.modified, $0.name) < ($1.modified, $1.name) }
    }

    static func stamp(_ time: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date(timeIntervalSince1970: time))
    }
}
