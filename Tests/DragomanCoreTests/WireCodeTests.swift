import DragomanCore
import Foundation
import Testing

/// The one table of wire codes drives the HTTP statuses, the close codes and the protocol document.
@Suite struct WireCodeTests {
    /// docs/protocol.md shows exactly the table the code has.
    @Test func theProtocolDocumentShowsTheTableOfCodes() throws {
        let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/protocol.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- wire-codes:begin -->\n"))
        let end = try #require(text.range(of: "\n<!-- wire-codes:end -->"))
        let shown = String(text[begin.upperBound..<end.lowerBound])
        #expect(shown == ProtocolError.Code.markdownTable, "docs/protocol.md should show:\n\(ProtocolError.Code.markdownTable)")
    }

    /// Every booth refusal has its code in the table, and close codes are 4000 + the HTTP status.
    @Test func refusalsAndCloseCodesComeFromTheTable() {
        let refusals: [BoothMicrophone.Refusal] = [
            .notOnline(InterpreterID("a")), .micBusy(live: InterpreterID("a")), .notLive(InterpreterID("a")), .noPartnerOnline,
            .nothingToAccept, .notAccepted, .nothingToCancel,
        ]
        #expect(
            Set(refusals.map(\.code.rawValue)) == [
                "not-online", "mic-busy", "not-live", "no-partner", "nothing-to-accept", "not-accepted", "nothing-to-cancel",
            ]
        )
        for code in ProtocolError.Code.allCases {
            #expect(Int(code.closeCode) == 4000 + code.httpStatus)
            #expect((400..<600).contains(code.httpStatus))
        }
    }
}
