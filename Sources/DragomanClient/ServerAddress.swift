public import Foundation

/// Where a client finds the server: `http://host:port` or `https://host:port`, as `dragoman serve` prints it.
public struct ServerAddress: Sendable, CustomStringConvertible {
    public let base: URL

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw Invalid(description: "'\(text)' is not a server address; expected e.g. http://127.0.0.1:8080")
        }
        base = url
    }

    public var description: String { base.absoluteString }
    public var isTLS: Bool { base.scheme == "https" }

    /// The WebSocket URL of `path` with `query`.
    public func webSocketURL(_ path: String, query: [(String, String)]) -> String {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        components.scheme = isTLS ? "wss" : "ws"
        components.path = path
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        return components.string!
    }

    /// The HTTP URL of `path`.
    public func httpURL(_ path: String) -> URL {
        base.appendingPathComponent(path)
    }
}
