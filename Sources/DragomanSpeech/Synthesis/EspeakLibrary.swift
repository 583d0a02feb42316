internal import CEspeakNG
import Foundation

/// libespeak-ng's one engine per process, behind a lock.
///
/// espeak-ng keeps everything in globals (the data folder, the voice, the rate, the callback), so every call into
/// it goes through `withLoaded(dataPath:_:)`, one at a time; a data folder other than the loaded one is loaded
/// in its place first.
final class EspeakLibrary: @unchecked Sendable {
    // @unchecked Sendable: `loaded` and every call into libespeak-ng happen with `lock` held.

    /// The process's engine.
    static let shared = EspeakLibrary()

    /// What is loaded: the data folder (nil: the library's default) and what it holds.
    struct Loaded: Sendable {
        var dataPath: String?
        var sampleRate: Int
        var voices: [EspeakVoice]
    }

    private let lock = NSLock()
    private var loaded: Loaded?

    private init() {}

    /// Runs `body` with espeak-ng loaded from `dataPath`, with no other call into espeak-ng running.
    func withLoaded<T>(dataPath: String?, _ body: (Loaded) throws(SpeechError) -> T) throws(SpeechError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let current: Loaded
        if let loaded, loaded.dataPath == dataPath {
            current = loaded
        } else {
            current = try load(dataPath: dataPath)
        }
        return try body(current)
    }

    /// Synthesizes `text` with the voice `voice` (a name or identifier from espeak's list) at `wordsPerMinute`;
    /// returns 16-bit samples at the loaded sample rate. Call inside `withLoaded`.
    func synthesize(_ text: String, voice: String, wordsPerMinute: Int) throws(SpeechError) -> [Int16] {
        let voiceStatus = espeak_ng_SetVoiceByName(voice)
        guard voiceStatus == ENS_OK else {
            if voiceStatus == ENS_VOICE_NOT_FOUND {
                throw SpeechError(.unsupported, engine: EspeakSynthesizer.engine, "espeak-ng has no voice '\(voice)'")
            }
            throw SpeechError(.failed, engine: EspeakSynthesizer.engine, "selecting voice '\(voice)': \(Self.message(voiceStatus))")
        }
        let rateStatus = espeak_ng_SetParameter(espeakRATE, Int32(wordsPerMinute), 0)
        guard rateStatus == ENS_OK else {
            throw SpeechError(.failed, engine: EspeakSynthesizer.engine, "setting the rate \(wordsPerMinute) wpm: \(Self.message(rateStatus))")
        }
        let sink = SampleSink()
        let status = withExtendedLifetime(sink) {
            text.withCString { chars in
                espeak_ng_Synthesize(
                    chars,
                    strlen(chars) + 1,
                    0,
                    POS_CHARACTER,
                    0,
                    UInt32(espeakCHARS_UTF8 | espeakENDPAUSE),
                    nil,
                    Unmanaged.passUnretained(sink).toOpaque()
                )
            }
        }
        guard status == ENS_OK else {
            throw SpeechError(.failed, engine: EspeakSynthesizer.engine, "synthesizing with voice '\(voice)': \(Self.message(status))")
        }
        return sink.samples
    }

    /// Loads espeak-ng's data (the phonemes, the voice list) and sets synchronous output. Lock held.
    private func load(dataPath: String?) throws(SpeechError) -> Loaded {
        if let dataPath {
            // espeak-ng falls back to its default folder when the one given lacks its data: check it here, so that
            // a wrong folder is an error rather than a silent switch.
            let phontab = (dataPath as NSString).appendingPathComponent("phontab")
            guard FileManager.default.isReadableFile(atPath: phontab) else {
                throw SpeechError(
                    .modelMissing,
                    engine: EspeakSynthesizer.engine,
                    "the espeak-ng data folder \(dataPath) has no readable phontab (install espeak-ng-data, or give the folder that has it)"
                )
            }
        }
        if loaded != nil {
            _ = espeak_ng_Terminate()
            loaded = nil
        }
        espeak_ng_InitializePath(dataPath)
        var context: espeak_ng_ERROR_CONTEXT?
        let status = espeak_ng_Initialize(&context)
        espeak_ng_ClearErrorContext(&context)
        guard status == ENS_OK else {
            throw SpeechError(
                .unavailable,
                engine: EspeakSynthesizer.engine,
                "initializing espeak-ng from \(dataPath ?? "its default data folder"): \(Self.message(status)) (install espeak-ng-data)"
            )
        }
        let output = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nil)
        guard output == ENS_OK else {
            throw SpeechError(.unavailable, engine: EspeakSynthesizer.engine, "setting synchronous output: \(Self.message(output))")
        }
        espeak_SetSynthCallback(espeakCallback)
        let result = Loaded(dataPath: dataPath, sampleRate: Int(espeak_ng_GetSampleRate()), voices: Self.listVoices())
        loaded = result
        return result
    }

    /// Every voice espeak-ng's data holds. Lock held.
    private static func listVoices() -> [EspeakVoice] {
        guard var entry = espeak_ListVoices(nil) else { return [] }
        var voices: [EspeakVoice] = []
        while let voice = entry.pointee {
            let v = voice.pointee
            if let identifier = v.identifier {
                voices.append(
                    EspeakVoice(
                        identifier: String(cString: identifier),
                        name: v.name.map { String(cString: $0) } ?? "",
                        languages: v.languages.map(EspeakVoice.parseLanguages) ?? []
                    )
                )
            }
            entry += 1
        }
        return voices
    }

    /// espeak-ng's text for a status code.
    static func message(_ status: espeak_ng_STATUS) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        espeak_ng_GetStatusCodeMessage(status, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Collects one synthesis's samples; reached from the C callback through `user_data`.
private final class SampleSink {
    var samples: [Int16] = []
}

/// espeak-ng's synthesis callback: captures nothing, finds the call's `SampleSink` through the events' `user_data`
/// (espeak sets it on every event of the call, the list terminator included). Returns 0 to go on.
private func espeakCallback(_ wav: UnsafeMutablePointer<Int16>?, _ count: Int32, _ events: UnsafeMutablePointer<espeak_EVENT>?) -> Int32 {
    guard let events, let user = events.pointee.user_data else { return 0 }
    let sink = Unmanaged<SampleSink>.fromOpaque(user).takeUnretainedValue()
    if let wav, count > 0 {
        sink.samples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count)))
    }
    return 0
}
