public import DragomanAudio
public import DragomanCore
import Foundation
import Synchronization

/// Speech synthesis with Festival's `text2wave`, one process per utterance: Debian's `festvox-ru` Russian voice
/// (`voice_msu_ru_nsh_clunits`), which reads Russian far more naturally than espeak-ng.
///
/// Each call starts `text2wave -eval (VOICE) -o -` with the text on its standard input and reads the WAV from its
/// standard output (about 0.7 s of CPU per sentence, most of it loading the voice). A call that takes longer than
/// `timeout` is ended and reported as `.timeout`; text is bounded so that a runaway transcript cannot hold it.
public struct FestivalSynthesizer: SpeechSynthesizer {
    /// The engine name in errors.
    public static let engine = "festival"
    /// Debian's Russian voice.
    public static let russianVoice = "voice_msu_ru_nsh_clunits"
    /// The longest text spoken in one call, in characters.
    public static let maximumTextLength = 2000

    /// The Festival voice function, e.g. `voice_msu_ru_nsh_clunits`.
    public let voice: String
    /// The language the voice speaks.
    public let language: LanguageTag
    /// `text2wave` itself.
    let executable: URL
    /// The longest one utterance may take.
    public let timeout: Duration

    public var languages: Set<LanguageTag> { [language] }

    /// Finds `text2wave` on the PATH (or /usr/bin).
    ///
    /// - Throws: `SpeechError` `.modelMissing` when `text2wave` is not installed, `.unsupported` for a voice name
    ///   that is not a plain Festival symbol.
    public init(
        voice: String = Self.russianVoice,
        language: LanguageTag = LanguageTag("ru")!,
        timeout: Duration = .seconds(20)
    )
        throws(SpeechError)
    {
        guard !voice.isEmpty, voice.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw SpeechError(.unsupported, engine: Self.engine, "'\(voice)' is not a Festival voice name (e.g. \(Self.russianVoice))")
        }
        guard let executable = Self.find("text2wave") else {
            throw SpeechError(.modelMissing, engine: Self.engine, "text2wave is not installed (Debian: festival festvox-ru; run scripts/setup)")
        }
        self.voice = voice
        self.language = language
        self.executable = executable
        self.timeout = timeout
        _ = Self.ignoreBrokenPipes
    }

    /// Writing the text to a text2wave that already exited (a voice it does not have) raises SIGPIPE, which would end
    /// the whole server: the write fails with EPIPE instead, and the exit status says what went wrong.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    public func synthesize(_ text: String, language: LanguageTag) async throws(SpeechError) -> PCMAudio {
        let text = String(text.prefix(Self.maximumTextLength))
        let wav: Data
        do {
            wav = try await run(text)
        } catch let error as SpeechError {
            throw error
        } catch {
            throw SpeechError(.failed, engine: Self.engine, "text2wave could not run: \(error)")
        }
        do {
            return try WAVFile.decode(wav)
        } catch {
            throw SpeechError(.badResponse, engine: Self.engine, "text2wave wrote no WAV (\(wav.count) bytes): \(error)")
        }
    }

    /// Runs text2wave on `text`; its standard output, whole.
    private func run(_ text: String) async throws -> Data {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-eval", "(\(voice))", "-o", "-"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read and write on their own threads: a long utterance fills the output pipe before the input is read.
        async let written: Void = Task.detached {
            // The throwing write: a text2wave that already exited gives EPIPE here, not a crash.
            try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
            try? input.fileHandleForWriting.close()
        }.value
        let pid = process.processIdentifier
        let expired = Mutex(false)
        let watchdog = Task.detached { [timeout] in
            try await Task.sleep(for: timeout)
            expired.withLock { $0 = true }
            kill(pid, SIGTERM)
        }
        let data = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        await written
        process.waitUntilExit()
        watchdog.cancel()
        if expired.withLock({ $0 }) {
            throw SpeechError(.timeout, engine: Self.engine, "text2wave took longer than \(timeout) for \(text.count) characters")
        }
        guard process.terminationStatus == 0 else {
            throw SpeechError(.failed, engine: Self.engine, "text2wave exited with status \(process.terminationStatus) (voice \(voice))")
        }
        return data
    }

    private static func find(_ name: String) -> URL? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        return paths.lazy.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
