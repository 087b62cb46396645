import Foundation
import HTTPTypes
import Hummingbird
import WindFlowCore
import WindFlowStore

/// `GET /api/v1/executions/{id}/events`: the execution's history as server-sent events, then live until it ends.
/// Every event carries its sequence number as `id`, so a client that reconnects with `Last-Event-ID` misses nothing.
struct EventStreamRoute {
    let store: SQLiteStore
    /// How often the store is looked at for new events, in seconds.
    var pollInterval = 0.1

    func register(on group: RouterGroup<BasicRequestContext>) {
        group.get("executions/:id/events") { request, context -> Response in
            guard let id = context.parameters.get("id"), let record = try store.execution(matching: id) else {
                return ServiceResponse.problem(.notFound, "No such execution")
            }
            let start = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int($0) } ?? 0
            let body = ResponseBody { [store, pollInterval] writer in
                var last = start
                var idlePolls = 0
                while !Task.isCancelled {
                    let fresh = try store.events(of: record.id, after: last)
                    for (sequence, event) in fresh {
                        let type = (try? JSONDecoder().decode(JSONValue.self, from: Data(event.utf8)))?["type"]?.stringValue ?? "event"
                        try await writer.write(ByteBuffer(string: "id: \(sequence)\nevent: \(type)\ndata: \(event)\n\n"))
                        last = sequence
                    }
                    let status = try store.execution(record.id)?.status ?? "failed"
                    if ["succeeded", "failed", "cancelled"].contains(status), fresh.isEmpty {
                        try await writer.write(ByteBuffer(string: "event: end\ndata: {\"status\":\"\(status)\"}\n\n"))
                        break
                    }
                    idlePolls = fresh.isEmpty ? idlePolls + 1 : 0
                    if idlePolls % 150 == 149 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                    try await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }
}
