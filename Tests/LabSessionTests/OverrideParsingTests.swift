import XCTest
@testable import LabSession

/// `SWIFT_LAB_SET` and `swift-lab run --set` share one parser for name=value overrides.
final class OverrideParsingTests: XCTestCase {
    func testCommasAndSpacesSeparatePairs() throws {
        let pairs = try XCTUnwrap(Session.parseOverrides("data=synthetic,epochs=1 batch=32"))
        XCTAssertEqual(pairs.map { $0.0 }, ["data", "epochs", "batch"])
        XCTAssertEqual(pairs.map { $0.1 }, ["synthetic", "1", "32"])
    }

    func testValueMayContainEqualsAndBeEmpty() throws {
        let pairs = try XCTUnwrap(Session.parseOverrides("root=/a=b,note="))
        XCTAssertEqual(pairs[0].0, "root")
        XCTAssertEqual(pairs[0].1, "/a=b")
        XCTAssertEqual(pairs[1].1, "")
    }

    func testMalformedPairsAreRejected() {
        XCTAssertNil(Session.parseOverrides("data"))
        XCTAssertNil(Session.parseOverrides("=synthetic"))
        XCTAssertNil(Session.parseOverrides("epochs=1,oops"))
    }
}
