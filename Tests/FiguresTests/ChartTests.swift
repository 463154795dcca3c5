import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Figures

/// Axes, SVG charts, and the confusion matrix views.
final class ChartTests: XCTestCase {
    /// Parses the SVG as XML and returns the text of every <text> element.
    func texts(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let doc = try XMLDocument(data: Data(svg.utf8), options: [])
        XCTAssertEqual(doc.rootElement()?.name, "svg", file: file, line: line)
        return try doc.nodes(forXPath: "//*[local-name()='text']").compactMap { $0.stringValue }
    }

    func testNiceLinearTicks() {
        let a = Axis(covering: [0.61, 1.52])
        XCTAssertEqual(a.tickLabels, ["0.6", "0.8", "1.0", "1.2", "1.4"])
        XCTAssertLessThan(a.lower, 0.61)
        XCTAssertGreaterThan(a.upper, 1.52)
        let pct = Axis(covering: [40, 87], fixedLower: 0, fixedUpper: 100)
        XCTAssertEqual(pct.ticks, [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(Axis.niceStep(0.23), 0.25)
        XCTAssertEqual(Axis.niceStep(3.1), 5)
        XCTAssertEqual(Axis.niceStep(7), 10)
    }

    func testWholeStepsForEpochsAndLayers() {
        XCTAssertEqual(Axis(covering: [1], wholeSteps: true).tickLabels, ["1"])
        XCTAssertEqual(Axis(covering: [1, 2, 3], wholeSteps: true).tickLabels, ["1", "2", "3"])
        XCTAssertEqual(Axis(covering: [1, 12], wholeSteps: true).ticks, [5, 10], "2.5 becomes 5, not 2.5")
        XCTAssertEqual(Axis(covering: [1, 40], wholeSteps: true).ticks, [0, 10, 20, 30, 40])
        XCTAssertEqual(Axis(covering: [1], wholeSteps: false).tickLabels, ["0.6", "0.8", "1.0", "1.2", "1.4"])
        // A one-epoch training curve: one "1" tick under the point, no fractions of an epoch.
        let fig = LabFigures.trainingCurves(loss: [2.5], trainAccuracy: [10.4])
        let t = try? texts(fig.svg!)
        XCTAssertEqual(t?.filter { ["0.6", "0.8", "1.2", "1.4"].contains($0) }, [])
        XCTAssertEqual(t?.filter { $0 == "1" }.count, 2, "one epoch tick per panel")
    }

    func testLogAxisSpansWholeDecades() {
        let a = Axis(covering: [3.2e-4, 0.021, 0.05], scale: .log)
        XCTAssertEqual(a.tickLabels, ["1e-4", "1e-3", "1e-2", "1e-1"])
        XCTAssertEqual(a.lower, 1e-4, accuracy: 1e-12)
        XCTAssertEqual(a.upper, 0.1, accuracy: 1e-12)
        XCTAssertEqual(a.minorTicks.count, 3 * 8)
        XCTAssertEqual(a.fraction(1e-3), 1.0 / 3, accuracy: 1e-9)
    }

    func testLogGradientChartHasDecadeLabelsAndLegend() throws {
        let plain = [2e-4, 5e-4, 1.5e-3, 4e-3, 9e-3, 0.02, 0.05, 0.08]
        let resnet = [0.01, 0.012, 0.011, 0.015, 0.02, 0.018, 0.03, 0.05]
        let fig = LabFigures.gradientChart(series: [("plain CNN", plain), ("ResNet-18", resnet)])
        let t = try texts(fig.svg!)
        for label in ["1e-4", "1e-3", "1e-2", "1e-1"] { XCTAssertTrue(t.contains(label), "missing \(label) in \(t)") }
        XCTAssertTrue(t.contains("plain CNN"))
        XCTAssertTrue(t.contains("ResNet-18"))
        XCTAssertTrue(t.contains("Mean |gradient| per layer"))
        XCTAssertTrue(fig.plain.hasPrefix("Line chart 'Mean |gradient| per layer': 2 series"))
        XCTAssertTrue(fig.plain.contains("plain CNN  2e-4 -> 0.08"), fig.plain)
        XCTAssertEqual(fig.svg!.components(separatedBy: "<polyline").count - 1, 2)
    }

    func testGradientChartNamesEachPointsLayer() throws {
        let fig = LabFigures.gradientChart(series: [("plain", [1e-6, 3e-4]), ("resnet", [0.2, 0.01, 0.07])],
                                           pointNames: [["features.0.weight", "fc.weight"],
                                                        ["conv1.weight", "layer1.0.conv1.weight", "fc.weight"]])
        let svg = fig.svg!
        // One tooltip per marker, naming series, layer and value; escaped as XML.
        XCTAssertEqual(svg.components(separatedBy: "<title>").count - 1, 5)
        XCTAssertTrue(svg.contains("<title>plain, features.0.weight: 1e-6</title>"), svg)
        XCTAssertTrue(svg.contains("<title>resnet, layer1.0.conv1.weight: 0.01</title>"), svg)
        XCTAssertTrue(fig.plain.contains("plain   1e-6 (features.0.weight) -> 3e-4 (fc.weight)"), fig.plain)
        XCTAssertTrue(fig.plain.contains("resnet  0.2 (conv1.weight) -> 0.07 (fc.weight)"), fig.plain)
        // Without names a marker's tooltip gives its x position.
        let bare = LabFigures.gradientChart(series: [("plain", [1e-6, 3e-4])])
        XCTAssertTrue(bare.svg!.contains("<title>plain, x = 2: 3e-4</title>"), bare.svg!)
    }

    func testTrainingCurvesSideBySide() throws {
        let fig = LabFigures.trainingCurves(loss: [1.52, 1.1, 0.9, 0.75, 0.61], trainAccuracy: [45, 60, 68, 74, 79],
                                            testAccuracy: [50, 62, 70, 73, 78])
        let t = try texts(fig.svg!)
        XCTAssertTrue(t.contains("Training loss"))
        XCTAssertTrue(t.contains("Accuracy"))
        XCTAssertTrue(t.contains("test accuracy"))
        XCTAssertTrue(fig.plain.contains("train loss  1.52 -> 0.61"), fig.plain)
        XCTAssertTrue(fig.plain.contains("x: epoch, 1 to 5"), fig.plain)
    }

    func testBarChartPerClass() throws {
        let names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        let acc = [0.85, 0.92, 0.7, 0.61, 0.8, 0.72, 0.88, 0.86, 0.9, 0.89]
        let fig = LabFigures.perClassAccuracy(classNames: names, accuracy: acc)
        let t = try texts(fig.svg!)
        for n in names { XCTAssertTrue(t.contains(n), n) }
        XCTAssertTrue(t.contains("61%"))
        XCTAssertTrue(t.contains("100"))
        XCTAssertTrue(fig.plain.contains("cat         ############........  61%"), fig.plain)
    }

    func testEscapingKeepsXMLWellFormed() throws {
        let chart = LineChart(title: "a < b & \"c\"", xLabel: "x", yLabel: "y", series: [.init(name: "<s>", y: [1, 2])])
        let t = try texts(chart.svg())
        XCTAssertTrue(t.contains("a < b & \"c\""))
        XCTAssertTrue(t.contains("<s>"))
    }

    func testConfusionMatrixViews() throws {
        let names = ["cat", "dog", "ship"]
        let m = ConfusionMatrix(classNames: names, truth: [0, 0, 0, 1, 1, 2, 2, 2, 2], predicted: [0, 0, 1, 1, 0, 2, 2, 2, 0])
        XCTAssertEqual(m.counts, [[2, 1, 0], [1, 1, 0], [1, 0, 3]])
        XCTAssertEqual(m.accuracy, 6.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(m.perClassAccuracy, [2.0 / 3, 0.5, 0.75])
        let html = m.html()
        let doc = try XMLDocument(data: Data(html.utf8), options: [])
        XCTAssertEqual(try doc.nodes(forXPath: "//tr").count, 1 + 3 + 1)
        XCTAssertEqual(try doc.nodes(forXPath: "//td").count, 3 * 4 + 1)
        XCTAssertTrue(html.contains("75.0%"))
        let text = m.text()
        XCTAssertTrue(text.hasPrefix("Confusion matrix: 9 samples, accuracy 66.67%"))
        XCTAssertTrue(text.contains("ship    1    0    3"), text)
        let img = m.image(cellSize: 20)
        let peak = ColorMap.viridis.color(1)
        // Find the bright cell (ship, ship): count 3 is the peak.
        var found = false
        for y in 0..<img.height { for x in 0..<img.width where img.pixel(x, y) == peak { found = true } }
        XCTAssertTrue(found)
        let fig = LabFigures.confusionMatrix(classNames: names, counts: m.counts, heatMap: true)
        XCTAssertEqual(try PNGDecoder.decode(fig.png!), fig.image)
        XCTAssertNil(fig.html)
        XCTAssertNotNil(LabFigures.confusionMatrix(classNames: names, counts: m.counts).html)
    }

    func testNumberText() {
        XCTAssertEqual(NumberText.short(0.000234), "2.34e-4")
        XCTAssertEqual(NumberText.short(0.0001), "1e-4")
        XCTAssertEqual(NumberText.short(1.5), "1.5")
        XCTAssertEqual(NumberText.short(87.26), "87.3")
        XCTAssertEqual(NumberText.grouped(11_181_642), "11,181,642")
    }
}
