import Foundation

/// A vertical bar chart in SVG: one bar per category, value labels on top, category labels
/// under the axis (rotated 30 degrees when they would overlap), with a text summary.
public struct BarChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var categories: [String]
    public var values: [Double]
    /// Pins the y range (e.g. 0 and 100 for percentages); the lower end defaults to 0.
    public var yLower: Double
    public var yUpper: Double?
    /// Printed after each value label and in the summary ("%").
    public var unit: String
    public var color: RGB
    public var width = 640
    public var height = 420

    public init(title: String, xLabel: String = "", yLabel: String, categories: [String], values: [Double],
                yLower: Double = 0, yUpper: Double? = nil, unit: String = "", color: RGB = Palette.color(0)) {
        precondition(categories.count == values.count, "\(categories.count) categories but \(values.count) values")
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.values = values
        self.yLower = yLower
        self.yUpper = yUpper
        self.unit = unit
        self.color = color
    }

    /// The y axis the chart uses.
    public func yAxis() -> Axis {
        Axis(covering: values + [yLower], fixedLower: yLower, fixedUpper: yUpper)
    }

    /// The chart as an SVG document.
    public func svg() -> String {
        let y = yAxis()
        let n = max(1, categories.count)
        var frame = ChartFrame(width: Double(width), height: Double(height), title: title, xLabel: xLabel, yLabel: yLabel)
        frame.fitLeft(to: y)
        let slotGuess = (Double(width) - frame.left - frame.right) / Double(n)
        let longest = categories.map { SVGCanvas.textWidth($0, size: 10.5) }.max() ?? 0
        let rotate = longest > slotGuess - 4
        if rotate { frame.bottom = (xLabel.isEmpty ? 26 : 46) + longest * 0.5 }
        var svg = SVGCanvas(width: width, height: height)
        frame.drawFrame(&svg, yAxis: y)
        let slot = frame.plotW / Double(n)
        let barW = slot * 0.8
        let base = frame.py(y.fraction(max(y.lower, min(y.upper, 0))))
        for (i, (name, v)) in zip(categories, values).enumerated() {
            let cx = frame.plotX + slot * (Double(i) + 0.5)
            let top = frame.py(y.fraction(min(max(v.isFinite ? v : 0, y.lower), y.upper)))
            let label = NumberText.short(v) + unit
            svg.rect(cx - barW / 2, min(top, base), barW, abs(base - top), fill: color.hexString,
                     title: "\(name): \(label)")
            svg.text(label, cx, min(top, base) - 4, size: 9.5)
            let y0 = frame.plotY + frame.plotH
            svg.line(cx, y0, cx, y0 + 4)
            if rotate {
                svg.text(name, cx + 4, y0 + 14, size: 10.5, anchor: "end", rotate: -30)
            } else {
                svg.text(name, cx, y0 + 17, size: 10.5)
            }
        }
        frame.drawSpines(&svg)
        return svg.document
    }

    /// What the chart shows: one line per category with a text bar.
    public func summary() -> String {
        var lines = ["Bar chart '\(title)': \(categories.count) bars" + (yLabel.isEmpty ? "" : " of \(yLabel)")]
        let w = categories.map { $0.count }.max() ?? 0
        let hi = yUpper ?? (values.filter { $0.isFinite }.max() ?? 1)
        for (name, v) in zip(categories, values) {
            let frac = hi > yLower ? (v - yLower) / (hi - yLower) : 0
            lines.append("  " + name.padding(toLength: w, withPad: " ", startingAt: 0) + "  "
                         + TextBar.bar(frac, width: 20) + "  " + NumberText.short(v) + unit)
        }
        return lines.joined(separator: "\n")
    }

    /// The figure: SVG plus its text summary.
    public func figure(name: String) -> Figure {
        Figure(plain: summary(), svg: svg(), name: name)
    }
}
