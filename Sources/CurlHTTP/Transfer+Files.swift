import CCurl
import Foundation

/// Bodies that stream from a file and responses that stream to one (``CurlRequest/bodyFile``,
/// ``CurlRequest/responseFile``), so a transfer of any size holds only libcurl's buffers.
extension Transfer {
    func openFiles(body section: FileSection) throws(CurlError) {
        bodyDescriptor = open(section.path, O_RDONLY | O_CLOEXEC)
        guard bodyDescriptor >= 0 else { throw fileFailure("cannot read \(section.path): \(String(cString: strerror(errno)))") }
    }

    func openFiles(response path: String) throws(CurlError) {
        responseDescriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard responseDescriptor >= 0 else { throw fileFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    private func fileFailure(_ message: String) -> CurlError {
        CurlError(kind: .file, message: message, url: redactedURL(request.url))
    }

    /// Whether the body now arriving goes to the response file: only a 2xx answer's does.
    var writesToFile: Bool {
        var statusCode = 0
        _ = wf_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &statusCode)
        return (200..<300).contains(statusCode)
    }

    /// Writes all of `count` bytes to the response file; false (with ``fileError``) when the disk refuses.
    func writeToFile(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        var done = 0
        while done < count {
            let wrote = write(responseDescriptor, bytes + done, count - done)
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else {
                fileError = "cannot write \(request.responseFile ?? "the response file"): \(String(cString: strerror(errno)))"
                return false
            }
            done += wrote
        }
        return true
    }

    /// Copies up to `room` bytes of the body file's section, from where the upload stands, into `buffer`.
    func readFromFile(into buffer: UnsafeMutableRawPointer, room: Int) -> Int {
        guard let section = request.bodyFile else { return Int(CURL_READFUNC_ABORT) }
        let length = min(room, section.length - uploadOffset)
        guard length > 0 else { return 0 }
        let read = pread(bodyDescriptor, buffer, length, off_t(section.offset + uploadOffset))
        guard read > 0 else {
            fileError = read == 0 ? "\(section.path) became shorter while it was sent"
                : "cannot read \(section.path): \(String(cString: strerror(errno)))"
            return Int(CURL_READFUNC_ABORT)
        }
        uploadOffset += read
        return read
    }
}

/// libcurl's read callback for a body sent from a file.
let fileReadCallback: wf_data_callback = { buffer, size, count, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    if transfer.isCancelled { return Int(CURL_READFUNC_ABORT) }
    return transfer.readFromFile(into: UnsafeMutableRawPointer(buffer!), room: size * count)
}

/// libcurl's seek callback: rewinds a file body when a request is sent again (a reused connection that had closed).
let fileSeekCallback: wf_seek_callback = { context, offset, origin in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    guard origin == SEEK_SET, let section = transfer.request.bodyFile, offset >= 0, Int(offset) <= section.length else {
        return CURL_SEEKFUNC_CANTSEEK
    }
    transfer.uploadOffset = Int(offset)
    return CURL_SEEKFUNC_OK
}
