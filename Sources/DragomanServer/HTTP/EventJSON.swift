import DragomanCore
import Foundation

/// The JSON shapes of the event API (see docs/protocol.md).
enum EventJSON {
    struct Channel: Codable, Equatable {
        var id: String
        var language: String?
        var name: String
    }

    /// What the organizer sees: the event, and its floor token only in the answer that made it (the server
    /// keeps a hash of it and cannot show it again).
    struct OrganizerView: Codable, Equatable {
        var code: String
        var name: String
        var languages: [String]
        /// The languages whose channels have a machine booth.
        var machine: [String]
        /// Terms by language code, as the organizer gave them.
        var glossary: [[String: String]]
        /// Whether every channel is recorded.
        var recording: Bool
        /// Days after which recordings are deleted by themselves; absent: kept.
        var retentionDays: Int?
        /// Nothing recorded, nothing streamed out of the room, no captions kept.
        var confidential: Bool
        /// Whether the recording's trail names the interpreters.
        var namesInRecord: Bool
        /// Milliseconds of audio per message to a listener: 20, 40 or 60.
        var packetMs: Int
        var pinRequired: Bool
        var floorToken: String?
        var joinURL: String
        var secureJoinURL: String?
        var floorURL: String
        var channels: [Channel]
        var createdAt: String
    }

    struct ChannelState: Codable, Equatable {
        struct Carrying: Codable, Equatable {
            var kind: String
            var language: String?
            var interpretation: Bool
        }
        var id: String
        var language: String?
        var listeners: Int
        var carrying: Carrying
    }

    /// What a listener sees: no credentials.
    struct PublicView: Codable, Equatable {
        var code: String
        var name: String
        var languages: [String]
        var pinRequired: Bool
        var secureJoinURL: String?
        var floorLive: Bool
        var floorLanguage: String?
        /// Whether the meeting is recorded: the listener page says so.
        var recording: Bool
        /// Whether the meeting is confidential: the listener page says so.
        var confidential: Bool
        /// Milliseconds of audio per message (20, 40 or 60): the player's buffer allows for it.
        var packetMs: Int
        var channels: [ChannelState]
    }

    /// The body of POST and PATCH. Every field optional, so a missing one gets a message naming it.
    struct Changes: Decodable {
        var name: String?
        var languages: [String]?
        var machine: [String]?
        var glossary: [[String: String]]?
        var recording: Bool?
        var retentionDays: Int?
        var retentionGiven = false
        var confidential: Bool?
        var namesInRecord: Bool?
        var packetMs: Int?
        var pin: String?
        var pinGiven = false

        enum CodingKeys: String, CodingKey {
            case name, languages, machine, glossary, recording, retentionDays, confidential, namesInRecord, packetMs, pin
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            languages = try container.decodeIfPresent([String].self, forKey: .languages)
            machine = try container.decodeIfPresent([String].self, forKey: .machine)
            glossary = try container.decodeIfPresent([[String: String]].self, forKey: .glossary)
            recording = try container.decodeIfPresent(Bool.self, forKey: .recording)
            retentionGiven = container.contains(.retentionDays)
            retentionDays = try container.decodeIfPresent(Int.self, forKey: .retentionDays)
            confidential = try container.decodeIfPresent(Bool.self, forKey: .confidential)
            namesInRecord = try container.decodeIfPresent(Bool.self, forKey: .namesInRecord)
            packetMs = try container.decodeIfPresent(Int.self, forKey: .packetMs)
            pinGiven = container.contains(.pin)
            pin = try container.decodeIfPresent(String.self, forKey: .pin)
        }
    }

    static func channels(of event: EventDefinition) -> [Channel] {
        event.channels.map { Channel(id: $0.description, language: $0.language?.value, name: $0 == .floor ? "Floor" : $0.description) }
    }

    static func organizerView(_ event: EventDefinition, floorToken: String? = nil, links: PublicLinks) -> OrganizerView {
        OrganizerView(
            code: event.code.value,
            name: event.name,
            languages: event.languages.map(\.value),
            machine: event.machineBooths.map(\.value),
            glossary: event.glossary.map { term in Dictionary(uniqueKeysWithValues: term.renderings.map { ($0.key.value, $0.value) }) },
            recording: event.recording,
            retentionDays: event.retentionDays,
            confidential: event.confidential,
            namesInRecord: event.namesInRecord,
            packetMs: event.packetMs,
            pinRequired: event.pin != nil,
            floorToken: floorToken,
            joinURL: links.join(event.code),
            secureJoinURL: links.secureJoin(event.code),
            floorURL: "\(links.secureBase ?? links.base)/floor/\(event.code.value)",
            channels: channels(of: event),
            createdAt: ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: event.createdAt))
        )
    }

    static func publicView(_ live: LiveEvent, links: PublicLinks) -> PublicView {
        let event = live.definition
        let counts = Dictionary(uniqueKeysWithValues: live.listenerCounts.map { ($0.0, $0.1) })
        let states = event.channels.map { channel -> ChannelState in
            let carrying = live.carrying(channel)
            return ChannelState(
                id: channel.description,
                language: channel.language?.value,
                listeners: counts[channel] ?? 0,
                carrying: .init(kind: carrying.source.kind, language: carrying.source.language, interpretation: carrying.interpretation)
            )
        }
        return PublicView(
            code: event.code.value,
            name: event.name,
            languages: event.languages.map(\.value),
            pinRequired: event.pin != nil,
            secureJoinURL: links.secureJoin(event.code),
            floorLive: live.isFloorLive,
            floorLanguage: live.floorLanguage?.value,
            recording: event.recording,
            confidential: event.confidential,
            packetMs: event.packetMs,
            channels: states
        )
    }
}
