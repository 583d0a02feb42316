import DragomanCore
import Testing

/// A channel's transcript from its captions: finals only, timed from the recording's start, in each format.
struct TranscriptExportTests {
    static func caption(_ id: String, _ text: String, _ start: UInt64, _ end: UInt64, final: Bool = true) -> ControlMessages.Caption {
        ControlMessages.Caption(channel: "ru", id: id, text: text, language: "ru", final: final, start: start, end: end, source: "machine")
    }

    let export = TranscriptExport(
        channel: "ru",
        captions: [
            caption("m2", "Вторая строка --> с\nпереносом.", 3_725_400_000 + 1_000_000_000, 3_727_000_000 + 1_000_000_000),
            caption("m1", "Первая строка.", 1_000_000_000 + 1_500_000, 1_000_000_000 + 3_250_000),
            caption("m3", "частичная", 1_000_000_000 + 4_000_000, 1_000_000_000 + 5_000_000, final: false),
            caption("m0", "до записи", 500_000_000, 900_000_000),
        ],
        recordingStart: 1_000_000_000
    )

    @Test func onlyFinalLinesOfTheRecordingInTimeOrder() {
        #expect(export.lines.map(\.text) == ["Первая строка.", "Вторая строка --> с\nпереносом."])
        #expect(export.lines[0].start == 1.5 && export.lines[0].end == 3.25)
    }

    @Test func webVTTAndSubRipTimeEachCueAndKeepItOnOneLine() {
        #expect(
            export.webVTT
                == "WEBVTT\n\n00:00:01.500 --> 00:00:03.250\nПервая строка.\n\n01:02:05.400 --> 01:02:07.000\nВторая строка → с переносом.\n"
        )
        #expect(export.subRip.hasPrefix("1\n00:00:01,500 --> 00:00:03,250\nПервая строка.\n\n2\n01:02:05,400 --> "))
        #expect(export.plainText == "[00:00:01] Первая строка.\n[01:02:05] Вторая строка --> с\nпереносом.\n")
    }
}
