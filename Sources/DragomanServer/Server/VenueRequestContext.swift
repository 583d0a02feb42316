import Hummingbird
import NIOCore

/// The request context of every HTTP route: Hummingbird's basics plus the client's address, which
/// the credential lockout counts wrong guesses by.
struct VenueRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's IP address as text ("" when the socket has none, e.g. a Unix socket).
    let clientAddress: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? ""
    }
}
