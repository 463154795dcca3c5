import XCTest
@testable import Figures

/// Half-block terminal images and text sparklines.
final class TerminalTests: XCTestCase {
    func testRowsColumnsAndEscapes() {
        var img = RGBImage(width: 6, height: 4, fill: RGB(10, 20, 30))
        img.fillRect(x: 0, y: 1, width: 6, height: 1, RGB(200, 100, 0))
        let s = TerminalImage.render(img)
        let lines = s.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 2)
        for line in lines {
            XCTAssertEqual(line.filter { $0 == "\u{2580}" }.count, 6)
            XCTAssertTrue(line.hasSuffix("\u{1B}[0m"))
        }
        XCTAssertTrue(lines[0].hasPrefix("\u{1B}[38;2;10;20;30m\u{1B}[48;2;200;100;0m\u{2580}"))
        XCTAssertTrue(lines[1].hasPrefix("\u{1B}[38;2;10;20;30m\u{1B}[48;2;10;20;30m\u{2580}"))
    }

    func testOddHeightAndShrinking() {
        let img = RGBImage(width: 200, height: 51, fill: RGB(1, 2, 3))
        let s = TerminalImage.render(img, maxColumns: 40)
        let lines = s.split(separator: "\n")
        // 200x51 shrinks to 40x10 -> 5 lines of 40 cells.
        XCTAssertEqual(lines.count, 5)
        XCTAssertEqual(lines[0].filter { $0 == "\u{2580}" }.count, 40)
        let odd = TerminalImage.render(RGBImage(width: 3, height: 3))
        XCTAssertEqual(odd.split(separator: "\n").count, 2)
        XCTAssertTrue(odd.split(separator: "\n")[1].contains("\u{1B}[49m"))
        var halves = RGBImage(width: 4, height: 2, fill: .black)
        halves.fillRect(x: 2, y: 0, width: 2, height: 2, .white)
        XCTAssertEqual(TerminalImage.shrink(halves, toWidth: 2).pixel(1, 0), .white)
    }

    func testSparklinesAndBars() {
        XCTAssertEqual(Sparkline.unicode([1, 2, 3, 4, 5, 6, 7, 8]), "\u{2581}\u{2582}\u{2583}\u{2584}\u{2585}\u{2586}\u{2587}\u{2588}")
        XCTAssertEqual(Sparkline.ascii([0, 1, .nan, 0.5]), "_# =")
        XCTAssertEqual(Sparkline.ascii([1e-4, 1e-2, 1], log: true), "_=#")
        XCTAssertEqual(Sparkline.ascii(Array(repeating: 1, count: 100), maxWidth: 10).count, 10)
        XCTAssertEqual(TextBar.bar(0.5, width: 10), "#####.....")
    }
}
