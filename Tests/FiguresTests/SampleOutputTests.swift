import Foundation
import XCTest
@testable import Figures

/// Writes sample figures for a person to look at when FIGURES_SAMPLES names a folder;
/// otherwise does nothing.
final class SampleOutputTests: XCTestCase {
    func testWriteSamples() throws {
        guard let dir = ProcessInfo.processInfo.environment["FIGURES_SAMPLES"] else { return }
        let url = URL(fileURLWithPath: dir)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        func save(_ f: Figure) throws { try f.fileData.write(to: url.appendingPathComponent("\(f.name).\(f.fileExtension)")) }
        // Eight synthetic 32x32 "photos": gradients and shapes.
        var images = [Float](repeating: 0, count: 8 * 3 * 32 * 32)
        for n in 0..<8 { for c in 0..<3 { for y in 0..<32 { for x in 0..<32 {
            let dx = x - 16, dy = y - 16
            let d = Float(dx * dx + dy * dy).squareRoot()
            let ramp: Float = Float(x + y * c) / 96
            let v: Float = c == n % 3 ? (d < Float(6 + n) ? 0.9 : 0.2) : ramp
            images[((n * 3 + c) * 32 + y) * 32 + x] = v
        } } } }
        let names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse"]
        try save(LabFigures.sampleGrid(images: images, count: 8, channels: 3, height: 32, width: 32, titles: names))
        var maps = [Float](repeating: 0, count: 64 * 16 * 16)
        for c in 0..<64 { for y in 0..<16 { for x in 0..<16 {
            let a: Float = sin(Float(x) * Float(c + 1) / 9)
            let b: Float = cos(Float(y) / Float(c % 5 + 1))
            maps[(c * 16 + y) * 16 + x] = a + b
        } } }
        try save(LabFigures.featureMaps(maps, channels: 64, height: 16, width: 16, rows: 4, columns: 4,
                                        title: "First Layer Feature Maps", name: "first-layer"))
        try save(LabFigures.featureMaps(maps, channels: 64, height: 8, width: 8, rows: 2, columns: 4,
                                        title: "F(x) + x", name: "fx-plus-x"))
        let plain: [Double] = (0..<11).map { (i: Int) -> Double in 2e-5 * pow(2.2, Double(i)) }
        let resnet: [Double] = (0..<21).map { (i: Int) -> Double in
            let wobble: Double = 0.001 * Double(i % 4)
            return 0.004 + wobble + 0.0005 * Double(i)
        }
        try save(LabFigures.gradientChart(series: [("plain CNN (10 conv)", plain), ("ResNet-18", resnet)]))
        try save(LabFigures.trainingCurves(loss: [1.52, 1.1, 0.9, 0.75, 0.61], trainAccuracy: [45, 60, 68, 74, 79],
                                           testAccuracy: [50, 62, 70, 73, 78]))
        let classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        try save(LabFigures.perClassAccuracy(classNames: classes, accuracy: [0.85, 0.92, 0.7, 0.61, 0.8, 0.72, 0.88, 0.86, 0.9, 0.89]))
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for i in 0..<10 { for j in 0..<10 { counts[i][j] = i == j ? 800 + i * 17 : (i * 7 + j * 3) % 40 } }
        try save(LabFigures.confusionMatrix(classNames: classes, counts: counts, heatMap: true))
        try save(LabFigures.confusionMatrix(classNames: classes, counts: counts, name: "confusion-table"))
        let fig = LabFigures.sampleGrid(images: images, count: 8, channels: 3, height: 32, width: 32, titles: names)
        try Data(TerminalImage.render(fig.image!, maxColumns: 100).utf8).write(to: url.appendingPathComponent("terminal.txt"))
        let curves = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss",
                               series: [.init(name: "train", y: [1.52, 1.1, 0.9, 0.75, 0.61]), .init(name: "test", y: [1.4, 1.05, 0.95, 0.8, 0.7])])
        let g = LineChart(title: "Mean |gradient| per layer", xLabel: "layer", yLabel: "mean |grad|",
                          series: [.init(name: "plain", y: plain), .init(name: "resnet", y: resnet)], logY: true)
        try Data((TerminalChart.render(curves) + TerminalChart.render(g, columns: 70, rows: 14)).utf8)
            .write(to: url.appendingPathComponent("terminal-chart.txt"))
        var fashion = [Float](repeating: 0, count: 8 * 28 * 28)
        for i in fashion.indices {
            let x = i % 28, y = (i / 28) % 28
            fashion[i] = Float(x * y) / 729
        }
        try save(LabFigures.sampleGrid(images: fashion, count: 8, channels: 1, height: 28, width: 28,
                                       titles: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Ankle boot"],
                                       title: "Fashion-MNIST samples", name: "fashion"))
        var layers = ["conv1"]
        for l in 1...4 { for b in 0...1 { layers += ["layer\(l).\(b).conv1", "layer\(l).\(b).conv2"] } }
        layers.append("fc")
        let deep: [Double] = layers.indices.map { (i: Int) -> Double in 0.002 * pow(1.2, Double(i)) }
        try save(LabFigures.gradientChart(series: [("ResNet-18", deep)], layerNames: layers, name: "gradients-named"))
        try Data((fig.plain + "\n" + LabFigures.gradientChart(series: [("plain", plain), ("resnet", resnet)]).plain).utf8)
            .write(to: url.appendingPathComponent("plain.txt"))
    }
}
