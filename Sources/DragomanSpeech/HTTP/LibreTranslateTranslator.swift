public import AsyncHTTPClient
public import DragomanCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Text translation by LibreTranslate (`POST /translate`, JSON `{q, source, target, format, api_key}` →
/// `{"translatedText"}`; errors `{"error": "..."}` with 400, 403, 429, 500).
///
/// LibreTranslate has no glossary: the glossary argument is not used.
public struct LibreTranslateTranslator: TextTranslator {
    let engine: HTTPEngine
    let apiKey: String?

    /// - Parameters:
    ///   - baseURL: the server (e.g. `http://127.0.0.1:5000`).
    ///   - apiKey: the `api_key` field, for servers that require one.
    ///   - options: timeout, retries and circuit breaker.
    ///   - httpClient: the client to send with.
    public init(baseURL: String, apiKey: String? = nil, options: HTTPEngineOptions = .init(), httpClient: HTTPClient = .engines) {
        self.engine = HTTPEngine(kind: "libretranslate", baseURL: baseURL, client: httpClient, options: options)
        self.apiKey = apiKey
    }

    /// The engine as errors name it.
    public var engineName: String { engine.name }

    /// Whether the engine refuses calls now because it failed too often.
    public var isCircuitOpen: Bool { engine.breaker.withLockedValue { $0.isOpen(at: .now) } }

    struct Request: Encodable {
        var q: String
        var source: String
        var target: String
        var format = "text"
        var api_key: String?
    }
    struct Response: Decodable { var translatedText: String }

    public func translate(
        _ text: String,
        from source: LanguageTag,
        to target: LanguageTag,
        glossary: [String: String]
    ) async throws(SpeechError) -> String {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw engine.error(.unsupported, "an empty text has nothing to translate")
        }
        let body = Request(q: text, source: SpokenLanguageEvidence.primary(source), target: SpokenLanguageEvidence.primary(target), api_key: apiKey)
        let what = "POST /translate"
        return try await engine.perform(
            what,
            makeRequest: { engine.jsonRequest("/translate", body: body) },
            read: { response throws(AttemptFailure) in
                let bytes = try await engine.body(of: response, what)
                return try engine.decode(Response.self, from: bytes, what).translatedText
            }
        )
    }
}
