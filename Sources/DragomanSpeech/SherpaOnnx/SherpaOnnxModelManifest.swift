public import DragomanCore
public import Foundation

/// What a sherpa-onnx model folder holds, read from its `manifest.json`: sherpa-onnx takes file paths, not folders,
/// so the manifest maps each role (encoder, decoder, joiner, tokens, model, lexicon) to its file.
///
/// ```json
/// {
///   "kind": "offline-ctc",
///   "family": "gigaam",
///   "languages": ["ru"],
///   "sample_rate": 16000,
///   "files": { "model": "model.int8.onnx", "tokens": "tokens.txt" }
/// }
/// ```
///
/// Parsing and validation are pure (``parse(_:folder:)``); ``load(folder:)`` reads the file and ``checkFiles()``
/// checks that every file exists and can be read, so that sherpa-onnx is never handed a missing file.
public struct SherpaOnnxModelManifest: Sendable, Equatable {
    /// The manifest's file name inside a model folder.
    public static let fileName = "manifest.json"
    /// The engine name in errors.
    public static let engine = "sherpa-onnx"

    /// What the model does and which sherpa-onnx configuration runs it.
    public enum Kind: String, Sendable, CaseIterable {
        /// Non-streaming transducer (zipformer, NeMo transducer): encoder, decoder, joiner, tokens.
        case offlineTransducer = "offline-transducer"
        /// Non-streaming CTC (one model file and tokens); `family` says which sherpa configuration.
        case offlineCTC = "offline-ctc"
        /// Whisper exported for sherpa-onnx: encoder, decoder, tokens.
        case offlineWhisper = "offline-whisper"
        /// Streaming transducer (e.g. sherpa-onnx-streaming-zipformer-small-ru-vosk-int8).
        case onlineTransducer = "online-transducer"
        /// Streaming CTC (e.g. T-one, 8 kHz); `family` says which sherpa configuration.
        case onlineCTC = "online-ctc"
        /// Spoken language identification with a sherpa-format Whisper: encoder, decoder.
        case languageIDWhisper = "language-id-whisper"
        /// VITS text-to-speech, Piper voices included: model, tokens (and a lexicon, or an espeak voice).
        case ttsVITS = "tts-vits"

        /// The roles a folder of this kind must map to files.
        public var requiredRoles: [Role] {
            switch self {
            case .offlineTransducer, .onlineTransducer: [.encoder, .decoder, .joiner, .tokens]
            case .offlineCTC, .onlineCTC, .ttsVITS: [.model, .tokens]
            case .offlineWhisper: [.encoder, .decoder, .tokens]
            case .languageIDWhisper: [.encoder, .decoder]
            }
        }

        /// The CTC families this kind takes; empty: the kind has no family.
        public var families: [Family] {
            switch self {
            case .offlineCTC: [.nemo, .gigaam, .zipformer, .wenet, .omnilingual, .dolphin]
            case .onlineCTC: [.tOne, .zipformer2, .nemo]
            default: []
            }
        }

        /// Whether it recognizes speech (as opposed to identifying a language or speaking).
        public var isRecognizer: Bool {
            switch self {
            case .offlineTransducer, .offlineCTC, .offlineWhisper, .onlineTransducer, .onlineCTC: true
            case .languageIDWhisper, .ttsVITS: false
            }
        }

        /// Whether sherpa-onnx runs it as a streaming (online) recognizer.
        public var isStreaming: Bool { self == .onlineTransducer || self == .onlineCTC }
    }

    /// A CTC model's family: the sherpa-onnx configuration struct that loads it (c-api.h of sherpa-onnx 2.0.1).
    public enum Family: String, Sendable, CaseIterable {
        /// NeMo CTC (`nemo_ctc`), offline or streaming.
        case nemo
        /// GigaAM CTC (v1, v2), exported by sherpa-onnx as NeMo CTC (`nemo_ctc`).
        case gigaam
        /// Offline zipformer CTC (`zipformer_ctc`).
        case zipformer
        /// WeNet CTC (`wenet_ctc`).
        case wenet
        /// Meta's omnilingual ASR CTC, 1600 languages (`omnilingual`).
        case omnilingual
        /// Dolphin CTC (`dolphin`).
        case dolphin
        /// T-one, streaming Russian CTC at 8 kHz (`t_one_ctc`).
        case tOne = "t-one"
        /// Streaming zipformer2 CTC (`zipformer2_ctc`).
        case zipformer2
    }

    /// What a file is for in sherpa-onnx's configuration.
    public enum Role: String, Sendable, CaseIterable, Comparable {
        case encoder, decoder, joiner, tokens, model, lexicon

        public static func < (lhs: Role, rhs: Role) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The model folder (as given).
    public var folder: String
    public var kind: Kind
    /// The CTC family, for `offline-ctc` and `online-ctc`.
    public var family: Family?
    /// The languages it hears or speaks; empty: any (multilingual Whisper, omnilingual).
    public var languages: [LanguageTag]
    /// The sample rate the model takes or gives (T-one: 8000); nil: 16 kHz for recognizers, the model's for voices.
    public var sampleRate: Int?
    /// The feature dimension for recognizers (default 80).
    public var featureDimension: Int?
    /// For Piper voices: the espeak-ng voice that turns text into the IPA phonemes the voice takes (`en-us`, `kk`).
    public var espeakVoice: String?
    /// Each role's file, relative to `folder` (or absolute).
    public var files: [Role: String]

    /// The path of `role`'s file, or nil when the manifest has none.
    public func path(_ role: Role) -> String? {
        guard let file = files[role] else { return nil }
        return file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file)
    }

    /// The path of a role the kind requires (validated by `parse`).
    func requiredPath(_ role: Role) -> String { path(role) ?? "" }

    /// Reads `folder/manifest.json` and validates it (not the files: see ``checkFiles()``).
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming the folder when it or its manifest is missing or unreadable,
    ///   or when the manifest is not valid (an unknown kind, a role missing, …).
    public static func load(folder: String) throws(SpeechError) -> SherpaOnnxModelManifest {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw SpeechError(.modelMissing, engine: engine, "the model folder \(folder) does not exist or is not a folder")
        }
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw SpeechError(
                .modelMissing,
                engine: engine,
                "the model folder \(folder) has no readable \(fileName) (\(path) \(why)): it must say the model's kind and map each role (encoder, decoder, joiner, tokens, model) to its file"
            )
        }
        return try parse(data, folder: folder)
    }

    /// Parses and validates a manifest's JSON, for the model folder `folder`.
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming the folder and what is wrong: not JSON, an unknown kind or
    ///   family, a role the kind needs that is missing, an unknown role, a bad sample rate or language.
    public static func parse(_ data: Data, folder: String) throws(SpeechError) -> SherpaOnnxModelManifest {
        func refuse(_ message: String) -> SpeechError {
            SpeechError(.modelMissing, engine: engine, "\((folder as NSString).appendingPathComponent(fileName)): \(message)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw refuse("not a JSON object")
        }
        let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let kindName = json["kind"] as? String else { throw refuse("no \"kind\" (one of \(kinds))") }
        guard let kind = Kind(rawValue: kindName) else { throw refuse("unknown kind \"\(kindName)\" (known: \(kinds))") }

        var family: Family?
        if !kind.families.isEmpty {
            let names = kind.families.map(\.rawValue).joined(separator: ", ")
            guard let name = json["family"] as? String else { throw refuse("kind \(kind.rawValue) needs a \"family\" (one of \(names))") }
            guard let known = Family(rawValue: name), kind.families.contains(known) else {
                throw refuse("unknown family \"\(name)\" for kind \(kind.rawValue) (known: \(names))")
            }
            family = known
        }

        var languages: [LanguageTag] = []
        if let raw = json["languages"] {
            guard let names = raw as? [String] else { throw refuse("\"languages\" must be a list of language tags") }
            for name in names {
                guard let tag = LanguageTag(name) else { throw refuse("\"\(name)\" in \"languages\" is not a language tag") }
                languages.append(tag)
            }
        }

        func positiveInteger(_ key: String, in range: ClosedRange<Int>) throws(SpeechError) -> Int? {
            guard let raw = json[key] else { return nil }
            guard let number = raw as? Int, range.contains(number) else {
                throw refuse("\"\(key)\" must be an integer in \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        let sampleRate = try positiveInteger("sample_rate", in: 8_000...48_000)
        let featureDimension = try positiveInteger("feature_dim", in: 1...512)

        guard let rawFiles = json["files"] as? [String: Any] else {
            throw refuse(
                "no \"files\" object mapping roles to files (\(kind.rawValue) needs \(kind.requiredRoles.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        var files: [Role: String] = [:]
        for (name, value) in rawFiles {
            guard let role = Role(rawValue: name) else {
                throw refuse("unknown role \"\(name)\" in \"files\" (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let file = value as? String, !file.isEmpty else { throw refuse("role \(name) must name a file") }
            files[role] = file
        }
        for role in kind.requiredRoles where files[role] == nil {
            throw refuse("kind \(kind.rawValue) needs a file for role \(role.rawValue), and \"files\" has none")
        }
        let espeakVoice = json["espeak_voice"] as? String
        if kind == .ttsVITS, files[.lexicon] == nil, espeakVoice == nil {
            throw refuse("a tts-vits voice needs a \"lexicon\" file or an \"espeak_voice\" (Piper voices: the voice's espeak.voice, e.g. en-us)")
        }
        return SherpaOnnxModelManifest(
            folder: folder,
            kind: kind,
            family: family,
            languages: languages,
            sampleRate: sampleRate,
            featureDimension: featureDimension,
            espeakVoice: espeakVoice,
            files: files
        )
    }

    /// Checks that every file the manifest names exists and can be read.
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming the folder, the role and the file.
    public func checkFiles() throws(SpeechError) {
        for role in files.keys.sorted() {
            let path = path(role)!
            guard FileManager.default.isReadableFile(atPath: path) else {
                let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
                throw SpeechError(.modelMissing, engine: Self.engine, "\(folder): the \(role.rawValue) file \(files[role]!) (\(path)) \(why)")
            }
        }
    }

    /// Loads the manifest of `folder`, checks it is one of `kinds` and that its files are there: what every engine
    /// does before it calls sherpa-onnx.
    static func loadChecked(folder: String, kinds: [Kind], for engine: String) throws(SpeechError) -> SherpaOnnxModelManifest {
        let manifest = try load(folder: folder)
        guard kinds.contains(manifest.kind) else {
            throw SpeechError(
                .unsupported,
                engine: Self.engine,
                "\(folder) holds a \(manifest.kind.rawValue) model; \(engine) takes \(kinds.map(\.rawValue).joined(separator: ", "))"
            )
        }
        try manifest.checkFiles()
        return manifest
    }

    /// The engine name for errors: `sherpa-onnx <kind> <folder>`.
    var engineName: String { "sherpa-onnx \(kind.rawValue) \((folder as NSString).lastPathComponent)" }
}
