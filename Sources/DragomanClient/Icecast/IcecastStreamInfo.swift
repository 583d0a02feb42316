/// What Icecast shows about a stream in its directory and status pages (the `Ice-*` headers of the source request).
public struct IcecastStreamInfo: Sendable, Equatable {
    /// The stream's name, e.g. "State visit, Astana — Russian".
    public var name: String?
    /// A longer description.
    public var description: String?
    /// Whether Icecast may list the stream in public directories (YP). Off: an interpretation is rarely public.
    public var isPublic: Bool

    /// Creates stream information.
    public init(name: String? = nil, description: String? = nil, isPublic: Bool = false) {
        self.name = name
        self.description = description
        self.isPublic = isPublic
    }

    /// The header lines, each ending in CRLF.
    var headerLines: String {
        var lines = "Ice-Public: \(isPublic ? 1 : 0)\r\n"
        if let name, !name.isEmpty { lines += "Ice-Name: \(Self.headerValue(name))\r\n" }
        if let description, !description.isEmpty { lines += "Ice-Description: \(Self.headerValue(description))\r\n" }
        return lines
    }

    /// A header value cannot hold a line break: one would end the header and inject another.
    private static func headerValue(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
