import Foundation

/// A line chart in SVG: several series against a shared x axis, linear or log y axis,
/// markers on short series, a legend, and a text summary for text/plain.
public struct LineChart: Sendable {
    /// One line: y values at x positions (x defaults to 1, 2, 3, ...).
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        /// nil picks the next color of `Palette.cycle`.
        public var color: RGB?
        /// A name per point (e.g. the layer a gradient belongs to): a tooltip on its marker
        /// and the first and last names in the text summary.
        public var pointNames: [String]?

        public init(name: String, x: [Double], y: [Double], color: RGB? = nil, pointNames: [String]? = nil) {
            precondition(x.count == y.count, "series '\(name)' has \(x.count) x values and \(y.count) y values")
            precondition(pointNames.map { $0.count == y.count } ?? true,
                         "series '\(name)' has \(y.count) values and \(pointNames?.count ?? 0) point names")
            self.name = name
            self.x = x
            self.y = y
            self.color = color
            self.pointNames = pointNames
        }

        /// y at x = 1, 2, 3, ...
        public init(name: String, y: [Double], color: RGB? = nil, pointNames: [String]? = nil) {
            self.init(name: name, x: y.indices.map { Double($0 + 1) }, y: y, color: color, pointNames: pointNames)
        }

        /// The tooltip of point `i`: series, point name and value.
        func tooltip(_ i: Int) -> String {
            let what = pointNames.map { "\(name), \($0[i])" } ?? "\(name), x = \(NumberText.short(x[i]))"
            return "\(what): \(NumberText.short(y[i]))"
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logY: Bool
    /// Pins the y range (e.g. 0...100 for accuracy in percent); nil fits the data.
    public var yLower: Double?
    public var yUpper: Double?
    /// Names for integer x positions (e.g. layer names); used as tick labels when given.
    public var xNames: [String]?
    public var width = 640
    public var height = 420

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logY: Bool = false,
                yLower: Double? = nil, yUpper: Double? = nil, xNames: [String]? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.yLower = yLower
        self.yUpper = yUpper
        self.xNames = xNames
    }

    /// The axes the chart uses.
    public func axes() -> (x: Axis, y: Axis) {
        let xs = series.flatMap { $0.x }
        let ys = series.flatMap { $0.y }
        // Whole-number x values (epochs, layers) get whole-number ticks.
        let xAxis = Axis(covering: xs, padding: 0.04, wholeSteps: !xs.isEmpty && xs.allSatisfy { $0 == $0.rounded() })
        let yAxis = Axis(covering: ys, scale: logY ? .log : .linear, fixedLower: yLower, fixedUpper: yUpper)
        return (xAxis, yAxis)
    }

    /// The chart as an SVG document.
    public func svg() -> String {
        let (xAxis, yAxis) = axes()
        var height = self.height
        var frame = ChartFrame(width: Double(width), height: Double(height), title: title, xLabel: xLabel, yLabel: yLabel)
        frame.fitLeft(to: yAxis)
        if let names = xNames {
            // Room for names turned 45 degrees, then the axis label.
            let longest = names.map { SVGCanvas.textWidth($0, size: 9.5) }.max() ?? 0
            frame.bottom = 40 + longest * 0.71
            height = max(height, Int(frame.bottom + 240))
            frame.height = Double(height)
        }
        var svg = SVGCanvas(width: width, height: height)
        frame.drawFrame(&svg, yAxis: yAxis)
        if let names = xNames {
            drawNamedXTicks(&svg, frame: frame, xAxis: xAxis, names: names)
        } else {
            frame.drawXTicks(&svg, xAxis: xAxis)
        }
        var allPoints = [(Double, Double)]()
        var legend = [(name: String, color: String)]()
        for (i, s) in series.enumerated() {
            let color = (s.color ?? Palette.color(i)).hexString
            let shown = s.y.indices.filter { s.y[$0].isFinite && (!logY || s.y[$0] > 0) }
            let pts = shown.map { (frame.px(xAxis.fraction(s.x[$0])), frame.py(yAxis.fraction(s.y[$0]))) }
            if pts.count > 1 { svg.polyline(pts, color: color, width: 1.6) }
            if pts.count <= 40 {
                for (p, i) in zip(pts, shown) { svg.circle(p.0, p.1, r: 3, fill: color, title: s.tooltip(i)) }
            }
            allPoints += pts
            legend.append((s.name, color))
        }
        frame.drawSpines(&svg)
        if series.count > 1 || !(series.first?.name.isEmpty ?? true) {
            frame.drawLegend(&svg, entries: legend, points: allPoints)
        }
        return svg.document
    }

    /// x ticks at integer positions labeled with names, rotated when they would collide.
    private func drawNamedXTicks(_ svg: inout SVGCanvas, frame: ChartFrame, xAxis: Axis, names: [String]) {
        let n = names.count
        guard n > 0 else { return }
        let slot = frame.plotW / Double(max(1, n))
        let every = max(1, Int(ceil(12.0 / slot)))
        let rotate = names.map { SVGCanvas.textWidth($0, size: 9.5) }.max()! > slot * Double(every) - 4
        for (i, name) in names.enumerated() where i % every == 0 {
            let x = frame.px(xAxis.fraction(Double(i + 1)))
            let y0 = frame.plotY + frame.plotH
            svg.line(x, y0, x, y0 + 4)
            if rotate {
                svg.text(name, x + 3, y0 + 10, size: 9.5, anchor: "end", rotate: -45)
            } else {
                svg.text(name, x, y0 + 16, size: 9.5)
            }
        }
    }

    /// What the chart shows, in words and numbers.
    public func summary() -> String {
        let xs = series.flatMap { $0.x }
        var head = "Line chart '\(title)': \(series.count) series"
        if let lo = xs.min(), let hi = xs.max() {
            head += "; x: \(xLabel.isEmpty ? "x" : xLabel), \(NumberText.short(lo)) to \(NumberText.short(hi))"
        }
        head += "; \(logY ? "log-scale " : "")y: \(yLabel.isEmpty ? "y" : yLabel)"
        var lines = [head]
        let nameWidth = series.map { $0.name.count }.max() ?? 0
        for s in series {
            let finite = s.y.filter { $0.isFinite }
            guard let first = finite.first, let last = finite.last else {
                lines.append("  \(s.name): no values")
                continue
            }
            var line = "  " + s.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            if let names = s.pointNames, let i = s.y.firstIndex(where: { $0.isFinite }),
               let j = s.y.lastIndex(where: { $0.isFinite }) {
                line += "  \(NumberText.short(first)) (\(names[i])) -> \(NumberText.short(last)) (\(names[j]))"
            } else {
                line += "  \(NumberText.short(first)) -> \(NumberText.short(last))"
            }
            if finite.count > 2 {
                line += "  (min \(NumberText.short(finite.min()!)), max \(NumberText.short(finite.max()!)))"
            }
            line += "  " + Sparkline.unicode(s.y, log: logY, maxWidth: 40)
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The figure: SVG plus its text summary.
    public func figure(name: String) -> Figure {
        var f = Figure(plain: summary(), svg: svg(), name: name)
        f.charts = [self]
        return f
    }
}
