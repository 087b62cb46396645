import Foundation
import HTTPTypes
import Hummingbird
import WindFlowCore
import WindFlowEngine
import WindFlowStore

/// Live events as server-sent events.
///
/// `GET /api/v1/executions/{id}/events`: the execution's history, then live until it ends — what its state machine
/// decided, replayed from the stored events beside the stream (``LiveEventReplay``): `execution_started`,
/// `node_started`, `node_finished` (status, branch), `node_skipped`, `retry_scheduled`, `node_waiting`,
/// `node_iterating`, the `log` lines a node wrote before its `node_finished`, and last `execution_finished`. No inputs
/// or outputs. Each carries the sequence number of the stored event it comes from as `id`, so a client that reconnects
/// with `Last-Event-ID` misses nothing and sees nothing twice.
///
/// `GET /api/v1/events/stream[?workflow=NAME]`: every execution's stored events as they are committed, each with its
/// `execution_id` and `workflow`, by feed position (`id`, resumable); without `Last-Event-ID` it starts now.
///
/// Each API key may hold `ConnectionLimits.maxStreamsPerKey` streams open at once; past it, 429.
struct EventStreamRoute {
    let store: any WindFlowStorage
    let limiter: StreamLimiter
    /// How often the store is looked at for new events, in seconds.
    var pollInterval = 0.1

    func register(on group: RouterGroup<BasicRequestContext>) {
        group.get("executions/:id/events") { request, context -> Response in
            guard let id = context.parameters.get("id"), let record = try await store.execution(matching: id) else {
                return ServiceResponse.problem(.notFound, "No such execution")
            }
            let slot: StreamLimiter.Slot
            switch openSlot(request) {
            case .ok(let taken): slot = taken
            case .response(let refusal): return refusal
            }
            let start = Self.lastEventID(request) ?? 0
            let workflow = try await store.workflow(record.workflowID, version: record.workflowVersion)?.workflow
            let body = ResponseBody { [store, pollInterval] writer in
                // Something at once, so the client has the headers before the first event.
                try await writer.write(ByteBuffer(string: ": stream of \(record.id)\n\n"))
                var replay = workflow.map { LiveEventReplay(workflow: $0, executionID: record.id) }
                var last = 0
                var idlePolls = 0
                var finished = false
                while !Task.isCancelled {
                    // The status is read before the events: a run seen ended here has every event of it stored, so
                    // none committed between the two reads is left out of the stream.
                    let current = try await store.execution(record.id)
                    let fresh = try await store.events(of: record.id, after: last)
                    for (sequence, text) in fresh {
                        last = sequence
                        guard let event = (try? JSONValue.parse(text)).flatMap(ExecutionEvent.init(jsonValue:)) else { continue }
                        let live = replay?.handle(event) ?? []
                        finished = finished || live.contains { if case .executionFinished = $0 { true } else { false } }
                        // Events before Last-Event-ID only bring the replayed machine up to date.
                        guard sequence > start else { continue }
                        var frames = ""
                        if case .nodeFinished(let key, _, _, let at) = event {
                            for line in try await store.logs(of: record.id, node: key.description, at: at) {
                                let data: JSONValue = ["node": .string(key.description), "level": .string(line.level), "message": .string(line.message), "at": .timestamp(line.at)]
                                frames += Self.frame(id: sequence, type: "log", data: data.jsonText)
                            }
                        }
                        for message in live { frames += Self.frame(id: sequence, type: message.name, data: message.jsonValue.jsonText) }
                        if !frames.isEmpty { try await writer.write(ByteBuffer(string: frames)) }
                    }
                    if fresh.isEmpty, current?.status.isTerminal ?? true {
                        // A run that ended without a stored event saying so (it could not start) still says how.
                        if !finished, let current { try await writer.write(ByteBuffer(string: Self.frame(Self.finished(current)))) }
                        break
                    }
                    idlePolls = fresh.isEmpty ? idlePolls + 1 : 0
                    if idlePolls % 150 == 149 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                    if fresh.isEmpty { try await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9)) }
                }
                try await writer.finish(nil)
                withExtendedLifetime(slot) {}
            }
            return Self.stream(body)
        }
        group.get("events/stream") { request, _ -> Response in
            let workflow = request.uri.queryParameters.get("workflow").map { String($0) }
            let slot: StreamLimiter.Slot
            switch openSlot(request) {
            case .ok(let taken): slot = taken
            case .response(let refusal): return refusal
            }
            let start: Int
            if let last = Self.lastEventID(request) { start = last } else { start = try await store.feedPosition() }
            let body = ResponseBody { [store, pollInterval] writer in
                try await writer.write(ByteBuffer(string: ": stream of every run after \(start)\n\n"))
                var last = start
                var idlePolls = 0
                while !Task.isCancelled {
                    let fresh = try await store.feed(after: last, workflow: workflow, limit: 500)
                    var frames = ""
                    for entry in fresh {
                        last = entry.position
                        guard case .object(var object) = (try? JSONValue.parse(entry.event)) ?? .null else { continue }
                        object["execution_id"] = .string(entry.execution)
                        object["workflow"] = .string(entry.workflow)
                        frames += Self.frame(id: entry.position, type: object["type"]?.stringValue ?? "event", data: Self.published(.object(object)).jsonText)
                    }
                    if !frames.isEmpty { try await writer.write(ByteBuffer(string: frames)) }
                    idlePolls = fresh.isEmpty ? idlePolls + 1 : 0
                    if idlePolls % 150 == 149 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                    if fresh.isEmpty { try await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9)) }
                }
                try await writer.finish(nil)
                withExtendedLifetime(slot) {}
            }
            return Self.stream(body)
        }
    }

    /// A place for one more stream of this caller, or the 429 that says there is none.
    private func openSlot(_ request: Request) -> Answer<StreamLimiter.Slot> {
        if let slot = limiter.acquire(authorization: request.headers[.authorization] ?? "") { return .ok(slot) }
        var response = ServiceResponse.problem(.tooManyRequests, "Too many streams",
                                               detail: "this API key has \(limiter.maxPerKey) live event streams open, the most it may; close one first")
        response.headers[.retryAfter] = "5"
        return .response(response)
    }

    static func lastEventID(_ request: Request) -> Int? {
        request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int($0) }
    }

    /// A stored event as clients get it: its times (`at`, a wait's `outcome.until`) as RFC 3339 text, like every
    /// time in the API; the store keeps seconds.
    static func published(_ event: JSONValue) -> JSONValue {
        guard case .object(var object) = event else { return event }
        if let at = object["at"]?.doubleValue { object["at"] = .timestamp(at) }
        if case .object(var outcome)? = object["outcome"], let until = outcome["until"]?.doubleValue {
            outcome["until"] = .timestamp(until)
            object["outcome"] = .object(outcome)
        }
        return .object(object)
    }

    static func frame(id: Int, type: String, data: String) -> String {
        "id: \(id)\nevent: \(type)\ndata: \(data)\n\n"
    }

    /// A frame without an id (nothing stored to resume after).
    static func frame(_ event: LiveEvent) -> String {
        "event: \(event.name)\ndata: \(event.jsonValue.jsonText)\n\n"
    }

    /// How a run ended, from its record.
    static func finished(_ record: ExecutionRecord) -> LiveEvent {
        let error = record.errorKind.map { LiveError(kind: $0, message: record.errorMessage ?? "", node: record.errorNode) }
        return .executionFinished(record.status, error: error, at: record.finishedAt)
    }

    static func stream(_ body: ResponseBody) -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
