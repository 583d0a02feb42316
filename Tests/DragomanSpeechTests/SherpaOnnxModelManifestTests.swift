import DragomanCore
import DragomanSpeech
import Foundation
import Testing

/// Reading a model folder's manifest.json: pure parsing and validation, no files, no sherpa-onnx.
@Suite struct SherpaOnnxModelManifestTests {
    typealias Manifest = SherpaOnnxModelManifest

    static func parse(_ json: String, folder: String = "/models/x") throws(SpeechError) -> Manifest {
        try Manifest.parse(Data(json.utf8), folder: folder)
    }

    /// The message of the error `json` is refused with.
    static func refusal(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "accepted"
        } catch {
            #expect(error.code == .modelMissing)
            return error.message
        }
    }

    @Test func readsAGigaAMCTCModelWithItsFilesInTheFolder() throws {
        let manifest = try Self.parse(
            #"{"kind": "offline-ctc", "family": "gigaam", "languages": ["ru"], "sample_rate": 16000, "files": {"model": "model.int8.onnx", "tokens": "tokens.txt"}}"#
        )
        #expect(manifest.kind == .offlineCTC)
        #expect(manifest.family == .gigaam)
        #expect(manifest.languages == [LanguageTag("ru")!])
        #expect(manifest.sampleRate == 16_000)
        #expect(manifest.path(.model) == "/models/x/model.int8.onnx")
        #expect(manifest.path(.tokens) == "/models/x/tokens.txt")
        #expect(manifest.path(.encoder) == nil)
    }

    @Test func readsTOneAsAStreamingCTCModelAt8kHz() throws {
        let manifest = try Self.parse(
            #"{"kind": "online-ctc", "family": "t-one", "languages": ["ru"], "sample_rate": 8000, "files": {"model": "model.onnx", "tokens": "tokens.txt"}}"#
        )
        #expect(manifest.kind.isStreaming)
        #expect(manifest.family == .tOne)
        #expect(manifest.sampleRate == 8_000)
    }

    @Test func keepsAbsoluteFilePathsAsTheyAre() throws {
        let manifest = try Self.parse(
            #"{"kind": "language-id-whisper", "files": {"encoder": "/opt/w/tiny-encoder.onnx", "decoder": "tiny-decoder.onnx"}}"#
        )
        #expect(manifest.path(.encoder) == "/opt/w/tiny-encoder.onnx")
        #expect(manifest.path(.decoder) == "/models/x/tiny-decoder.onnx")
        #expect(manifest.languages.isEmpty)
    }

    @Test func everyKindNeedsItsOwnRoles() {
        #expect(Manifest.Kind.offlineTransducer.requiredRoles == [.encoder, .decoder, .joiner, .tokens])
        #expect(Manifest.Kind.onlineTransducer.requiredRoles == [.encoder, .decoder, .joiner, .tokens])
        #expect(Manifest.Kind.offlineWhisper.requiredRoles == [.encoder, .decoder, .tokens])
        #expect(Manifest.Kind.offlineCTC.requiredRoles == [.model, .tokens])
        #expect(Manifest.Kind.onlineCTC.requiredRoles == [.model, .tokens])
        #expect(Manifest.Kind.languageIDWhisper.requiredRoles == [.encoder, .decoder])
        #expect(Manifest.Kind.ttsVITS.requiredRoles == [.model, .tokens])
    }

    @Test func refusesWhatIsNotJSON() {
        #expect(Self.refusal("kind: offline-ctc").contains("/models/x/manifest.json: not a JSON object"))
    }

    @Test func refusesAnUnknownKindAndListsTheKnownOnes() {
        let message = Self.refusal(#"{"kind": "offline-paraformer", "files": {}}"#)
        #expect(message.contains("unknown kind \"offline-paraformer\""))
        #expect(message.contains("offline-transducer") && message.contains("tts-vits"))
    }

    @Test func refusesAManifestWithoutKind() {
        #expect(Self.refusal(#"{"files": {}}"#).contains("no \"kind\""))
    }

    @Test func refusesACTCModelWithoutFamilyOrWithAFamilyOfTheOtherKind() {
        #expect(Self.refusal(#"{"kind": "offline-ctc", "files": {"model": "m", "tokens": "t"}}"#).contains("needs a \"family\""))
        let streamingFamily = Self.refusal(#"{"kind": "offline-ctc", "family": "t-one", "files": {"model": "m", "tokens": "t"}}"#)
        #expect(streamingFamily.contains("unknown family \"t-one\" for kind offline-ctc"))
    }

    @Test func namesTheRoleThatIsMissing() {
        let message = Self.refusal(#"{"kind": "online-transducer", "files": {"encoder": "e.onnx", "decoder": "d.onnx", "tokens": "t.txt"}}"#)
        #expect(message.contains("/models/x/manifest.json"))
        #expect(message.contains("kind online-transducer needs a file for role joiner"))
    }

    @Test func refusesAnUnknownRole() {
        let message = Self.refusal(#"{"kind": "offline-whisper", "files": {"encoder": "e", "decoder": "d", "tokens": "t", "vocoder": "v"}}"#)
        #expect(message.contains("unknown role \"vocoder\""))
    }

    @Test func refusesASampleRateOutOfRangeAndABadLanguage() {
        #expect(
            Self.refusal(#"{"kind": "language-id-whisper", "sample_rate": 100, "files": {"encoder": "e", "decoder": "d"}}"#).contains(
                "\"sample_rate\""
            )
        )
        #expect(
            Self.refusal(#"{"kind": "language-id-whisper", "languages": ["русский"], "files": {"encoder": "e", "decoder": "d"}}"#).contains(
                "not a language tag"
            )
        )
    }

    @Test func aVITSVoiceNeedsALexiconOrAnEspeakVoice() throws {
        let message = Self.refusal(#"{"kind": "tts-vits", "languages": ["kk"], "files": {"model": "kk.onnx", "tokens": "tokens.txt"}}"#)
        #expect(message.contains("\"espeak_voice\""))
        let piper = try Self.parse(
            #"{"kind": "tts-vits", "languages": ["kk"], "espeak_voice": "kk", "files": {"model": "kk_KZ-issai-high.onnx", "tokens": "tokens.txt"}}"#
        )
        #expect(piper.espeakVoice == "kk")
    }
}
