public import AsyncHTTPClient
public import DragomanCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Text translation by a chat model over OpenAI's `POST /v1/chat/completions`, streamed (`stream: true`,
/// server-sent events of `chat.completion.chunk`s ending in `data: [DONE]`): OpenAI, or a local server
/// that speaks the API (llama.cpp's server, vLLM, Ollama).
///
/// The glossary goes into the system prompt as an instruction (`term → rendering`). A stream that ends
/// before `[DONE]` is a cut answer and is retried; data that is not a chunk is the engine's fault.
public struct OpenAIChatTranslator: TextTranslator {
    let engine: HTTPEngine
    /// The `model` of each request.
    public let model: String
    let apiKey: String?
    /// Called with each piece of the translation as it streams in (captions can show it early).
    let onDelta: (@Sendable (String) -> Void)?

    /// - Parameters:
    ///   - baseURL: where the API lives, without `/v1` (e.g. `http://127.0.0.1:8080`).
    ///   - model: the chat model.
    ///   - apiKey: sent as `Authorization: Bearer …` when given.
    ///   - options: timeout (of the whole stream), retries and circuit breaker.
    ///   - httpClient: the client to send with.
    ///   - onDelta: sees each streamed piece of text, in order.
    public init(
        baseURL: String,
        model: String,
        apiKey: String? = nil,
        options: HTTPEngineOptions = .init(),
        httpClient: HTTPClient = .engines,
        onDelta: (@Sendable (String) -> Void)? = nil
    ) {
        self.engine = HTTPEngine(kind: "openai-chat", baseURL: baseURL, client: httpClient, options: options)
        self.model = model
        self.apiKey = apiKey
        self.onDelta = onDelta
    }

    /// The engine as errors name it.
    public var engineName: String { engine.name }

    /// Whether the engine refuses calls now because it failed too often.
    public var isCircuitOpen: Bool { engine.breaker.withLockedValue { $0.isOpen(at: .now) } }

    struct Message: Codable { var role: String, content: String }
    struct Request: Encodable {
        var model: String
        var messages: [Message]
        var stream: Bool
        var temperature: Double
    }
    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable { var content: String? }
            var delta: Delta?
            var message: Delta?
            var finish_reason: String?
        }
        var choices: [Choice]?
        var error: ErrorBody?
    }
    struct ErrorBody: Decodable { var message: String? }

    /// The system prompt for one translation.
    static func systemPrompt(from source: LanguageTag, to target: LanguageTag, glossary: [String: String]) -> String {
        var prompt =
            "You translate live speech at a meeting from \(LanguageNames.englishName(of: source)) (\(source)) into "
            + "\(LanguageNames.englishName(of: target)) (\(target)). Reply with the translation only: no notes, no quotes, "
            + "no explanations. Keep names, numbers and the speaker's register."
        if !glossary.isEmpty {
            prompt += " Always translate these terms as given:"
            for (term, rendering) in glossary.sorted(by: { $0.key < $1.key }) { prompt += "\n- \(term) → \(rendering)" }
        }
        return prompt
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
            model: model,
            messages: [
                .init(role: "system", content: Self.systemPrompt(from: source, to: target, glossary: glossary)), .init(role: "user", content: text),
            ],
            stream: true,
            temperature: 0
        )
        let what = "POST /v1/chat/completions"
        let headers = apiKey.map { [("Authorization", "Bearer \($0)"), ("Accept", "text/event-stream")] } ?? [("Accept", "text/event-stream")]
        let translation = try await engine.perform(
            what,
            makeRequest: { engine.jsonRequest("/v1/chat/completions", body: body, headers: headers) },
            read: { response throws(AttemptFailure) in try await read(response, what) }
        )
        let trimmed = translation.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw engine.error(.badResponse, "\(what): the model answered with no text")
        }
        return trimmed
    }

    private func read(_ response: HTTPClientResponse, _ what: String) async throws(AttemptFailure) -> String {
        let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
        if contentType.hasPrefix("application/json") {
            // A server that ignores `stream` answers one chat.completion.
            let bytes = try await engine.body(of: response, what)
            let completion = try engine.decode(Chunk.self, from: bytes, what)
            guard let content = completion.choices?.first?.message?.content else {
                throw AttemptFailure(
                    kind: .engineFault,
                    error: engine.error(.badResponse, "\(what): the completion has no choices[0].message.content")
                )
            }
            return content
        }
        guard contentType.hasPrefix("text/event-stream") else {
            throw AttemptFailure(
                kind: .engineFault,
                error: engine.error(.badResponse, "\(what): expected a text/event-stream, got Content-Type '\(contentType)'")
            )
        }
        var events = ServerSentEvents()
        var text = ""
        var received = 0
        do {
            for try await buffer in response.body {
                received += buffer.readableBytes
                if received > engine.options.maxResponseBytes {
                    throw AttemptFailure(
                        kind: .engineFault,
                        error: engine.error(.badResponse, "\(what): the stream is longer than \(engine.options.maxResponseBytes) bytes")
                    )
                }
                for data in events.feed(buffer.readableBytesView) {
                    if data == "[DONE]" { return text }
                    let chunk = try engine.decode(Chunk.self, from: Array(data.utf8), "\(what): stream event")
                    if let error = chunk.error {
                        throw AttemptFailure(
                            kind: .engineFault,
                            error: engine.error(.failed, "\(what): the stream reported an error: \(error.message ?? "?")")
                        )
                    }
                    guard let choices = chunk.choices else {
                        throw AttemptFailure(
                            kind: .engineFault,
                            error: engine.error(.badResponse, "\(what): a stream event without choices: \(data.prefix(200))")
                        )
                    }
                    if let piece = choices.first?.delta?.content, !piece.isEmpty {
                        text += piece
                        onDelta?(piece)
                    }
                }
            }
        } catch let failure as AttemptFailure {
            throw failure
        } catch {
            throw engine.classify(error, what, answered: true)
        }
        throw AttemptFailure(
            kind: .transient,
            error: engine.error(.badResponse, "\(what): the stream ended before 'data: [DONE]' (\(text.count) characters received)")
        )
    }
}
