public import AsyncHTTPClient
public import DragomanCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Text translation by DeepL (`POST /v2/translate`, `Authorization: DeepL-Auth-Key …`, JSON
/// `{"text": [...], "source_lang", "target_lang", "glossary_id"}` → `{"translations": [{"text",
/// "detected_source_language"}]}`). 429, 5xx and 529 are retried; 403 (bad key) and 456 (quota used up)
/// are not.
///
/// DeepL applies a glossary only by id, made beforehand through its glossary API for one language pair:
/// pass it as `glossaryID`. The per-call glossary argument is not sent (DeepL's `context` parameter is not
/// meant for rules such as "translate X as Y").
public struct DeepLTranslator: TextTranslator {
    let engine: HTTPEngine
    let authKey: String
    let glossaryID: String?

    /// - Parameters:
    ///   - baseURL: `https://api.deepl.com`, `https://api-free.deepl.com` (keys ending in `:fx`), or a stand-in.
    ///   - authKey: the DeepL authentication key.
    ///   - glossaryID: a DeepL glossary for the language pair in use.
    ///   - options: timeout, retries and circuit breaker.
    ///   - httpClient: the client to send with.
    public init(
        baseURL: String = "https://api.deepl.com",
        authKey: String,
        glossaryID: String? = nil,
        options: HTTPEngineOptions = .init(),
        httpClient: HTTPClient = .engines
    ) {
        self.engine = HTTPEngine(kind: "deepl", baseURL: baseURL, client: httpClient, options: options)
        self.authKey = authKey
        self.glossaryID = glossaryID
    }

    /// The engine as errors name it.
    public var engineName: String { engine.name }

    /// Whether the engine refuses calls now because it failed too often.
    public var isCircuitOpen: Bool { engine.breaker.withLockedValue { $0.isOpen(at: .now) } }

    struct Request: Encodable {
        var text: [String]
        var source_lang: String
        var target_lang: String
        var glossary_id: String?
    }
    struct Response: Decodable {
        struct Translation: Decodable {
            var text: String
            var detected_source_language: String?
        }
        var translations: [Translation]
    }

    /// DeepL's code for a target language: English and Portuguese need a variant (`EN-US` unless the tag
    /// says `en-gb`; `PT-PT` unless `pt-br`).
    static func targetCode(_ tag: LanguageTag) -> String {
        let value = tag.value.uppercased()
        switch value {
        case "EN": return "EN-US"
        case "PT": return "PT-PT"
        case "ZH": return "ZH-HANS"
        default: return value
        }
    }

    public func translate(
        _ text: String,
        from source: LanguageTag,
        to target: LanguageTag,
        glossary: [String: String]
    ) async throws(SpeechError) -> String {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw engine.error(.unsupported, "an empty text has nothing to translate")
        }
        let body = Request(
            text: [text],
            source_lang: SpokenLanguageEvidence.primary(source).uppercased(),
            target_lang: Self.targetCode(target),
            glossary_id: glossaryID
        )
        let what = "POST /v2/translate"
        let headers = [("Authorization", "DeepL-Auth-Key \(authKey)")]
        return try await engine.perform(
            what,
            makeRequest: { engine.jsonRequest("/v2/translate", body: body, headers: headers) },
            read: { response throws(AttemptFailure) in
                let bytes = try await engine.body(of: response, what)
                let answer = try engine.decode(Response.self, from: bytes, what)
                guard let first = answer.translations.first else {
                    throw AttemptFailure(kind: .engineFault, error: engine.error(.badResponse, "\(what): no translations in the answer"))
                }
                return first.text
            }
        )
    }
}
