extension NodeRegistry {
    /// Where an S3-compatible store is and the credentials that sign for it (the cloud node; off-site backups).
    static func s3Connection(required: Bool) -> [ParameterSpec] {
        [
            ParameterSpec(
                "endpoint", .string,
                description: "The S3 endpoint URL (default: AWS in region; e.g. https://<account>.r2.cloudflarestorage.com, http://minio:9000).",
                example: "https://s3.eu-west-3.amazonaws.com"),
            ParameterSpec("region", .string, default: "us-east-1", description: "The region requests are signed for.", example: "eu-west-3"),
            ParameterSpec(
                "path_style", .boolean, default: false,
                description: "Address the bucket in the path (endpoint/bucket/key), as MinIO-like servers need, instead of its host name."),
            ParameterSpec(
                "access_key", .string, required: required, description: "The access key id" + (required ? "." : " (for s3:// locations)."),
                example: "{{ secrets.AWS_ACCESS_KEY_ID }}", secret: true),
            ParameterSpec(
                "secret_key", .string, required: required, description: "The secret access key" + (required ? "." : " (for s3:// locations)."),
                example: "{{ secrets.AWS_SECRET_ACCESS_KEY }}", secret: true),
            ParameterSpec(
                "session_token", .string, description: "A session token, with temporary credentials.",
                example: "{{ secrets.AWS_SESSION_TOKEN }}", secret: true),
        ]
    }

    /// Object storage over the S3 API (AWS S3, Cloudflare R2, Backblaze B2, MinIO, Ceph, Garage…).
    static let cloudTypes: [NodeType] = [
        NodeType(
            id: "integration.cloud", category: .integration, displayName: "Cloud storage (S3)",
            summary: "Puts, gets, lists, copies, deletes or presigns objects in an S3-compatible bucket.",
            icon: "cloud",
            parameters: [
                ParameterSpec(
                    "operation", .string, required: true, allowed: ["put", "get", "list", "delete", "copy", "head", "presign"],
                    description: "What to do with the bucket or object.", example: "put"),
                ParameterSpec("bucket", .string, required: true, description: "The bucket.", example: "backups"),
                ParameterSpec(
                    "key", .string, description: "The object's key (put, get, delete, copy's destination, head, presign).",
                    example: "nightly/{{ backup_databases.backup_file }}"),
                ParameterSpec("prefix", .string, description: "list: only keys that start with this.", example: "nightly/"),
                ParameterSpec("delimiter", .string, description: "list: group keys up to this character into prefixes.", example: "/"),
                ParameterSpec(
                    "max_keys", .integer, default: 1000, min: 1, max: 100_000,
                    description: "list: the most keys returned; pages are followed up to it."),
                ParameterSpec(
                    "content", .any,
                    description: "put: the object's content — text, or an earlier node's output (sent as JSON)."),
                ParameterSpec("source_file", .string, description: "put: upload this file instead of content.", example: "/backups/db.tar.gz"),
                ParameterSpec("destination_file", .string, description: "get: write the object to this file instead of the output."),
                ParameterSpec("content_type", .string, description: "put: the object's Content-Type (default: from content or the file's name)."),
                ParameterSpec("source_bucket", .string, description: "copy: the bucket to copy from (default: bucket)."),
                ParameterSpec("source_key", .string, description: "copy: the key to copy from."),
                ParameterSpec(
                    "method", .string, default: "GET", allowed: ["GET", "PUT"], description: "presign: what the URL allows."),
                ParameterSpec(
                    "expires", .duration, default: 3600, min: 1, max: 604_800,
                    description: "presign: how long the URL stays valid (at most 7 days)."),
            ] + s3Connection(required: true) + [
                ParameterSpec(
                    "part_size", .integer, default: 8_388_608, min: 5_242_880, max: 5_368_709_120,
                    description: "put of a file: files larger than this go up in parts of this size (multipart upload), one part in memory at a time."),
                ParameterSpec(
                    "max_object_bytes", .integer, default: 10_485_760, min: 1, max: 1_073_741_824,
                    description: "get into the output: larger objects fail (write them to destination_file instead)."),
                ParameterSpec("timeout", .duration, default: 300, min: 1, max: 86_400, description: "Timeout of each request."),
            ],
            outputs: [
                OutputField("bucket", .string, "The bucket."),
                OutputField("key", .string, "The object's key."),
                OutputField("etag", .string, "The object's ETag (put, copy, get, head)."),
                OutputField("size", .integer, "The object's size in bytes (put, get, head)."),
                OutputField("content_type", .string, "The object's Content-Type (get, head)."),
                OutputField("version_id", .string, "The object's version, on a versioned bucket."),
                OutputField("last_modified", .string, "When the object was last written (get, head)."),
                OutputField("body", .any, "get without destination_file: the content, parsed when JSON."),
                OutputField("path", .string, "get with destination_file: the file written."),
                OutputField("parts", .integer, "put: how many parts were uploaded (1 unless multipart)."),
                OutputField("keys", .list, "list: the keys found."),
                OutputField("objects", .list, "list: key, size, etag and last_modified of each object."),
                OutputField("prefixes", .list, "list with delimiter: the common prefixes."),
                OutputField("count", .integer, "list: how many keys were found."),
                OutputField("truncated", .boolean, "list: whether more keys exist beyond max_keys."),
                OutputField("deleted", .boolean, "delete: true (deleting a missing key succeeds, as in S3)."),
                OutputField("url", .string, "presign: the URL."),
                OutputField("expires_at", .string, "presign: when the URL stops working."),
            ],
            requiredWhen: [
                ConditionalRequirement(when: "operation", is: "put", requires: ["key"]),
                ConditionalRequirement(when: "operation", is: "get", requires: ["key"]),
                ConditionalRequirement(when: "operation", is: "delete", requires: ["key"]),
                ConditionalRequirement(when: "operation", is: "head", requires: ["key"]),
                ConditionalRequirement(when: "operation", is: "presign", requires: ["key"]),
                ConditionalRequirement(when: "operation", is: "copy", requires: ["key", "source_key"]),
            ]),
    ]
}
