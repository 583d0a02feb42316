/// Splits a `text/event-stream` body into events' `data`, as the WHATWG specification says: lines end in
/// LF, CR or CRLF; `data:` lines of one event are joined with LF; a blank line ends the event; comments
/// (`:`) and other fields (`event:`, `id:`, `retry:`) are skipped. Fed bytes in whatever chunks arrive.
struct ServerSentEvents {
    private var line: [UInt8] = []
    private var data: [String] = []
    private var lastWasCR = false

    /// Takes the next bytes; returns the data of the events they completed.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        var events: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") && lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    /// Whether bytes of an unfinished event are pending.
    var hasPartialEvent: Bool { !line.isEmpty || !data.isEmpty }

    private mutating func endLine() -> String? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            guard !data.isEmpty else { return nil }
            defer { data.removeAll() }
            return data.joined(separator: "\n")
        }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        if field == "data" { data.append(String(value)) }
        return nil
    }
}
