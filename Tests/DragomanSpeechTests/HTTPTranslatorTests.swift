import DragomanCore
import DragomanSpeech
import Foundation
import NIOConcurrencyHelpers
import Testing

/// The HTTP translators against local servers that answer as LibreTranslate, DeepL and OpenAI's chat
/// completions do, and that fail as engines fail.
@Suite struct HTTPTranslatorTests {
    let ru = LanguageTag("ru")!
    let en = LanguageTag("en")!
    /// Quick retries, so that the tests wait for nothing. A long timeout: an attempt that takes half of it is not
    /// retried, and on a machine loaded by parallel builds one attempt has taken over 5 s.
    let options = HTTPEngineOptions(
        timeout: .seconds(60),
        retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(5), maxDelay: .milliseconds(20))
    )

    static func chunk(_ delta: String, finish: String? = nil) -> String {
        let finishJSON = finish.map { "\"\($0)\"" } ?? "null"
        return
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":\(delta),\"logprobs\":null,\"finish_reason\":\(finishJSON)}]}\n\n"
    }

    /// An OpenAI chat stream of `pieces`, as the API sends it: a role, the contents, a stop, `[DONE]`.
    static func chatStream(_ pieces: [String]) -> [String] {
        [chunk("{\"role\":\"assistant\",\"content\":\"\"}")] + pieces.map { chunk("{\"content\":\"\($0)\"}") } + [
            chunk("{}", finish: "stop"), "data: [DONE]\n\n",
        ]
    }

    func expectError(_ code: SpeechError.Code, containing text: String, _ body: () async throws(SpeechError) -> String) async {
        do throws(SpeechError) {
            let value = try await body()
            Issue.record("expected \(code), got the answer '\(value)'")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.message.contains(text), "\(error)")
        }
    }

    // MARK: LibreTranslate

    @Test func libreTranslateSendsItsJSONAndReadsTranslatedText() async throws {
        let server = try await HTTPTestServer.start { _ in .json(200, #"{"translatedText": "Good day, dear colleagues."}"#) }
        defer { Task { await server.stop() } }
        let translator = LibreTranslateTranslator(baseURL: server.baseURL, apiKey: "k1", options: options)
        let text = try await translator.translate("Добрый день, уважаемые коллеги.", from: ru, to: en, glossary: [:])
        #expect(text == "Good day, dear colleagues.")
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.uri == "/translate")
        #expect(request.header("content-type") == "application/json")
        let json = try #require(request.json)
        #expect(json["q"] as? String == "Добрый день, уважаемые коллеги.")
        #expect(json["source"] as? String == "ru" && json["target"] as? String == "en")
        #expect(json["format"] as? String == "text" && json["api_key"] as? String == "k1")
    }

    @Test func libreTranslateRefusalIsNotRetried() async throws {
        let server = try await HTTPTestServer.start { _ in .json(400, #"{"error": "ru is not supported"}"#) }
        defer { Task { await server.stop() } }
        let translator = LibreTranslateTranslator(baseURL: server.baseURL, options: options)
        await expectError(.badResponse, containing: "HTTP 400 Bad Request: ru is not supported") {
            () async throws(SpeechError) -> String in try await translator.translate("Привет", from: ru, to: en, glossary: [:])
        }
        #expect(server.requests.count == 1)
        #expect(!translator.isCircuitOpen)
    }

    // MARK: DeepL

    @Test func deepLSendsItsKeyAndTargetVariant() async throws {
        let server = try await HTTPTestServer.start { _ in
            .json(200, #"{"translations": [{"detected_source_language": "RU", "text": "Today we will discuss the budget."}]}"#)
        }
        defer { Task { await server.stop() } }
        let translator = DeepLTranslator(baseURL: server.baseURL, authKey: "secret:fx", glossaryID: "g-1", options: options)
        let text = try await translator.translate("Сегодня мы обсудим бюджет.", from: ru, to: en, glossary: ["бюджет": "budget"])
        #expect(text == "Today we will discuss the budget.")
        let request = try #require(server.requests.first)
        #expect(request.uri == "/v2/translate")
        #expect(request.header("authorization") == "DeepL-Auth-Key secret:fx")
        let json = try #require(request.json)
        #expect(json["text"] as? [String] == ["Сегодня мы обсудим бюджет."])
        #expect(json["source_lang"] as? String == "RU" && json["target_lang"] as? String == "EN-US")
        #expect(json["glossary_id"] as? String == "g-1")
    }

    @Test func deepLQuotaExceededIsABadResponseNotRetried() async throws {
        let server = try await HTTPTestServer.start { _ in .json(456, #"{"message": "Quota exceeded"}"#) }
        defer { Task { await server.stop() } }
        let translator = DeepLTranslator(baseURL: server.baseURL, authKey: "k", options: options)
        await expectError(.badResponse, containing: "HTTP 456") { () async throws(SpeechError) -> String in
            try await translator.translate("Да", from: ru, to: en, glossary: [:])
        }
        #expect(server.requests.count == 1)
    }

    @Test func deepLTooManyRequestsIsRetried() async throws {
        let calls = NIOLockedValueBox(0)
        let server = try await HTTPTestServer.start { _ in
            let call = calls.withLockedValue {
                $0 += 1
                return $0
            }
            return call == 1
                ? .json(429, #"{"message": "Too many requests"}"#, headers: [("Retry-After", "0")])
                : .json(200, #"{"translations": [{"detected_source_language": "RU", "text": "Yes"}]}"#)
        }
        defer { Task { await server.stop() } }
        let translator = DeepLTranslator(baseURL: server.baseURL, authKey: "k", options: options)
        #expect(try await translator.translate("Да", from: ru, to: en, glossary: [:]) == "Yes")
        #expect(server.requests.count == 2)
    }

    // MARK: OpenAI chat completions, streamed

    @Test func chatStreamsTheTranslationWithTheGlossaryInTheSystemPrompt() async throws {
        let server = try await HTTPTestServer.start { _ in
            .stream(status: 200, contentType: "text/event-stream", chunks: Self.chatStream(["The budget", " of the", " Ministry."]), dieAfter: nil)
        }
        defer { Task { await server.stop() } }
        let pieces = NIOLockedValueBox<[String]>([])
        let translator = OpenAIChatTranslator(
            baseURL: server.baseURL,
            model: "test-model",
            apiKey: "sk-test",
            options: options,
            onDelta: { piece in pieces.withLockedValue { $0.append(piece) } }
        )
        let text = try await translator.translate("Бюджет Минфина.", from: ru, to: en, glossary: ["Минфин": "the Ministry of Finance"])
        #expect(text == "The budget of the Ministry.")
        #expect(pieces.withLockedValue { $0 } == ["The budget", " of the", " Ministry."])
        let request = try #require(server.requests.first)
        #expect(request.uri == "/v1/chat/completions")
        #expect(request.header("authorization") == "Bearer sk-test")
        let json = try #require(request.json)
        #expect(json["stream"] as? Bool == true && json["model"] as? String == "test-model")
        let messages = try #require(json["messages"] as? [[String: String]])
        #expect(messages.map { $0["role"] } == ["system", "user"])
        #expect(messages[0]["content"]?.contains("Минфин → the Ministry of Finance") == true)
        #expect(messages[0]["content"]?.contains("Russian (ru)") == true)
        #expect(messages[1]["content"] == "Бюджет Минфина.")
    }

    @Test func chatEventsMaySplitAnywhereAndUseCRLF() async throws {
        let stream = Self.chatStream(["Hello", " world"]).joined().replacingOccurrences(of: "\n", with: "\r\n")
        let bytes = Array(stream.utf8)
        let pieces = stride(from: 0, to: bytes.count, by: 7).map { String(decoding: bytes[$0..<min($0 + 7, bytes.count)], as: UTF8.self) }
        // Splitting UTF-8 at 7 bytes is safe here: the stream is ASCII.
        let server = try await HTTPTestServer.start { _ in
            .stream(status: 200, contentType: "text/event-stream; charset=utf-8", chunks: [": keep-alive\n\n"] + pieces, dieAfter: nil)
        }
        defer { Task { await server.stop() } }
        let translator = OpenAIChatTranslator(baseURL: server.baseURL, model: "m", options: options)
        #expect(try await translator.translate("Привет, мир", from: ru, to: en, glossary: [:]) == "Hello world")
    }

    @Test func chatServerError500IsRetriedThenReported() async throws {
        let server = try await HTTPTestServer.start { _ in
            .json(
                500,
                #"{"error": {"message": "The server had an error while processing your request.", "type": "server_error", "param": null, "code": null}}"#
            )
        }
        defer { Task { await server.stop() } }
        let translator = OpenAIChatTranslator(baseURL: server.baseURL, model: "m", options: options)
        await expectError(.badResponse, containing: "HTTP 500 Internal Server Error: The server had an error") {
            () async throws(SpeechError) -> String in try await translator.translate("Да", from: ru, to: en, glossary: [:])
        }
        #expect(server.requests.count == 3)
    }

    @Test func chatGarbageInTheStreamIsABadResponse() async throws {
        let server = try await HTTPTestServer.start { _ in
            .stream(
                status: 200,
                contentType: "text/event-stream",
                chunks: [Self.chunk("{\"content\":\"Hi\"}"), "data: <html>oops</html>\n\n"],
                dieAfter: nil
            )
        }
        defer { Task { await server.stop() } }
        let translator = OpenAIChatTranslator(baseURL: server.baseURL, model: "m", options: options)
        await expectError(.badResponse, containing: "not the expected JSON") { () async throws(SpeechError) -> String in
            try await translator.translate("Да", from: ru, to: en, glossary: [:])
        }
        #expect(server.requests.count == 1)
        #expect(translator.engineName.hasPrefix("openai-chat http://127.0.0.1:"))
    }

    @Test func chatStreamThatDiesMidwayIsRetriedThenReported() async throws {
        let server = try await HTTPTestServer.start { _ in
            .stream(status: 200, contentType: "text/event-stream", chunks: Self.chatStream(["The", " budget", " is"]), dieAfter: 2)
        }
        defer { Task { await server.stop() } }
        let translator = OpenAIChatTranslator(baseURL: server.baseURL, model: "m", options: options)
        do throws(SpeechError) {
            let text = try await translator.translate("Бюджет", from: ru, to: en, glossary: [:])
            Issue.record("a cut stream gave '\(text)'")
        } catch {
            #expect(error.code == .badResponse, "\(error)")
            #expect(error.message.contains("cut off") || error.message.contains("before 'data: [DONE]'"), "\(error)")
            #expect(error.message.contains("after 3 attempts"), "\(error)")
        }
        #expect(server.requests.count == 3)
    }

    @Test func chatWithoutStreamingSupportStillTranslates() async throws {
        let server = try await HTTPTestServer.start { _ in
            .json(
                200,
                #"{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Yes"},"finish_reason":"stop"}]}"#
            )
        }
        defer { Task { await server.stop() } }
        let translator = OpenAIChatTranslator(baseURL: server.baseURL, model: "m", options: options)
        #expect(try await translator.translate("Да", from: ru, to: en, glossary: [:]) == "Yes")
    }

    // MARK: Timeouts, dead engines, the circuit breaker

    @Test func anEngineThatNeverAnswersTimesOut() async throws {
        let server = try await HTTPTestServer.start { _ in .hang }
        defer { Task { await server.stop() } }
        let translator = LibreTranslateTranslator(baseURL: server.baseURL, options: HTTPEngineOptions(timeout: .milliseconds(300), retry: .none))
        await expectError(.timeout, containing: "no complete answer within 0.3 s") { () async throws(SpeechError) -> String in
            try await translator.translate("Да", from: ru, to: en, glossary: [:])
        }
    }

    @Test func aStreamThatStallsTimesOut() async throws {
        let stalling = try await HTTPTestServer.start { _ in .stall(contentType: "text/event-stream", chunks: [Self.chunk("{\"content\":\"The\"}")]) }
        defer { Task { await stalling.stop() } }
        let translator = OpenAIChatTranslator(
            baseURL: stalling.baseURL,
            model: "m",
            options: HTTPEngineOptions(timeout: .milliseconds(300), retry: .none)
        )
        await expectError(.timeout, containing: "no complete answer") { () async throws(SpeechError) -> String in
            try await translator.translate("Да", from: ru, to: en, glossary: [:])
        }
    }

    @Test func aDeadEngineIsUnavailableAtOnceNotAtTheTimeout() async throws {
        let server = try await HTTPTestServer.start { _ in .hang }
        let address = server.baseURL
        await server.stop()
        let started = ContinuousClock.now
        // Connection refused: each attempt fails at once (AsyncHTTPClient's default would retry connecting until the
        // deadline), so the three attempts and their backoff take well under a second, whatever the timeout.
        let translator = DeepLTranslator(baseURL: address, authKey: "k", options: HTTPEngineOptions(timeout: .seconds(30)))
        await expectError(.unavailable, containing: "cannot reach the engine") { () async throws(SpeechError) -> String in
            try await translator.translate("Да", from: ru, to: en, glossary: [:])
        }
        #expect(translator.engineName == "deepl \(address)")
        #expect(ContinuousClock.now - started < .seconds(3), "refused at once, not after the 30 s timeout")
    }

    @Test func theCircuitOpensOnAFailingEngineAndClosesWhenItRecovers() async throws {
        let healthy = NIOLockedValueBox(false)
        let server = try await HTTPTestServer.start { _ in
            healthy.withLockedValue { $0 }
                ? .json(200, #"{"translatedText": "Yes"}"#)
                : .json(503, #"{"error": "Slowdown: too many requests"}"#)
        }
        defer { Task { await server.stop() } }
        let translator = LibreTranslateTranslator(
            baseURL: server.baseURL,
            options: HTTPEngineOptions(
                timeout: .seconds(5),
                retry: .none,
                circuitBreaker: .init(failureThreshold: 2, openDuration: .milliseconds(300))
            )
        )
        for _ in 0..<2 {
            await expectError(.badResponse, containing: "HTTP 503") { () async throws(SpeechError) -> String in
                try await translator.translate("Да", from: ru, to: en, glossary: [:])
            }
        }
        #expect(translator.isCircuitOpen)
        await expectError(.unavailable, containing: "circuit breaker is open after 2 failed calls") {
            () async throws(SpeechError) -> String in try await translator.translate("Да", from: ru, to: en, glossary: [:])
        }
        #expect(server.requests.count == 2, "an open circuit sends nothing")

        healthy.withLockedValue { $0 = true }
        let deadline = ContinuousClock.now + .seconds(10)
        while translator.isCircuitOpen && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await translator.translate("Да", from: ru, to: en, glossary: [:]) == "Yes")
        #expect(!translator.isCircuitOpen)
        #expect(try await translator.translate("Да", from: ru, to: en, glossary: [:]) == "Yes")
        #expect(server.requests.count == 4)
    }

    @Test func emptyTextIsUnsupported() async throws {
        let translator = LibreTranslateTranslator(baseURL: "http://127.0.0.1:9", options: options)
        await expectError(.unsupported, containing: "empty") { () async throws(SpeechError) -> String in
            try await translator.translate("  ", from: ru, to: en, glossary: [:])
        }
    }
}
