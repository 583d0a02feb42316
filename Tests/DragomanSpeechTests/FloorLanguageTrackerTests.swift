import DragomanCore
import DragomanSpeech
import Testing

/// Following the floor language by ear: hysteresis against a stray foreign word, and a real switch found.
@Suite struct FloorLanguageTrackerTests {
    let ru = LanguageTag("ru")!, kk = LanguageTag("kk")!, en = LanguageTag("en")!

    /// A short greeting in another language, or an unsure identification, does not flip the floor.
    @Test func oneForeignWordDoesNotFlipTheFloor() {
        var tracker = FloorLanguageTracker(current: ru)
        #expect(tracker.heard(kk, confidence: 0.99, duration: 500_000) == nil)  // "Рахмет": too short to count
        #expect(tracker.heard(kk, confidence: 0.5, duration: 3_000_000) == nil)  // unsure
        #expect(tracker.heard(en, confidence: 0.9, duration: 1_500_000) == nil)  // a quotation in English…
        #expect(tracker.heard(ru, confidence: 0.9, duration: 1_000_000) == nil)  // …and back to Russian: forgotten
        #expect(tracker.heard(en, confidence: 0.9, duration: 1_500_000) == nil)
        #expect(tracker.current == ru)
    }

    /// Two seconds of sure speech in a new language switch it, and the switch is said once.
    @Test func aRealSwitchIsFoundWithinTwoSecondsOfSpeech() {
        var tracker = FloorLanguageTracker(current: ru)
        #expect(tracker.heard(kk, confidence: 0.95, duration: 1_200_000) == nil)
        #expect(tracker.heard(kk, confidence: 0.95, duration: 1_000_000) == kk)
        #expect(tracker.current == kk)
        #expect(tracker.heard(kk, confidence: 0.95, duration: 3_000_000) == nil)
    }

    /// From "not known", the first sure stretch of speech sets it; the operator's choice resets the ear.
    @Test func theOperatorResetsTheEar() {
        var tracker = FloorLanguageTracker()
        #expect(tracker.heard(ru, confidence: 0.9, duration: 2_500_000) == ru)
        tracker.reset(to: en)
        #expect(tracker.heard(ru, confidence: 0.9, duration: 1_000_000) == nil)
        #expect(tracker.current == en)
    }

    @Test func weakerWitnessesCountForAShareOfTheirSpeech() {
        var tracker = FloorLanguageTracker(current: LanguageTag("en")!)
        let kk = LanguageTag("kk")!
        // 2.3 s told only by Kazakh letters, at 0.4: 0.92 s of evidence, no switch; 3 s more of it: 2.12 s, a switch.
        #expect(tracker.heard(kk, confidence: 1, duration: 2_300_000, weight: 0.4) == nil)
        #expect(tracker.heard(kk, confidence: 1, duration: 3_000_000, weight: 0.4) == kk)
        // The minimum length is the speech's own: a 1 s segment counts, though only 0.4 s of it.
        var other = FloorLanguageTracker(current: LanguageTag("en")!)
        #expect(other.heard(kk, confidence: 1, duration: 1_000_000, weight: 0.4) == nil)
        #expect(other.heard(kk, confidence: 1, duration: 1_700_000) == kk)
    }
}
