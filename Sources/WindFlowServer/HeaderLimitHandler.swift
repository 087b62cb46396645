import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import WindFlowCore

/// Answers a request head past the decoder's limits (`ConnectionLimits.maxHeaderBytes`, `maxHeaderCount`) with 431
/// and a problem+json body instead of the bare 400 the server would send, then ends the connection: its output at
/// once, the rest a second later, so the client reads the answer rather than a reset.
final class HeaderLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    let limits: ServerConfiguration.ConnectionLimits

    init(limits: ServerConfiguration.ConnectionLimits) {
        self.limits = limits
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        let problem: JSONValue = [
            "type": "https://windflow.dev/problems/request-header-fields-too-large", "title": "Request header fields too large",
            "status": 431,
            "detail": .string("the request line and headers may hold \(limits.maxHeaderBytes) bytes in \(limits.maxHeaderCount) fields at most"),
        ]
        let body = ByteBuffer(string: problem.prettyJSONText + "\n")
        let head = HTTPResponse(status: .requestHeaderFieldsTooLarge, headerFields: [
            .contentType: "application/problem+json", .contentLength: String(body.readableBytes), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
    }
}
