import Foundation

/// C strings that live until the owner is released: sherpa-onnx's configuration structs hold `const char *`
/// fields, and its create functions copy them, so they must only outlive the create call.
final class CStringArena {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    /// A C copy of `text`, freed with the arena.
    func callAsFunction(_ text: String) -> UnsafePointer<CChar> {
        let pointer = strdup(text)!
        pointers.append(pointer)
        return UnsafePointer(pointer)
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }
}

/// The thread counts sherpa-onnx engines may use: onnxruntime threads compete with the audio path, which must
/// keep running on a 2-core laptop.
public enum SherpaOnnxThreads {
    /// The allowed range.
    public static let allowed = 1...2

    static func check(_ threads: Int, engine: String) throws(SpeechError) {
        guard allowed.contains(threads) else {
            throw SpeechError(
                .unsupported,
                engine: engine,
                "threads \(threads) is outside \(allowed.lowerBound)…\(allowed.upperBound) (the audio path needs the other cores)"
            )
        }
    }
}

extension SpeechSegment {
    /// Refuses an empty segment, which sherpa-onnx cannot decode.
    func checkNotEmpty(engine: String) throws(SpeechError) {
        guard !samples.isEmpty else { throw SpeechError(.unsupported, engine: engine, "the segment holds no samples") }
    }
}
