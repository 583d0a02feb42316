/// The addresses phones in the room reach the server at, and the links built on them.
public struct PublicLinks: Sendable, Equatable {
    /// e.g. `http://192.168.1.20:8080`
    public var base: String
    /// e.g. `https://192.168.1.20:8443`, when HTTPS is served.
    public var secureBase: String?

    public init(base: String, secureBase: String? = nil) {
        self.base = base
        self.secureBase = secureBase
    }

    /// The join link of an event: the listener app, joined.
    public func join(_ code: JoinCode) -> String { "\(base)/j/\(code.value)" }
    /// The join link over HTTPS, when HTTPS is served.
    public func secureJoin(_ code: JoinCode) -> String? { secureBase.map { "\($0)/j/\(code.value)" } }
    /// The join link that opens `channel` directly (the place card of that language).
    public func join(_ code: JoinCode, channel: ChannelID) -> String {
        channel == .floor ? join(code) : "\(join(code))?channel=\(channel)"
    }
}
