import CurlHTTP
import Foundation
import WindFlowCore

/// Backups that leave the machine: `windflow.backup_data` with a `destination` (or, to restore, a `backup_file`) of
/// `s3://bucket/prefix`. The archive is made in a staging folder as usual, sent up (in parts when large), kept there by
/// `retention_days`, and the staging copy removed; a restore reads the archive back from the bucket first.
struct OffsiteBackup: Sendable {
    let bucket: String
    /// The key prefix (`nightly/`), empty for the bucket's top.
    let prefix: String
    let s3: S3Client
    let log: @Sendable (String) -> Void

    /// `s3://bucket/rest` as bucket and rest; nil for anything else.
    static func location(_ text: String) -> (bucket: String, path: String)? {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { return nil }
        return (String(bucket), String(rest.dropFirst(bucket.count).drop { $0 == "/" }))
    }

    func upload(_ file: String) async throws(NodeFailure) -> (uri: String, size: Int) {
        let key = prefix + URL(fileURLWithPath: file).lastPathComponent
        let operation = CloudOperation(s3: s3, bucket: bucket, key: key, name: "backup to s3://\(bucket)/\(key)", log: log)
        let output = try await operation.putFile(file, contentType: nil, partSize: 8 * 1024 * 1024)
        return ("s3://\(bucket)/\(key)", output["size"]?.intValue ?? 0)
    }

    func download(_ key: String, to file: String) async throws(NodeFailure) {
        let operation = CloudOperation(s3: s3, bucket: bucket, key: key, name: "restore from s3://\(bucket)/\(key)", log: log)
        _ = try await operation.getFile(file)
    }

    /// Deletes the archives under the prefix older than `days` (by the store's LastModified), never `keep`.
    func prune(olderThan days: Int, now: Double, keep: String) async throws(NodeFailure) -> [String] {
        let listing = CloudOperation(s3: s3, bucket: bucket, key: "", name: "retention of s3://\(bucket)/\(prefix)", log: log)
        let objects = try await listing.list(prefix: prefix.isEmpty ? nil : prefix, delimiter: nil, maxKeys: 100_000)["objects"]?.arrayValue ?? []
        var pruned: [String] = []
        for key in Self.expired(objects, olderThan: days, now: now) where key != keep {
            _ = try await CloudOperation(s3: s3, bucket: bucket, key: key, name: "retention: delete s3://\(bucket)/\(key)", log: log).delete()
            pruned.append("s3://\(bucket)/\(key)")
        }
        return pruned
    }

    /// The keys of archives (`.tar`, `.tar.gz`) in a listing last written more than `days` before `now`.
    static func expired(_ objects: [JSONValue], olderThan days: Int, now: Double) -> [String] {
        let limit = now - Double(days) * 86_400
        return objects.compactMap { object in
            guard let key = object["key"]?.stringValue, key.hasSuffix(".tar") || key.hasSuffix(".tar.gz"),
                  let written = object["last_modified"]?.stringValue.flatMap(Timestamp.parse), written < limit else { return nil }
            return key
        }
    }
}
