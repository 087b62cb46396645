import CCurl
import Foundation

/// An async HTTP client on libcurl. One dedicated thread drives a `curl_multi` handle for every transfer in flight,
/// so no Swift task ever blocks in libcurl, hundreds of concurrent transfers cost one thread, and connections are
/// reused across requests to the same host. Cancelling the calling task aborts its transfer.
public final class CurlClient: @unchecked Sendable {
    // Safe: `multi` and `active` are touched only on the client's thread; `pending`, `cancelled` and `stopping` are
    // guarded by `lock`.
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var pending: [Transfer] = []
    private var cancelled: [Transfer] = []
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var stopping = false
    private var thread: Thread?

    /// One client for the whole process.
    public static let shared = CurlClient()

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(maxConnectionsPerHost: Int = 32) {
        _ = Self.globalInit
        multi = curl_multi_init()
        _ = wf_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "windflow-curl"
        self.thread = thread
        thread.start()
    }

    /// Sends `request` and returns the whole response (any status: checking it is the caller's business).
    /// - Throws: ``CurlError``, classified (refused, DNS, TLS, timeout, too large, cancelled, …), naming the URL.
    public func perform(_ request: CurlRequest) async throws -> CurlResponse {
        let transfer = try Transfer(request)
        try transfer.configure()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.completion = continuation
                submit(transfer)
            }
        } onCancel: {
            cancel(transfer)
        }
    }

    /// Sends `request` and returns its head as soon as the body starts, with the body as a stream of chunks (for
    /// server-sent events and large downloads).
    public func stream(_ request: CurlRequest) async throws -> (response: CurlResponse, body: AsyncThrowingStream<Data, any Error>) {
        let transfer = try Transfer(request)
        try transfer.configure()
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        transfer.chunks = continuation
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.cancel(transfer) }
        }
        let head = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (head: CheckedContinuation<CurlResponse, any Error>) in
                transfer.head = head
                submit(transfer)
            }
        } onCancel: {
            cancel(transfer)
        }
        return (head, stream)
    }

    private func submit(_ transfer: Transfer) {
        lock.withLock { pending.append(transfer) }
        curl_multi_wakeup(multi)
    }

    private func cancel(_ transfer: Transfer) {
        transfer.requestCancel()
        lock.withLock { cancelled.append(transfer) }
        curl_multi_wakeup(multi)
    }

    /// The client thread: add new transfers, drop cancelled ones, drive libcurl, finish what completed.
    private func loop() {
        while true {
            let (adding, dropping, stop) = lock.withLock { () -> ([Transfer], [Transfer], Bool) in
                defer {
                    pending.removeAll()
                    cancelled.removeAll()
                }
                return (pending, cancelled, stopping)
            }
            if stop { break }
            for transfer in adding {
                if transfer.isCancelled {
                    transfer.finish(CURLE_ABORTED_BY_CALLBACK)
                    continue
                }
                active[transfer.handle] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
            for transfer in dropping where active[transfer.handle] === transfer {
                curl_multi_remove_handle(multi, transfer.handle)
                active[transfer.handle] = nil
                transfer.finish(CURLE_ABORTED_BY_CALLBACK)
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let transfer = active.removeValue(forKey: handle)
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                transfer.finish(code)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}
