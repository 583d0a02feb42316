import Foundation

/// The parts of a WebSocket request path that the gate routes on:
/// `/ws/{kind}/{code}?name=value&…`.
struct WebSocketRequest: Sendable {
    var kind: String
    var code: String
    var query: [String: String]

    init?(path: String) {
        let (pathPart, queryPart) = path.splitOnce("?")
        let parts = pathPart.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[0] == "ws" else { return nil }
        kind = String(parts[1])
        code = String(parts[2]).removingPercentEncoding ?? String(parts[2])
        query = Self.parseQuery(queryPart ?? "")
    }

    static func parseQuery(_ text: String) -> [String: String] {
        var query: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let (name, value) = String(pair).splitOnce("=")
            let decodedName = name.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? name
            let decodedValue = (value ?? "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            query[decodedName] = decodedValue
        }
        return query
    }
}

extension String {
    func splitOnce(_ separator: Character) -> (String, String?) {
        guard let index = firstIndex(of: separator) else { return (self, nil) }
        return (String(self[..<index]), String(self[self.index(after: index)...]))
    }
}
