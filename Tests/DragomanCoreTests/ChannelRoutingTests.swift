import DragomanCore
import Testing

struct ChannelRoutingTests {
    /// Until booths exist, every channel carries the floor; language channels say no interpretation is live.
    @Test func everyChannelCarriesTheFloorWithoutBooths() {
        let ru = LanguageTag("ru")!
        for floorLanguage in [nil, ru, LanguageTag("kk")!] {
            #expect(ChannelRouting.carrying(.floor, floorLanguage: floorLanguage).source == .floor)
            let carrying = ChannelRouting.carrying(.language(ru), floorLanguage: floorLanguage)
            #expect(carrying.source == .floor)
            #expect(carrying.interpretation == false)
        }
    }
}
