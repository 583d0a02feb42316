import DragomanAudio
import DragomanClient
import DragomanCore
import DragomanServer
import DragomanServerTesting
import DragomanSpeech
import Foundation
import Synchronization
import Testing

/// Machine booths in a real server, with engines that answer from a script (the engines themselves are tested
/// for real in DragomanSpeechTests): captions reach the phones, the machine's voice carries a channel nobody
/// interprets, yields at once to an interpreter who goes live, and takes over again when their line drops.
@Suite(.serialized)
struct MachineBoothTests {
    /// Speech is wherever the floor is loud: a segment ends at the first quiet 100 ms after it.
    final class LoudnessDetector: VoiceActivityDetector {
        var speech: [Float] = []
        var start: UInt64 = 0
        var quiet = 0
        func accept(_ samples: [Float], at startMicros: UInt64) throws(SpeechError) -> [SpeechSegment] {
            let loud = samples.contains { abs($0) > 0.05 }
            if loud {
                if speech.isEmpty { start = startMicros }
                speech += samples
                quiet = 0
                return []
            }
            guard !speech.isEmpty else { return [] }
            quiet += samples.count
            guard quiet >= 1600 else { return [] }
            defer { speech = [] }
            return [SpeechSegment(samples: speech, startMicros: start)]
        }
        func flush() throws(SpeechError) -> [SpeechSegment] {
            defer { speech = [] }
            return speech.isEmpty ? [] : [SpeechSegment(samples: speech, startMicros: start)]
        }
    }

    /// Hears Kazakh in every segment.
    struct KazakhRecognizer: SpeechRecognizer {
        func transcribe(_ segment: SpeechSegment, language: LanguageTag?, hints: [String]) async throws(SpeechError) -> Transcript {
            Transcript(text: "Құрметті қонақтар, қош келдіңіздер!", language: LanguageTag("kk"), languageProbability: 0.9)
        }
    }

    struct BracketTranslator: TextTranslator {
        func translate(
            _ text: String,
            from source: LanguageTag,
            to target: LanguageTag,
            glossary: [String: String]
        ) async throws(SpeechError) -> String { "(\(target)) \(text)" }
    }

    /// Speaks a 1 kHz tone for a second, whatever the text.
    struct ToneVoice: SpeechSynthesizer {
        var languages: Set<LanguageTag> = [LanguageTag("ru")!]
        func synthesize(_ text: String, language: LanguageTag) async throws(SpeechError) -> PCMAudio {
            TestSignal.tone(seconds: 1, frequency: 1000, rate: 24000, channels: 1, amplitude: 0.3)
        }
    }

    static let engines = MachineEngines(
        makeDetector: { LoudnessDetector() },
        recognizer: KazakhRecognizer(),
        translator: BracketTranslator(),
        synthesizer: ToneVoice(),
        floorLanguage: .auto
    )

    static func useEngines(_ configuration: inout ServerConfiguration) { configuration.machineEngines = engines }

    static func useEnginesThatSuggest(_ configuration: inout ServerConfiguration) {
        var engines = Self.engines
        engines.floorLanguage = .suggest
        configuration.machineEngines = engines
    }

    /// The floor speaks: the floor channel gets the transcript, the Russian channel its translation and the machine's
    /// voice, and the floor language follows by ear to Kazakh, with the alert saying interpretation is live.
    @Test func theMachineCaptionsSpeaksAndFollowsTheFloor() async throws {
        try await LiveServer.with(configure: Self.useEngines) { server in
            let event = try server.createEvent(machine: ["ru"])
            let russian = try await server.listener(event, channel: "ru")
            let floor = try await server.listener(event, channel: "floor")
            try await server.publishFloor(event, seconds: 3)
            let caption = try await floor.expect("caption", as: ControlMessages.Caption.self, timeout: .seconds(20))
            #expect(caption.text.hasPrefix("Құрметті") && caption.language == "kk" && caption.final && caption.source == "floor")
            let translated = try await russian.expect("caption", as: ControlMessages.Caption.self, timeout: .seconds(20))
            #expect(translated.text.hasPrefix("(ru)") && translated.source == "machine" && translated.id == caption.id)
            let alert = try await russian.expect("alert", as: ControlMessages.Alert.self, timeout: .seconds(20))
            #expect(alert.floorLanguage == "kk" && alert.interpretation)
            try await russian.expect("carrying", as: ControlMessages.CarryingMessage.self) { $0.source.kind == "machine" }
            let live = try server.live(event)
            #expect(live.state.desks[LanguageTag("ru")!]?.machine == .ready)
        }
    }

    /// The interpreters of every booth and the organizer get the floor's transcript (the console's boothmate strip),
    /// and not the channels' translations, which are for listeners.
    @Test func consolesAndTheDashboardGetTheFloorsTranscript() async throws {
        try await LiveServer.with(configure: Self.useEngines) { server in
            let event = try server.createEvent(machine: ["ru"])
            let aigerim = try server.interpreter("Aigerim", booth: "kk", of: event)
            let console = try await server.console(aigerim, of: event)
            let dashboard = try await server.dashboard(event)
            try await server.publishFloor(event, seconds: 3)
            let line = try await console.expect("caption", as: ControlMessages.Caption.self, timeout: .seconds(20))
            #expect(line.channel == "floor" && line.source == "floor" && line.text.hasPrefix("Құрметті"))
            let seen = try await dashboard.expect("caption", as: ControlMessages.Caption.self, timeout: .seconds(20))
            #expect(seen == line)
            #expect(await console.messages("caption", as: ControlMessages.Caption.self).allSatisfy { $0.channel == "floor" })
        }
    }

    /// The console learns the event's glossary on connecting, for its boothmate strip.
    @Test func theConsoleIsGivenTheGlossary() async throws {
        try await LiveServer.with(configure: Self.useEngines) { server in
            var event = try server.createEvent(machine: ["ru"])
            event.glossary = [GlossaryTerm([LanguageTag("ru")!: "пшеница", LanguageTag("kk")!: "бидай"])]
            try server.venue.events.update(event.definition)
            let aigerim = try server.interpreter("Aigerim", booth: "kk", of: event)
            let console = try await server.console(aigerim, of: event)
            let welcome = try await console.expect("booth-welcome", as: ControlMessages.BoothWelcome.self)
            #expect(Set(welcome.glossary) == ["пшеница", "бидай"])
        }
    }

    /// Failover: the interpreter's line drops and the machine has the channel in the same change; the interpreter comes
    /// back and the machine yields at once: what the listener receives is from one source at a time.
    @Test func theMachineCoversAnInterpreterWhoDropsAndYieldsWhenTheyReturn() async throws {
        try await LiveServer.with(configure: Self.useEngines) { server in
            let event = try server.createEvent(machine: ["ru"])
            let live = try server.live(event)
            try server.venue.events.setFloorLanguage(LanguageTag("kk"), of: live, at: 1)
            try await wait("the machine booth to be ready") { live.state.desks[LanguageTag("ru")!]?.machine == .ready }
            let russian = try await server.listener(event, channel: "ru")
            try await russian.expect("carrying", as: ControlMessages.CarryingMessage.self) { $0.source.kind == "machine" }
            let aigerim = try server.interpreter("Aigerim", booth: "ru", of: event)
            let console = try await server.console(aigerim, of: event)
            try await console.send(#"{"type":"mic","on":true}"#)
            try await russian.expect("carrying", as: ControlMessages.CarryingMessage.self) { $0.source.kind == "interpreter" }
            try await console.sendTone(seconds: 0.5)
            await console.close()
            try await russian.expect("carrying", as: ControlMessages.CarryingMessage.self, timeout: .seconds(5)) {
                $0.source.kind == "machine"
            }
            let carrying = await russian.messages("carrying", as: ControlMessages.CarryingMessage.self).map(\.source.kind)
            #expect(!carrying.dropFirst().contains("floor"), "the channel went from the interpreter straight back to the machine: \(carrying)")
            // Packets from the machine flow while it carries the channel (silence between utterances keeps players fed).
            let before = await russian.packets.count
            try await wait("machine packets") { await russian.packets.count >= before + 10 }
            // Machine → interpreter → machine: each switch flags one packet; two sources feeding the channel at once
            // would flag them over and over.
            let packets = await russian.packets
            #expect(packets.filter { $0.flags.contains(.discontinuity) }.count <= 3)
            #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.sequence == $0.sequence &+ 1 })
        }
    }

    /// Suggest mode: the machine hears Kazakh and the dashboard offers it, but the floor language and the listeners stay
    /// as they were until the operator taps it.
    @Test func inSuggestModeTheDashboardOffersWhatTheMachineHearsAndNothingChangesUntilTheOperatorConfirms() async throws {
        try await LiveServer.with(configure: Self.useEnginesThatSuggest) { server in
            let event = try server.createEvent(machine: ["ru"])
            let live = try server.live(event)
            try server.venue.events.setFloorLanguage(LanguageTag("ru"), of: live, at: 1)
            let dashboard = try await server.dashboard(event)
            let russian = try await server.listener(event, channel: "ru")
            try await server.publishFloor(event, seconds: 3)
            try await dashboard.expect("dashboard", as: ControlMessages.Dashboard.self, timeout: .seconds(20)) { $0.floor.suggested == "kk" }
            #expect(live.state.floorLanguage == LanguageTag("ru"))
            #expect(await russian.messages("alert", as: ControlMessages.Alert.self).isEmpty)
            try await dashboard.send(#"{"type":"floor-language","language":"kk"}"#)
            let alert = try await russian.expect("alert", as: ControlMessages.Alert.self)
            #expect(alert.floorLanguage == "kk")
            await dashboard.forget()
            try await dashboard.expect("dashboard", as: ControlMessages.Dashboard.self) { $0.floor.language == "kk" }
            #expect(live.state.suggestedFloorLanguage == nil)
        }
    }

    /// The organizer gives channels machine booths through the API (as `dragoman event create --machine` does); a
    /// language that is not the event's is refused, naming the field.
    @Test func theOrganizerGivesChannelsMachineBooths() async throws {
        try await LiveServer.with { server in
            let admin = EventAdmin(server: server.address, token: server.organizerToken)
            let data = try await admin.create(name: "Summit", languages: ["ru", "kk", "en"], machine: ["en", "ru"], pin: nil)
            let created = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(created?["machine"] as? [String] == ["en", "ru"])
            let code = try #require(created?["code"] as? String)
            let live = try #require(try server.venue.events.event(JoinCode(code)!))
            #expect(live.state.desks[LanguageTag("en")!]?.machine != MachineStatus.none)
            await #expect {
                _ = try await admin.create(name: "Summit", languages: ["ru"], machine: ["de"], pin: nil)
            } throws: { error in
                "\(error)".contains("'de' in 'machine' is not a language of the event")
            }
        }
    }
}
