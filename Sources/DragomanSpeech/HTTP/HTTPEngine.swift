public import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// How an HTTP engine adapter treats its engine: how long one request may take, how transient failures
/// are retried, and when a failing engine is cut off for a while.
public struct HTTPEngineOptions: Sendable, Equatable {
    /// The longest one request may take, its answer (a whole stream) included.
    public var timeout: Duration
    /// Retries of transient failures.
    public var retry: RetryPolicy
    /// When a failing engine is refused fast, and for how long.
    public var circuitBreaker: CircuitBreaker.Configuration
    /// The largest answer body read, in bytes.
    public var maxResponseBytes: Int

    public init(
        timeout: Duration = .seconds(20),
        retry: RetryPolicy = .init(),
        circuitBreaker: CircuitBreaker.Configuration = .init(),
        maxResponseBytes: Int = 4 << 20
    ) {
        self.timeout = timeout
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.maxResponseBytes = maxResponseBytes
    }
}

/// One failed attempt, and what it says about the engine.
struct AttemptFailure: Error, Sendable {
    enum Kind {
        /// Worth another try, and a sign of an unwell engine: no connection, timeout, 429/5xx, a cut stream.
        case transient
        /// Not worth another try, but the engine is unwell: it answered garbage.
        case engineFault
        /// The engine is well and said no (4xx): neither retried nor held against it.
        case rejected
    }

    var kind: Kind
    var error: SpeechError
    var retryAfter: Duration? = nil
}

/// The machinery every HTTP adapter shares: one engine's address, client, options and circuit breaker.
/// Each call runs its attempts through `perform`, which times, retries, and keeps the breaker.
final class HTTPEngine: Sendable {
    /// The engine as errors name it, e.g. `openai-chat http://127.0.0.1:8080`.
    let name: String
    let baseURL: String
    let client: HTTPClient
    let options: HTTPEngineOptions
    let breaker: NIOLockedValueBox<CircuitBreaker>

    init(kind: String, baseURL: String, client: HTTPClient, options: HTTPEngineOptions) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.name = "\(kind) \(base)"
        self.baseURL = base
        self.client = client
        self.options = options
        self.breaker = NIOLockedValueBox(CircuitBreaker(options.circuitBreaker))
    }

    func error(_ code: SpeechError.Code, _ message: String) -> SpeechError {
        SpeechError(code, engine: name, message)
    }

    /// Sends the request made by `makeRequest` (again on each retry) and reads its answer with `read`,
    /// which sees only 2xx answers. Everything else becomes a `SpeechError` naming the engine and the problem.
    func perform<T: Sendable>(
        _ what: String,
        makeRequest: () -> HTTPClientRequest,
        read: @escaping @Sendable (HTTPClientResponse) async throws(AttemptFailure) -> T
    ) async throws(SpeechError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            let now = ContinuousClock.now
            let permission = breaker.withLockedValue { $0.permit(at: now) }
            if case .refused(let retryAt) = permission {
                let failures = breaker.withLockedValue { $0.consecutiveFailures }
                let wait = Double((retryAt - now).components.seconds) + Double((retryAt - now).components.attoseconds) / 1e18
                throw error(
                    .unavailable,
                    "\(what): not tried: the circuit breaker is open after \(failures) failed calls in a row; next try in \(String(format: "%.1f", wait)) s"
                )
            }
            let attemptStarted = ContinuousClock.now
            do throws(AttemptFailure) {
                let value = try await timed(what, request: makeRequest(), read: read)
                breaker.withLockedValue { $0.recordSuccess() }
                return value
            } catch {
                switch error.kind {
                case .rejected:
                    breaker.withLockedValue { $0.recordSuccess() }
                    throw error.error
                case .engineFault:
                    breaker.withLockedValue { $0.recordFailure(at: .now) }
                    throw error.error
                case .transient:
                    // An attempt that took half the timeout or more (a timeout) is not repeated: the caller's
                    // time is worth more than another wait.
                    let slow = ContinuousClock.now - attemptStarted >= options.timeout / 2
                    if attempt >= options.retry.maxAttempts || Task.isCancelled || slow {
                        breaker.withLockedValue { $0.recordFailure(at: .now) }
                        var final = error.error
                        if attempt > 1 { final.message += " (after \(attempt) attempts)" }
                        throw final
                    }
                    let delay = options.retry.delay(afterAttempt: attempt, retryAfter: error.retryAfter, jitter: Double.random(in: 0...1))
                    try? await Task.sleep(for: delay)
                }
            }
        }
    }

    /// One attempt under the timeout. AsyncHTTPClient's deadline ends at the response head (and bounds
    /// connecting); a timer bounds the whole answer, streamed bodies included, by cancelling the read.
    private func timed<T: Sendable>(
        _ what: String,
        request: HTTPClientRequest,
        read: @escaping @Sendable (HTTPClientResponse) async throws(AttemptFailure) -> T
    ) async throws(AttemptFailure) -> T {
        let timeout = options.timeout
        let result = await withTaskGroup(of: Result<T, AttemptFailure>?.self) { group in
            group.addTask {
                do throws(AttemptFailure) {
                    return .success(try await self.once(what, request: request, read: read))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                // A little after AsyncHTTPClient's own deadline, so that its more precise errors come first.
                try? await Task.sleep(for: timeout + .milliseconds(250))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let result { return try result.get() }
        if Task.isCancelled { throw AttemptFailure(kind: .rejected, error: error(.failed, "\(what): cancelled")) }
        throw AttemptFailure(kind: .transient, error: error(.timeout, "\(what): no complete answer within \(Self.seconds(timeout)) s"))
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%g", value)
    }

    private func once<T>(
        _ what: String,
        request: HTTPClientRequest,
        read: (HTTPClientResponse) async throws(AttemptFailure) -> T
    ) async throws(AttemptFailure) -> T {
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(Int64(options.timeout / .nanoseconds(1)))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: deadline)
        } catch {
            throw classify(error, what, answered: false)
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            let body = try? await response.body.collect(upTo: 64 << 10)
            let detail = body.map { Self.errorMessage(in: Array(buffer: $0)) } ?? ""
            let status = Int(response.status.code)
            let message = "\(what): HTTP \(status) \(response.status.reasonPhrase)\(detail.isEmpty ? "" : ": \(detail)")"
            let retryAfter = response.headers.first(name: "retry-after").flatMap(Int.init).map { Duration.seconds($0) }
            switch status {
            case 408, 425, 429, 500..<600:
                throw AttemptFailure(kind: .transient, error: error(status == 429 ? .unavailable : .badResponse, message), retryAfter: retryAfter)
            default:
                throw AttemptFailure(kind: .rejected, error: error(.badResponse, message))
            }
        }
        return try await read(response)
    }

    /// Reads a whole 2xx body, bounded.
    func body(of response: HTTPClientResponse, _ what: String) async throws(AttemptFailure) -> [UInt8] {
        do {
            return Array(buffer: try await response.body.collect(upTo: options.maxResponseBytes))
        } catch {
            throw classify(error, what, answered: true)
        }
    }

    /// Decodes a JSON answer; garbage is the engine's fault.
    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], _ what: String) throws(AttemptFailure) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            let sample = String(decoding: bytes.prefix(200), as: UTF8.self)
            throw AttemptFailure(
                kind: .engineFault,
                error: self.error(.badResponse, "\(what): the answer is not the expected JSON (\(error)): \(sample)")
            )
        }
    }

    /// Turns a transport error into an attempt failure.
    func classify(_ error: any Error, _ what: String, answered: Bool) -> AttemptFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return AttemptFailure(
                    kind: .transient,
                    error: self.error(.timeout, "\(what): no complete answer within \(Self.seconds(options.timeout)) s")
                )
            case .cancelled:
                return AttemptFailure(kind: .rejected, error: self.error(.failed, "\(what): cancelled"))
            case .bodyLengthMismatch:
                return AttemptFailure(kind: .engineFault, error: self.error(.badResponse, "\(what): \(error)"))
            default:
                break
            }
        }
        if error is NIOTooManyBytesError {
            return AttemptFailure(
                kind: .engineFault,
                error: self.error(.badResponse, "\(what): the answer is larger than \(options.maxResponseBytes) bytes")
            )
        }
        if answered {
            return AttemptFailure(kind: .transient, error: self.error(.badResponse, "\(what): the answer was cut off (\(error))"))
        }
        return AttemptFailure(kind: .transient, error: self.error(.unavailable, "\(what): cannot reach the engine (\(error))"))
    }

    /// The message in an error body, whichever engine's shape it has: OpenAI `{"error": {"message"}}`,
    /// LibreTranslate `{"error": "..."}`, DeepL `{"message": "..."}`; else the text itself, shortened.
    static func errorMessage(in bytes: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
            if let error = object["error"] as? String { return error }
            if let message = object["message"] as? String { return message }
            if let detail = object["detail"] as? String { return detail }
        }
        let text = String(decoding: bytes.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text
    }

    /// A JSON POST request to `path`.
    func jsonRequest(_ path: String, body: some Encodable, headers: [(String, String)] = []) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "dragoman")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        request.body = .bytes(ByteBuffer(bytes: data))
        return request
    }
}
