import Foundation

/// Checks the head of an HTTP/1 request before the HTTP parser sees it, so that a malformed,
/// oversized or ambiguous request gets a clear status and a closed connection instead of a
/// connection left open. Pure: bytes in, verdict out.
enum RequestHeadCheck {
    /// The largest head (request line and headers) accepted.
    static let maximumHeadSize = 16 * 1024
    /// The longest request target accepted.
    static let maximumTargetLength = 8 * 1024
    /// The most header fields accepted.
    static let maximumHeaderCount = 100
    /// The largest body announced with Content-Length that is accepted (the API reads 16 KiB at most).
    static let maximumBodySize = 1 << 20

    /// How the request's body is delimited, once its head is accepted.
    enum Framing: Equatable {
        /// No body: the next bytes are the next request.
        case none
        /// A body of this many bytes.
        case length(Int)
        /// A chunked body: what follows is not looked at any more.
        case opaque
        /// A WebSocket upgrade: what follows are WebSocket frames (if the server accepts it).
        case webSocket
    }

    /// What to do with a request.
    enum Verdict: Equatable {
        case accept(Framing)
        /// Answer with `status` and close; `reason` is the body.
        case refuse(status: Int, reason: String)
    }

    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Checks one complete head: `bytes` up to and including the blank line.
    static func check(_ bytes: some Collection<UInt8>) -> Verdict {
        guard bytes.count <= maximumHeadSize else { return .refuse(status: 431, reason: "The request's headers are larger than 16 KiB.") }
        let lines = split(Array(bytes))
        guard let requestLine = lines.first else { return .refuse(status: 400, reason: "An empty request.") }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, let method = String(validating: parts[0], as: UTF8.self), methods.contains(method) else {
            return .refuse(status: 400, reason: "Not an HTTP request: the first line must be 'METHOD /path HTTP/1.1'.")
        }
        guard parts[2].elementsEqual("HTTP/1.1".utf8) || parts[2].elementsEqual("HTTP/1.0".utf8) else {
            return .refuse(status: 400, reason: "Only HTTP/1.0 and HTTP/1.1 are spoken here.")
        }
        let target = parts[1]
        guard target.count <= maximumTargetLength else { return .refuse(status: 414, reason: "The URL is longer than 8 KiB.") }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .refuse(status: 400, reason: "The URL must be printable ASCII (percent-encode anything else).")
        }

        let fields = lines.dropFirst().filter { !$0.isEmpty }
        guard fields.count <= maximumHeaderCount else {
            return .refuse(status: 431, reason: "More than \(maximumHeaderCount) header fields.")
        }
        var contentLengths: [Substring] = []
        var transferEncodings: [String] = []
        var upgrade = false
        for field in fields {
            guard let first = field.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t"),
                let colon = field.firstIndex(of: UInt8(ascii: ":")), colon > field.startIndex,
                field[..<colon].allSatisfy(isTokenCharacter),
                let value = String(validating: field[field.index(after: colon)...], as: UTF8.self)
            else {
                return .refuse(status: 400, reason: "A malformed header line.")
            }
            let name = String(decoding: field[..<colon], as: UTF8.self).lowercased()
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-length": contentLengths.append(Substring(trimmed))
            case "transfer-encoding": transferEncodings.append(trimmed.lowercased())
            case "upgrade": upgrade = upgrade || trimmed.lowercased() == "websocket"
            default: break
            }
        }
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else {
                return .refuse(status: 400, reason: "Content-Length and Transfer-Encoding together are ambiguous.")
            }
            guard transferEncodings == ["chunked"] else {
                return .refuse(status: 400, reason: "Only 'Transfer-Encoding: chunked' is accepted.")
            }
            return .accept(.opaque)
        }
        guard contentLengths.count <= 1 else { return .refuse(status: 400, reason: "More than one Content-Length.") }
        if let text = contentLengths.first {
            guard !text.isEmpty, text.count <= 12, text.allSatisfy(\.isASCIIDigit), let length = Int(text) else {
                return .refuse(status: 400, reason: "Content-Length is not a number.")
            }
            guard length <= maximumBodySize else { return .refuse(status: 413, reason: "The body is larger than 1 MiB.") }
            if length > 0 { return .accept(.length(length)) }
        }
        return .accept(upgrade ? .webSocket : .none)
    }

    /// The end of the head in `bytes` (the index just past CRLF CRLF), if it is complete.
    static func endOfHead(in bytes: some BidirectionalCollection<UInt8>) -> Int? {
        var matched = 0
        for (offset, byte) in bytes.enumerated() {
            switch (matched, byte) {
            case (0, 13), (2, 13): matched += 1
            case (1, 10): matched = 2
            case (3, 10): return offset + 1
            case (_, 13): matched = 1
            default: matched = 0
            }
        }
        return nil
    }

    private static func split(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 10 {
                let end = index > start && bytes[index - 1] == 13 ? index - 1 : index
                lines.append(bytes[start..<end])
                start = index + 1
            }
            index += 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }

    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
