import DragomanClient
import DragomanCore
import DragomanServer
import Foundation
import Testing

@Suite(.serialized)
struct FloorLanguageTests {
    /// The floor switches from Russian to Kazakh: listeners of every language channel get an alert at once, the
    /// Floor channel's listeners only the new `carrying`, and the change is logged.
    @Test func switchAlertsTheChannelsWhoseCarryingChanged() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let live = try #require(try server.venue.events.event(event.code))
            try server.venue.events.setFloorLanguage(LanguageTag("ru"), of: live, at: 1)

            async let russian = server.exchange("/ws/listen/\(event.code)?channel=ru", timeout: .milliseconds(800))
            async let floor = server.exchange("/ws/listen/\(event.code)?channel=floor", timeout: .milliseconds(800))
            try await Task.sleep(for: .milliseconds(300))
            let switchedAt = UInt64(Date().timeIntervalSince1970 * 1_000_000)
            let alerted = try server.venue.events.setFloorLanguage(LanguageTag("kk"), of: live, at: switchedAt)
            // Russian and English listeners now hear Kazakh without interpretation; Kazakh listeners hear their own language.
            #expect(Set(alerted.map(\.description)) == ["ru", "kk", "en"])

            let ru = try await russian
            #expect(ru.types.contains("alert"))
            let alert = try #require(ru.texts.compactMap { try? JSONDecoder().decode(ControlMessages.Alert.self, from: Data($0.utf8)) }.first { $0.type == "alert" })
            #expect(alert.floorLanguage == "kk" && alert.channel == "ru" && alert.interpretation == false && alert.at == switchedAt)
            let floorTypes = try await floor.types
            #expect(!floorTypes.contains("alert"))
            #expect(floorTypes.filter { $0 == "carrying" }.count == 2)

            let changes = try server.venue.events.store.floorLanguageChanges(for: event.code)
            #expect(changes.map { $0.language?.value } == ["ru", "kk"])
        }
    }
}
