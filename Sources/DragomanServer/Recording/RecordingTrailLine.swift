import DragomanCore
import Foundation

/// The line a recording's trail keeps of a message its channel's listeners got, with names as the organizer
/// allows (`RecordNames`): a `carrying` line from an interpreter says who carried the channel (their name, or
/// "ru booth interpreter"), and a caption's `source` names no one unless names are kept.
enum RecordingTrailLine {
    /// `text` as the trail keeps it; `live` is the interpreter live in the channel's booth now.
    static func message(_ text: String, channel: ChannelID, live: Interpreter?, namesInRecord: Bool) -> String {
        guard var object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return text }
        // Whatever named a person before is dropped; what is kept is decided below.
        object["interpreter"] = nil
        object["interpreterId"] = nil
        switch object["type"] as? String {
        case "carrying":
            guard let sourceObject = object["source"] as? [String: Any], let kind = sourceObject["kind"] as? String else { break }
            let source = ControlMessages.Source(kind: kind, language: sourceObject["language"] as? String, via: sourceObject["via"] as? String)
            if let speaker = RecordNames.speaker(of: channel, source: source, live: live, namesInRecord: namesInRecord) {
                object["interpreter"] = speaker.interpreter
                object["interpreterId"] = speaker.interpreterId
            }
        case "caption":
            if let source = object["source"] as? String { object["source"] = RecordNames.captionSource(source, namesInRecord: namesInRecord) }
        default:
            break
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
