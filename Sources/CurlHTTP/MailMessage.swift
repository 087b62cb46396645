import Foundation

/// An email as RFC 5322 text with MIME parts: a text body, an optional HTML alternative, attachments.
public struct MailMessage: Sendable {
    public struct Attachment: Sendable {
        public var filename: String
        public var contentType: String
        public var data: Data

        public init(filename: String, contentType: String = "application/octet-stream", data: Data) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    public var from: String
    public var to: [String]
    public var cc: [String]
    public var subject: String
    public var text: String
    public var html: String?
    public var attachments: [Attachment]

    public init(from: String, to: [String], cc: [String] = [], subject: String, text: String, html: String? = nil,
                attachments: [Attachment] = []) {
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
    }

    /// The message, CRLF line endings, ready to upload.
    public func rendered(date: Date, boundarySeed: String = UUID().uuidString) -> Data {
        // Header values are one line each: a line break in a subject or an address cannot add headers.
        func line(_ text: String) -> String { text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") }
        var lines = [
            "From: \(line(from))", "To: \(line(to.joined(separator: ", ")))",
        ]
        if !cc.isEmpty { lines.append("Cc: \(line(cc.joined(separator: ", ")))") }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        lines += [
            "Subject: \(Self.encodedWord(line(subject)))", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(boundarySeed.lowercased())@windflow>", "MIME-Version: 1.0",
        ]
        let boundary = "windflow-\(boundarySeed.prefix(12))"
        let alternative = "windflow-alt-\(boundarySeed.prefix(12))"
        var body: [String] = []
        func textPart(_ content: String, _ type: String) -> [String] {
            ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", "",
             Self.wrapped(Data(content.utf8).base64EncodedString())]
        }
        var main: [String]
        if let html {
            main = ["Content-Type: multipart/alternative; boundary=\"\(alternative)\"", "", "--\(alternative)"]
                + textPart(text, "text/plain") + ["--\(alternative)"] + textPart(html, "text/html") + ["--\(alternative)--"]
        } else {
            main = textPart(text, "text/plain")
        }
        if attachments.isEmpty {
            lines += main
        } else {
            lines.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
            body = ["", "--\(boundary)"] + main
            for attachment in attachments {
                body += [
                    "--\(boundary)", "Content-Type: \(attachment.contentType); name=\"\(attachment.filename)\"",
                    "Content-Disposition: attachment; filename=\"\(attachment.filename)\"", "Content-Transfer-Encoding: base64", "",
                    Self.wrapped(attachment.data.base64EncodedString()),
                ]
            }
            body.append("--\(boundary)--")
            lines += body
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// `=?utf-8?B?…?=` for a subject that is not plain ASCII.
    static func encodedWord(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII }) else { return text }
        return "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func wrapped(_ base64: String) -> String {
        var lines: [Substring] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\r\n")
    }
}
