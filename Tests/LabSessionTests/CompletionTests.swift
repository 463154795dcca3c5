import XCTest
@testable import LabSession

/// Completion, inspection and help, all generated from the command table.
final class CompletionTests: XCTestCase {
    let s = Session()

    func testCommandNames() {
        XCTAssertEqual(s.complete("tra", cursor: 3).matches, ["train"])
        XCTAssertEqual(s.complete("hel", cursor: 3).matches, ["help"])
        let c = s.complete("echo a\nver", cursor: 10)
        XCTAssertEqual(c.matches, ["version"])
        XCTAssertEqual(c.start, 7)
        XCTAssertEqual(c.end, 10)
    }

    func testArgumentNamesAndValues() {
        XCTAssertEqual(s.complete("seed va", cursor: 7).matches, ["value="])
        XCTAssertEqual(s.complete("help tr", cursor: 7).matches, ["train"])
        let c = s.complete("optimizer ad", cursor: 12)
        XCTAssertEqual(c.matches, ["adam"])
        XCTAssertEqual(c.start, 10)
    }

    func testPathArgumentsAreFlagged() {
        XCTAssertTrue(s.completesPath("save /tm", cursor: 8))
        XCTAssertTrue(s.completesPath("load model=x file=/tm", cursor: 22))
        XCTAssertFalse(s.completesPath("train ep", cursor: 8))
        XCTAssertFalse(s.completesPath("sa", cursor: 2))
    }

    func testInspectGivesHelp() {
        let b = s.inspect("train", cursor: 2)
        XCTAssertNotNil(b)
        XCTAssertTrue(b!.plain.hasPrefix("train"), b!.plain)
        XCTAssertTrue(b!.plain.contains("epochs"))
        XCTAssertNil(s.inspect("", cursor: 0))
    }

    func testHelpListsEveryCommandOnce() {
        let (o, sink) = s.run("help")
        XCTAssertEqual(o, .ok)
        for name in Session.commandNames {
            XCTAssertTrue(sink.stdout.contains("  \(name) "), name)
        }
        let (_, one) = s.run("help seed")
        XCTAssertTrue(one.stdout.hasPrefix("seed [VALUE]"), one.stdout)
    }
}
