public import AsyncHTTPClient
import DragomanAudio
public import DragomanCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Speech recognition, spoken language identification and speech translation into English over
/// OpenAI's audio API (`POST /v1/audio/transcriptions` and `/v1/audio/translations`, `verbose_json`):
/// Dragoman's local Whisper worker (`scripts/whisper-worker`), OpenAI itself, or any server that speaks it.
///
/// Each segment goes up as a 16-bit 16 kHz mono WAV file. The transcript carries Whisper's
/// `no_speech_prob` (the lowest of its segments: one segment of speech is speech) and `compression_ratio`
/// (the highest) so that callers can drop what Whisper made up on silence; the local worker drops such
/// segments itself.
public struct OpenAITranscriber: SpeechRecognizer, SpokenLanguageIdentifier, SpeechTranslator {
    let engine: HTTPEngine
    /// The model asked for (`whisper-1` is the worker's default model).
    public let model: String
    let apiKey: String?

    /// - Parameters:
    ///   - baseURL: where the API lives, without `/v1` (e.g. `http://127.0.0.1:8971`).
    ///   - model: the `model` field of each request.
    ///   - apiKey: sent as `Authorization: Bearer …` when given.
    ///   - options: timeout, retries and circuit breaker.
    ///   - httpClient: the client to send with (`HTTPClient.engines` by default).
    public init(
        baseURL: String = "http://127.0.0.1:8971",
        model: String = "whisper-1",
        apiKey: String? = nil,
        options: HTTPEngineOptions = .init(timeout: .seconds(30)),
        httpClient: HTTPClient = .engines
    ) {
        self.engine = HTTPEngine(kind: "openai-audio", baseURL: baseURL, client: httpClient, options: options)
        self.model = model
        self.apiKey = apiKey
    }

    /// The engine as errors name it.
    public var engineName: String { engine.name }

    /// Whether the engine refuses calls now because it failed too often.
    public var isCircuitOpen: Bool { engine.breaker.withLockedValue { $0.isOpen(at: .now) } }

    public var targetLanguages: Set<LanguageTag> { [LanguageTag("en")!] }

    public func transcribe(_ segment: SpeechSegment, language: LanguageTag?, hints: [String]) async throws(SpeechError) -> Transcript {
        let answer = try await send(.transcriptions, segment, language: language, hints: hints)
        return answer.transcript(language: nil)
    }

    public func identify(_ segment: SpeechSegment, among candidates: [LanguageTag]) async throws(SpeechError) -> [(LanguageTag, Double)] {
        let answer = try await send(.transcriptions, segment, language: nil, hints: [])
        let detected = LanguageNames.tag(for: answer.language)
        return SpokenLanguageEvidence.rank(
            probabilities: answer.language_probabilities ?? [:],
            detected: detected,
            text: answer.text,
            among: candidates
        )
    }

    public func translate(_ segment: SpeechSegment, into target: LanguageTag, hints: [String]) async throws(SpeechError) -> Transcript {
        guard SpokenLanguageEvidence.primary(target) == "en" else {
            throw engine.error(.unsupported, "speech translation goes into English only, not '\(target)'")
        }
        let answer = try await send(.translations, segment, language: nil, hints: hints)
        return answer.transcript(language: target)
    }

    enum Endpoint: String {
        case transcriptions, translations
    }

    /// `verbose_json`, and the worker's extensions.
    struct Verbose: Decodable {
        struct Segment: Decodable {
            var text: String
            var no_speech_prob: Double?
            var compression_ratio: Double?
            var avg_logprob: Double?
        }
        var text: String
        var language: String
        var duration: Double?
        var segments: [Segment]?
        var language_probabilities: [String: Double]?
        var dropped_segments: [Dropped]?
        struct Dropped: Decodable { var reason: String }

        func transcript(language fixed: LanguageTag?) -> Transcript {
            let tag = fixed ?? LanguageNames.tag(for: language)
            let code = tag.map(SpokenLanguageEvidence.primary)
            let probability = fixed == nil ? code.flatMap { language_probabilities?[$0] } : nil
            let segments = segments ?? []
            var noSpeech = segments.compactMap(\.no_speech_prob).min()
            if segments.isEmpty, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, !(dropped_segments ?? []).isEmpty {
                noSpeech = 1  // everything was silence or made up, and the worker dropped it
            }
            return Transcript(
                text: text.trimmingCharacters(in: .whitespacesAndNewlines),
                language: tag,
                languageProbability: probability,
                noSpeechProbability: noSpeech,
                compressionRatio: segments.compactMap(\.compression_ratio).max()
            )
        }
    }

    func send(_ endpoint: Endpoint, _ segment: SpeechSegment, language: LanguageTag?, hints: [String]) async throws(SpeechError) -> Verbose {
        guard !segment.samples.isEmpty else {
            throw engine.error(.unsupported, "an empty segment has nothing to transcribe")
        }
        let wav = WAVFile.encode(PCMAudio(sampleRate: SpeechSegment.sampleRate, channels: 1, samples: segment.samples))
        var builder = MultipartForm()
        builder.addFile("file", filename: "segment.wav", contentType: "audio/wav", wav)
        builder.add("model", model)
        builder.add("response_format", "verbose_json")
        builder.add("temperature", "0")
        if let language { builder.add("language", SpokenLanguageEvidence.primary(language)) }
        if let prompt = Self.prompt(hints) { builder.add("prompt", prompt) }
        let form = builder
        let body = form.finished()
        let what = "POST /v1/audio/\(endpoint.rawValue)"
        return try await engine.perform(
            what,
            makeRequest: {
                var request = HTTPClientRequest(url: engine.baseURL + "/v1/audio/" + endpoint.rawValue)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: form.contentType)
                request.headers.add(name: "User-Agent", value: "dragoman")
                if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
                request.body = .bytes(ByteBuffer(bytes: body))
                return request
            },
            read: { response throws(AttemptFailure) in
                let bytes = try await engine.body(of: response, what)
                return try engine.decode(Verbose.self, from: bytes, what)
            }
        )
    }

    /// Hints as Whisper's prompt: the words in a comma list, which biases spelling without being
    /// mistaken for speech; kept well under Whisper's 224-token prompt window.
    static func prompt(_ hints: [String]) -> String? {
        var prompt = ""
        for hint in hints where !hint.isEmpty {
            let next = prompt.isEmpty ? hint : prompt + ", " + hint
            if next.count > 400 { break }
            prompt = next
        }
        return prompt.isEmpty ? nil : prompt + "."
    }
}
