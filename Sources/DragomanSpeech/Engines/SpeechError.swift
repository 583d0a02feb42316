/// Why a speech engine could not do its work: typed, with the engine and a message that names the
/// file, address or setting at fault. A failed engine degrades one feature; it never stops the audio.
public struct SpeechError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A model file or folder is missing or unreadable.
        case modelMissing = "model-missing"
        /// The engine is not installed or not running (a library, a worker, a server).
        case unavailable
        /// The engine took longer than allowed.
        case timeout
        /// The engine answered, but not as its protocol says (an HTTP error status, garbage, a cut stream).
        case badResponse = "bad-response"
        /// The engine ran and failed.
        case failed
        /// The input is not something the engine takes (a language it lacks, an empty text, a wrong rate).
        case unsupported
    }

    public var code: Code
    /// Which engine, e.g. `silero-vad`, `whisper-worker http://127.0.0.1:8971`.
    public var engine: String
    public var message: String

    public init(_ code: Code, engine: String, _ message: String) {
        self.code = code
        self.engine = engine
        self.message = message
    }

    public var description: String { "\(engine): \(code.rawValue): \(message)" }
}
