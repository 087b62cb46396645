import CurlHTTP
import Foundation
import WindFlowCore

/// The operations of `integration.cloud` on one bucket and key, each answering the node's output.
struct CloudOperation: Sendable {
    let s3: S3Client
    let bucket: String
    let key: String
    /// `put s3://bucket/key`, for messages.
    let name: String
    let log: @Sendable (String) -> Void

    /// Attempts per part of a multipart upload: a failed part is sent again, not the whole file.
    static let partAttempts = 3

    func put(_ content: JSONValue, contentType: String?) async throws(NodeFailure) -> JSONValue {
        let body: Data, type: String
        if case .string(let text) = content {
            (body, type) = (Data(text.utf8), contentType ?? "text/plain; charset=utf-8")
        } else {
            (body, type) = (Data(content.jsonText.utf8), contentType ?? "application/json")
        }
        let response = try await s3.send(s3.request("PUT", bucket: bucket, key: key, headers: [("Content-Type", type)], body: body), operation: name)
        return output(["etag": etag(response.header("etag")), "size": .int(body.count), "parts": 1, "version_id": header(response, "x-amz-version-id")])
    }

    func putFile(_ path: String, contentType: String?, partSize: Int) async throws(NodeFailure) -> JSONValue {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), (attributes[.type] as? FileAttributeType) == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.intValue, FileManager.default.isReadableFile(atPath: path) else {
            throw NodeFailure(.configuration, "\(name): source_file '\(path)' is not a readable file", retryable: false,
                              details: FailureDetails(subject: path))
        }
        let type = contentType ?? Self.contentType(of: path)
        guard size > partSize else {
            let body = FileSection(path: path, length: size)
            let response = try await s3.send(s3.request("PUT", bucket: bucket, key: key, headers: [("Content-Type", type)], bodyFile: body),
                                             operation: name)
            return output(["etag": etag(response.header("etag")), "size": .int(size), "parts": 1, "version_id": header(response, "x-amz-version-id")])
        }
        let started = try await s3.send(s3.request("POST", bucket: bucket, key: key, query: [("uploads", "")], headers: [("Content-Type", type)]),
                                        operation: "\(name) (starting a multipart upload)")
        guard let upload = S3XML.first("UploadId", in: String(decoding: started.body, as: UTF8.self)) else {
            throw NodeFailure(.http, "\(name): the object store started a multipart upload without an UploadId", retryable: true)
        }
        do throws(NodeFailure) {
            var etags: [String] = []
            let parts = (size + partSize - 1) / partSize
            for number in 1...parts {
                let offset = (number - 1) * partSize
                try checkUnchanged(path, size: size)
                let body = FileSection(path: path, offset: offset, length: min(partSize, size - offset))
                etags.append(try await sendPart(body, number: number, of: parts, upload: upload))
            }
            let list = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\"\(S3XML.escaped($0.element))\"</ETag></Part>" }
            let completion = "<CompleteMultipartUpload>\(list.joined())</CompleteMultipartUpload>"
            let done = try await s3.send(s3.request("POST", bucket: bucket, key: key, query: [("uploadId", upload)],
                                                    headers: [("Content-Type", "application/xml")], body: Data(completion.utf8)),
                                         operation: "\(name) (completing the multipart upload)")
            let answer = String(decoding: done.body, as: UTF8.self)
            // S3 may answer 200 and still fail the completion, in the body.
            if answer.contains("<Error>") {
                throw S3Client.failure(S3Failure.classify(status: 500, body: answer, operation: "\(name) (completing the multipart upload)"))
            }
            return output(["etag": etag(S3XML.first("ETag", in: answer)), "size": .int(size), "parts": .int(parts),
                           "version_id": header(done, "x-amz-version-id")])
        } catch {
            // Parts of an abandoned upload are stored (and billed) until aborted.
            do {
                _ = try await s3.send(s3.request("DELETE", bucket: bucket, key: key, query: [("uploadId", upload)]), operation: "\(name) (abort)")
            } catch let abort {
                log("could not abort the multipart upload \(upload): \(abort.message)")
            }
            throw error
        }
    }

    private func sendPart(_ body: FileSection, number: Int, of parts: Int, upload: String) async throws(NodeFailure) -> String {
        var attempt = 1
        while true {
            do throws(NodeFailure) {
                let response = try await s3.send(
                    s3.request("PUT", bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", upload)], bodyFile: body),
                    operation: "\(name) (part \(number) of \(parts))")
                guard let etag = etag(response.header("etag")).stringValue else {
                    throw NodeFailure(.http, "\(name): part \(number) was stored without an ETag", retryable: true)
                }
                return etag
            } catch {
                guard error.retryable, attempt < Self.partAttempts else { throw error }
                log("part \(number) of \(parts) failed (\(error.message)); sending it again")
                try? await Task.sleep(for: .milliseconds(500 * attempt))
                attempt += 1
            }
        }
    }

    func get(maxBytes: Int) async throws(NodeFailure) -> JSONValue {
        let response = try await s3.send(s3.request("GET", bucket: bucket, key: key, maxResponseBytes: maxBytes), operation: name)
        let type = response.header("content-type") ?? ""
        var body: JSONValue = .string(String(decoding: response.body, as: UTF8.self))
        if type.contains("json") || response.body.first.map({ $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }) == true,
           let parsed = try? JSONDecoder().decode(JSONValue.self, from: response.body) {
            body = parsed
        }
        return output(described(response, size: response.body.count).merging(["body": body]) { $1 })
    }

    func getFile(_ path: String) async throws(NodeFailure) -> JSONValue {
        // Streamed to the file, so no cap on the object's size (the 16 MiB of an answer held in memory stopped a
        // 200 MiB download: found by the cloud benchmark).
        let request = s3.request("GET", bucket: bucket, key: key, maxResponseBytes: Int(Int64.max))
        let (response, written) = try await s3.download(request, to: path, operation: name)
        return output(described(response, size: written).merging(["path": .string(path)]) { $1 })
    }

    func head() async throws(NodeFailure) -> JSONValue {
        let response = try await s3.send(s3.request("HEAD", bucket: bucket, key: key), operation: name)
        return output(described(response, size: Int(response.header("content-length") ?? "") ?? 0))
    }

    func delete() async throws(NodeFailure) -> JSONValue {
        let response = try await s3.send(s3.request("DELETE", bucket: bucket, key: key), operation: name)
        return output(["deleted": true, "version_id": header(response, "x-amz-version-id")])
    }

    func copy(from sourceBucket: String, key sourceKey: String) async throws(NodeFailure) -> JSONValue {
        let source = "/\(S3Signature.encode(sourceBucket))/\(S3Signature.encode(sourceKey, keepSlash: true))"
        let response = try await s3.send(s3.request("PUT", bucket: bucket, key: key, headers: [("x-amz-copy-source", source)]),
                                         operation: "\(name) (from s3://\(sourceBucket)/\(sourceKey))")
        let answer = String(decoding: response.body, as: UTF8.self)
        if answer.contains("<Error>") {
            throw S3Client.failure(S3Failure.classify(status: 500, body: answer, operation: "\(name) (from s3://\(sourceBucket)/\(sourceKey))"))
        }
        return output(["etag": etag(S3XML.first("ETag", in: answer)), "last_modified": S3XML.first("LastModified", in: answer).map(JSONValue.string) ?? .null,
                       "version_id": header(response, "x-amz-version-id")])
    }

    func list(prefix: String?, delimiter: String?, maxKeys: Int) async throws(NodeFailure) -> JSONValue {
        var objects: [JSONValue] = [], prefixes: [JSONValue] = []
        var token: String?
        var truncated = false
        repeat {
            var query: [(String, String)] = [("list-type", "2"), ("max-keys", String(min(1000, maxKeys - objects.count)))]
            if let prefix { query.append(("prefix", prefix)) }
            if let delimiter { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await s3.send(s3.request("GET", bucket: bucket, key: nil, query: query), operation: name)
            let answer = String(decoding: response.body, as: UTF8.self)
            for block in S3XML.blocks("Contents", in: answer) {
                guard let key = S3XML.first("Key", in: block) else { continue }
                objects.append(["key": .string(key), "size": .int(Int(S3XML.first("Size", in: block) ?? "") ?? 0),
                                "etag": etag(S3XML.first("ETag", in: block)),
                                "last_modified": S3XML.first("LastModified", in: block).map(JSONValue.string) ?? .null])
            }
            for block in S3XML.blocks("CommonPrefixes", in: answer) {
                if let prefix = S3XML.first("Prefix", in: block) { prefixes.append(.string(prefix)) }
            }
            truncated = S3XML.first("IsTruncated", in: answer) == "true"
            token = S3XML.first("NextContinuationToken", in: answer)
        } while truncated && token != nil && objects.count < maxKeys
        return output(["objects": .array(objects), "keys": .array(objects.compactMap { $0["key"] }), "prefixes": .array(prefixes),
                       "count": .int(objects.count), "truncated": .bool(truncated)])
    }

    func presign(method: String, expires: Int) -> JSONValue {
        let (host, path) = s3.address(bucket: bucket, key: key)
        let now = s3.now()
        let url = s3.signer.presignedURL(method: method, scheme: s3.scheme, host: host, path: path, expires: expires, time: now)
        // The signature carries the time to the second (X-Amz-Date): the URL stops working that second + expires.
        return output(["url": .string(url), "expires_at": .string(Timestamp.rfc3339(now.rounded(.down) + Double(expires)))])
    }

    // MARK: - Pieces

    private func output(_ fields: [String: JSONValue]) -> JSONValue {
        .object(fields.merging(["bucket": .string(bucket), "key": .string(key)]) { mine, _ in mine }.filter { !$0.value.isNull })
    }

    private func described(_ response: CurlResponse, size: Int) -> [String: JSONValue] {
        ["etag": etag(response.header("etag")), "size": .int(size), "content_type": header(response, "content-type"),
         "last_modified": header(response, "last-modified"), "version_id": header(response, "x-amz-version-id")]
    }

    private func header(_ response: CurlResponse, _ name: String) -> JSONValue {
        response.header(name).map(JSONValue.string) ?? .null
    }

    /// An ETag without the quotes S3 puts around it.
    private func etag(_ text: String?) -> JSONValue {
        guard var text, !text.isEmpty else { return .null }
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        return .string(text)
    }

    /// - Throws: when the file being uploaded in parts no longer has the size it started with.
    private func checkUnchanged(_ path: String, size: Int) throws(NodeFailure) {
        let now = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue
        guard now == size else {
            throw NodeFailure(.configuration, "\(name): \(path) changed while it was uploaded (\(size) bytes at the start, \(now.map(String.init) ?? "unreadable") now)",
                              retryable: true, details: FailureDetails(subject: path))
        }
    }

    static func contentType(of path: String) -> String {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "json": return "application/json"
        case "txt", "log": return "text/plain; charset=utf-8"
        case "csv": return "text/csv"
        case "html": return "text/html"
        case "yaml", "yml": return "application/yaml"
        case "gz", "tgz": return "application/gzip"
        case "tar": return "application/x-tar"
        case "zip": return "application/zip"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        default: return "application/octet-stream"
        }
    }
}
