import DragomanClient
import DragomanCore
import DragomanServer
import DragomanServerTesting
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

            // Each listener collects until the test has seen its alert or second `carrying`, then closes.
            let russian = try await server.listener(event, channel: "ru")
            let floor = try await server.listener(event, channel: "floor")
            try await wait("both listeners") { live.listenerCounts.map(\.1).reduce(0, +) == 2 }
            let switchedAt = UInt64(Date().timeIntervalSince1970 * 1_000_000)
            let alerted = try server.venue.events.setFloorLanguage(LanguageTag("kk"), of: live, at: switchedAt)
            // Russian and English listeners now hear Kazakh without interpretation; Kazakh listeners hear their own language.
            #expect(Set(alerted.map(\.description)) == ["ru", "kk", "en"])

            let alert = try await russian.expect("alert", as: ControlMessages.Alert.self)
            #expect(alert.floorLanguage == "kk" && alert.channel == "ru" && alert.interpretation == false && alert.at == switchedAt)
            try await russian.expect("carrying", as: ControlMessages.CarryingMessage.self) { $0.floorLanguage == "kk" }
            try await floor.expect("carrying", as: ControlMessages.CarryingMessage.self) { $0.floorLanguage == "kk" }
            // The alert comes before the carrying on a channel, so a floor listener that has its carrying has no alert to come.
            #expect(await floor.messages("alert", as: ControlMessages.Alert.self).isEmpty)
            #expect(await floor.messages("carrying", as: ControlMessages.CarryingMessage.self).count == 2)
            await russian.close()
            await floor.close()

            let changes = try server.venue.events.floorLanguageChanges(of: event.code)
            #expect(changes.map { $0.language?.value } == ["ru", "kk"])
        }
    }
}
