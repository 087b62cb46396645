import CCurl
import Foundation

/// The state of one transfer, owned by the client's thread once submitted. Its callbacks reach it through an
/// unretained pointer; the client keeps it alive until the transfer is removed.
final class Transfer: @unchecked Sendable {
    // Safe: after submission every field is touched only on the client's thread, except `cancelRequested`, which is
    // guarded by `lock`.
    let request: CurlRequest
    let handle: UnsafeMutableRawPointer
    let started = ContinuousClock.now
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body = Data()
    var tooLarge = false
    var headerList: UnsafeMutablePointer<curl_slist>?
    var recipientList: UnsafeMutablePointer<curl_slist>?
    /// The message an SMTP transfer uploads, and how much of it was read.
    var upload = Data()
    var uploadOffset = 0
    /// With ``CurlRequest/bodyFile``: the file read as the body goes out.
    var bodyDescriptor: Int32 = -1
    /// With ``CurlRequest/responseFile``: the file a 2xx body is written to.
    var responseDescriptor: Int32 = -1
    /// Why reading the body file or writing the response file failed.
    var fileError: String?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// Collecting: resumed once with the whole response.
    var completion: CheckedContinuation<CurlResponse, any Error>?
    /// Streaming: resumed with the response head at the first body byte (or at the end), then chunks follow.
    var head: CheckedContinuation<CurlResponse, any Error>?
    var chunks: AsyncThrowingStream<Data, any Error>.Continuation?
    private let lock = NSLock()
    private var cancelRequested = false

    init(_ request: CurlRequest) throws(CurlError) {
        guard let handle = curl_easy_init() else {
            throw CurlError(kind: .other, message: "libcurl could not create a transfer", url: redactedURL(request.url))
        }
        self.request = request
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
        if let recipientList { curl_slist_free_all(recipientList) }
        if bodyDescriptor >= 0 { close(bodyDescriptor) }
        if responseDescriptor >= 0 { close(responseDescriptor) }
    }

    var isCancelled: Bool { lock.withLock { cancelRequested } }

    func requestCancel() { lock.withLock { cancelRequested = true } }

    /// Sets every option of the request on the easy handle.
    func configure() throws(CurlError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        var ok = true
        func check(_ code: CURLcode) { ok = ok && code == CURLE_OK }
        check(wf_setopt_string(handle, CURLOPT_URL, request.url))
        check(wf_setopt_pointer(handle, CURLOPT_PRIVATE, context))
        check(wf_setopt_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback))
        check(wf_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        check(wf_setopt_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback))
        check(wf_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        check(wf_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check(wf_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout * 1000))))
        check(wf_setopt_long(handle, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0))
        check(wf_setopt_long(handle, CURLOPT_MAXREDIRS, request.maxRedirects))
        check(wf_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, request.verifyTLS ? 1 : 0))
        check(wf_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, request.verifyTLS ? 2 : 0))
        check(wf_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
        check(wf_setopt_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes)))
        check(wf_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)))
        check(wf_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps"))
        check(wf_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        if let socket = request.unixSocketPath { check(wf_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, socket)) }
        if request.certificateInfo { check(wf_setopt_long(handle, CURLOPT_CERTINFO, 1)) }
        if let mail = request.mail {
            check(wf_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(mail.from)>"))
            for recipient in mail.recipients { recipientList = curl_slist_append(recipientList, "<\(recipient)>") }
            check(wf_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList))
            upload = request.body ?? Data()
            check(wf_setopt_long(handle, CURLOPT_UPLOAD, 1))
            check(wf_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.count)))
            check(wf_setopt_callback(handle, CURLOPT_READFUNCTION, readCallback))
            check(wf_setopt_pointer(handle, CURLOPT_READDATA, context))
            if mail.requireTLS { check(wf_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))) }
            if let username = mail.username { check(wf_setopt_string(handle, CURLOPT_USERNAME, username)) }
            if let password = mail.password { check(wf_setopt_string(handle, CURLOPT_PASSWORD, password)) }
            guard ok else {
                throw CurlError(kind: .invalidRequest, message: "libcurl refused an option of this message", url: redactedURL(request.url))
            }
            return
        }
        let method = request.method.uppercased()
        switch method {
        case "GET": break
        case "HEAD": check(wf_setopt_long(handle, CURLOPT_NOBODY, 1))
        default: check(wf_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        if let section = request.bodyFile {
            try openFiles(body: section)
            check(wf_setopt_long(handle, CURLOPT_UPLOAD, 1))
            check(wf_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(section.length)))
            check(wf_setopt_callback(handle, CURLOPT_READFUNCTION, fileReadCallback))
            check(wf_setopt_pointer(handle, CURLOPT_READDATA, context))
            check(wf_setopt_seek(handle, fileSeekCallback))
            check(wf_setopt_pointer(handle, CURLOPT_SEEKDATA, context))
        } else if let body = request.body {
            check(wf_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            let copied = body.withUnsafeBytes { raw -> CURLcode in
                guard let base = raw.bindMemory(to: CChar.self).baseAddress else {
                    return wf_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
                }
                return wf_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, base)
            }
            check(copied)
        }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        if let path = request.responseFile { try openFiles(response: path) }
        if request.body != nil || request.bodyFile != nil, !request.headers.contains(where: { $0.name.lowercased() == "expect" }) {
            headerList = curl_slist_append(headerList, "Expect:")  // no 100-continue round trip
        }
        if let headerList { check(wf_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)) }
        guard ok else {
            throw CurlError(kind: .invalidRequest, message: "libcurl refused an option of this request", url: redactedURL(request.url))
        }
    }

    /// The response as it stands.
    var response: CurlResponse {
        var effective: UnsafeMutableRawPointer?
        _ = wf_getinfo_pointer(handle, CURLINFO_EFFECTIVE_URL, &effective)
        let url = effective.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? request.url
        var response = CurlResponse(status: status, headers: headers, body: body, effectiveURL: url,
                                    elapsed: Self.seconds(since: started))
        if request.certificateInfo { response.certificates = certificates }
        return response
    }

    /// The certificate chain libcurl collected (CURLOPT_CERTINFO): one "Name:value" list per certificate.
    private var certificates: [[String: String]] {
        var raw: UnsafeMutableRawPointer?
        guard wf_getinfo_pointer(handle, CURLINFO_CERTINFO, &raw) == CURLE_OK, let info = raw?.assumingMemoryBound(to: curl_certinfo.self) else {
            return []
        }
        var chain: [[String: String]] = []
        for index in 0..<Int(info.pointee.num_of_certs) {
            var fields: [String: String] = [:]
            var item = info.pointee.certinfo[index]
            while let entry = item {
                let text = String(cString: entry.pointee.data)
                if let colon = text.firstIndex(of: ":") { fields[String(text[..<colon])] = String(text[text.index(after: colon)...]) }
                item = entry.pointee.next
            }
            chain.append(fields)
        }
        return chain
    }

    /// Ends the transfer with `result` (a curl code) and wakes whoever waits for it.
    func finish(_ code: CURLcode) {
        var statusCode = 0
        _ = wf_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &statusCode)
        if statusCode > 0 { status = statusCode }
        let result: Result<CurlResponse, CurlError> = code == CURLE_OK ? .success(response) : .failure(error(for: code))
        if let completion {
            completion.resume(with: result.mapError { $0 as any Error })
            self.completion = nil
        }
        if let head {
            head.resume(with: result.mapError { $0 as any Error })
            self.head = nil
        }
        if let chunks {
            switch result {
            case .success: chunks.finish()
            case .failure(let error): chunks.finish(throwing: error)
            }
            self.chunks = nil
        }
    }

    func error(for code: CURLcode) -> CurlError {
        let url = redactedURL(request.url)
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        if isCancelled { return CurlError(kind: .cancelled, message: "the request was cancelled", url: url) }
        if let fileError { return CurlError(kind: .file, message: fileError, url: url) }
        if tooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return CurlError(kind: .tooLarge, message: "the response is larger than \(request.maxResponseBytes) bytes", url: url)
        }
        let kind: CurlError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT: kind = .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .dns
        case CURLE_OPERATION_TIMEDOUT:
            return CurlError(kind: .timeout, message: "no complete answer within \(request.timeout) s: \(text)", url: url)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            kind = .tls
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY,
            CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .connectionLost
        case CURLE_TOO_MANY_REDIRECTS: kind = .tooManyRedirects
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: kind = .invalidRequest
        default: kind = .other
        }
        return CurlError(kind: kind, message: text, url: url)
    }
}

/// libcurl's write callback: appends to the body, or yields a chunk when streaming; stops at the size cap.
private let writeCallback: wf_data_callback = { buffer, size, count, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    if transfer.isCancelled { return 0 }
    if transfer.responseDescriptor >= 0, transfer.writesToFile {
        return transfer.writeToFile(UnsafeRawPointer(buffer!), count: length) ? length : 0
    }
    if transfer.chunks != nil {
        if let head = transfer.head {
            var statusCode = 0
            _ = wf_getinfo_long(transfer.handle, CURLINFO_RESPONSE_CODE, &statusCode)
            transfer.status = statusCode
            head.resume(returning: transfer.response)
            transfer.head = nil
        }
        transfer.chunks?.yield(Data(bytes: buffer!, count: length))
        return length
    }
    guard transfer.body.count + length <= transfer.request.maxResponseBytes else {
        transfer.tooLarge = true
        return 0
    }
    transfer.body.append(UnsafeRawPointer(buffer!).assumingMemoryBound(to: UInt8.self), count: length)
    return length
}

/// libcurl's header callback: collects the final response's headers (a new status line starts over).
private let headerCallback: wf_data_callback = { buffer, size, count, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        transfer.headers.removeAll()
        let parts = line.split(separator: " ")
        if parts.count > 1, let code = Int(parts[1]) { transfer.status = code }
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        transfer.headers.append((name, value))
    }
    return length
}

/// libcurl's read callback for SMTP uploads: hands out the message in pieces.
private let readCallback: wf_data_callback = { buffer, size, count, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    if transfer.isCancelled { return Int(CURL_READFUNC_ABORT) }
    let room = size * count
    let remaining = transfer.upload.count - transfer.uploadOffset
    let length = min(room, remaining)
    guard length > 0 else { return 0 }
    transfer.upload.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(buffer!).copyMemory(from: raw.baseAddress! + transfer.uploadOffset, byteCount: length)
    }
    transfer.uploadOffset += length
    return length
}

extension Transfer {
    /// Seconds on the monotonic clock since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
}
