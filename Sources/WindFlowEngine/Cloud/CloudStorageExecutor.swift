import CurlHTTP
import Foundation
import WindFlowCore

/// `integration.cloud`: one operation on an S3-compatible object store — put (text, an earlier output, or a file,
/// in parts above `part_size`), get (into the output or streamed to a file), list (pages followed up to `max_keys`),
/// delete, copy, head and presign.
struct CloudStorageExecutor: NodeExecutor {
    let client: CurlClient

    func execute(_ context: NodeContext) async -> NodeOutcome {
        do {
            return .succeeded(try await run(context), branch: nil)
        } catch let failure as NodeFailure {
            return .failed(failure)
        } catch let error as ParameterError {
            return .failed(NodeFailure(error))
        } catch {
            return .failed(NodeFailure(.internal, "\(error)"))
        }
    }

    /// - Throws: ``NodeFailure`` or ``ParameterError``.
    private func run(_ context: NodeContext) async throws -> JSONValue {
        let parameters = context.parameters
        let text = parameters.optionalText
        let operation = try parameters.string("operation")
        let bucket = try parameters.string("bucket")
        // Signing times follow the engine's clock from the attempt's start.
        let s3 = try S3Client(parameters: parameters, http: client, start: context.now)
        guard !bucket.contains("/") else {
            throw NodeFailure(.validation, "bucket '\(bucket)' holds a '/': put the path in key or prefix", retryable: false,
                              details: FailureDetails(subject: "bucket"))
        }
        let key = text("key")
        let name = "s3://\(bucket)/\(key ?? text("prefix") ?? "")"
        let cloud = CloudOperation(s3: s3, bucket: bucket, key: key ?? "", name: "\(operation) \(name)", log: context.log)
        switch operation {
        case "put":
            if let file = text("source_file") {
                return try await cloud.putFile(file, contentType: text("content_type"), partSize: try parameters.int("part_size"))
            }
            guard let content = parameters["content"], !content.isNull else {
                throw NodeFailure(.validation, "put needs content or source_file", retryable: false, details: FailureDetails(subject: "content"))
            }
            return try await cloud.put(content, contentType: text("content_type"))
        case "get":
            if let file = text("destination_file") { return try await cloud.getFile(file) }
            return try await cloud.get(maxBytes: try parameters.int("max_object_bytes"))
        case "list":
            return try await cloud.list(prefix: text("prefix"), delimiter: text("delimiter"), maxKeys: try parameters.int("max_keys"))
        case "delete":
            return try await cloud.delete()
        case "copy":
            return try await cloud.copy(from: text("source_bucket") ?? bucket, key: try parameters.string("source_key"))
        case "head":
            return try await cloud.head()
        case "presign":
            return cloud.presign(method: try parameters.string("method"), expires: Int(try parameters.seconds("expires")))
        default:
            throw NodeFailure(.validation, "operation '\(operation)' is not one of put, get, list, delete, copy, head, presign",
                              retryable: false, details: FailureDetails(subject: "operation"))
        }
    }
}
