import DragomanAudio
import DragomanCore
import DragomanSpeech
import Testing

/// Festival's Russian voice through `text2wave` (Debian `festival festvox-ru`, which scripts/setup installs): a
/// sentence is spoken at a speaking pace, bad voices and text are refused with errors that say why.
@Suite struct FestivalSynthesizerTests {
    let ru = LanguageTag("ru")!

    @Test func speaksRussianAtASpeakingPace() async throws {
        let festival = try FestivalSynthesizer()
        #expect(festival.languages == [ru])
        let text = "Уважаемые коллеги, сегодня мы обсудим сотрудничество."
        let audio = try await festival.synthesize(text, language: ru)
        #expect(audio.sampleRate == 16_000 && audio.channels == 1)
        let words = Double(text.split(separator: " ").count)
        #expect(audio.duration > words * 60 / 400 && audio.duration < words * 60 / 60, "\(audio.duration) s for \(words) words")
        #expect(AudioAnalysis.rms(audio.samples) > 0.02, "nearly silent")
    }

    @Test func aVoiceNameThatIsNotASymbolIsRefused() {
        #expect(throws: SpeechError.self) { try FestivalSynthesizer(voice: "(system \"rm -rf /\")") }
    }

    @Test func aVoiceFestivalDoesNotHaveFailsAndSaysSo() async throws {
        let festival = try FestivalSynthesizer(voice: "voice_nobody_here")
        await #expect(throws: SpeechError.self) { try await festival.synthesize("Привет.", language: ru) }
    }
}
