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
        XCTAssertFalse(odd.split(separator: "\n")[1].contains("\u{1B}[48;2"), "odd last row keeps the terminal background")
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

    func testTerminalLineChartLayout() {
        let chart = LineChart(title: "Mean |gradient| per layer", xLabel: "layer", yLabel: "mean |grad|",
                              series: [.init(name: "plain", y: [1e-4, 1e-3, 1e-2]), .init(name: "resnet", y: [0.01, 0.02, 0.03])],
                              logY: true)
        let text = TerminalChart.render(chart, columns: 60, rows: 12)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.first, "Mean |gradient| per layer")
        XCTAssertEqual(lines.count, 1 + 12 + 2)
        // Decade labels sit at the left of the plot rows, top to bottom.
        let labelled = lines.dropFirst().prefix(12).compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix("1e") }
        XCTAssertEqual(labelled, ["1e-1", "1e-2", "1e-3", "1e-4"])
        XCTAssertTrue(lines.last!.contains("plain") && lines.last!.contains("resnet"))
        XCTAssertTrue(text.contains("\u{1B}[38;2;31;119;180m"), "first series in the first palette color")
    }

    func testFigureTerminalText() {
        let curves = LabFigures.trainingCurves(loss: [1.5, 1.0, 0.7], trainAccuracy: [40, 60, 70])
        let t = curves.terminalText(maxColumns: 70)
        XCTAssertTrue(t.hasPrefix("Training loss\n"))
        XCTAssertTrue(t.contains("\nAccuracy\n"))
        XCTAssertTrue(t.hasSuffix(curves.plain))
        XCTAssertEqual(curves.terminalText(colorTerminal: false), curves.plain)
        let grid = LabFigures.sampleGrid(images: [Float](repeating: 0.5, count: 2 * 3 * 4 * 4), count: 2, channels: 3,
                                         height: 4, width: 4, titles: ["a", "b"], rows: 1, columns: 2)
        XCTAssertTrue(grid.terminalText(maxColumns: 40).contains("\u{2580}"))
    }
}
