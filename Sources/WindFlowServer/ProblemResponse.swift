import Hummingbird
import WindFlowCore

/// Responses in the service's two shapes: JSON, and RFC 9457 problem details for errors.
enum ServiceResponse {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: value.prettyJSONText + "\n")))
    }

    /// A problem+json response: what went wrong (`title`), this occurrence (`detail`), and any extra members.
    static func problem(_ status: HTTPResponse.Status, _ title: String, detail: String? = nil, extra: [String: JSONValue] = [:]) -> Response {
        var object: [String: JSONValue] = [
            "type": .string("https://windflow.dev/problems/\(title.lowercased().replacingOccurrences(of: " ", with: "-"))"),
            "title": .string(title), "status": .int(Int(status.code)),
        ]
        if let detail { object["detail"] = .string(detail) }
        for (key, value) in extra { object[key] = value }
        return Response(status: status, headers: [.contentType: "application/problem+json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(object).prettyJSONText + "\n")))
    }
}
