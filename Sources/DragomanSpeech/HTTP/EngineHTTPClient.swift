public import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The client the HTTP engines use by default: like `.shared`, except that a connection that cannot be made
    /// fails at once instead of being retried until the request's deadline. The engines sit in the room or on a
    /// nearby machine, so "connection refused" means the engine is down: the engine's own `RetryPolicy` tries again
    /// briefly, the circuit breaker then refuses fast, and the dashboard says so within seconds, not after a
    /// 30 s timeout per segment.
    public static let engines: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
