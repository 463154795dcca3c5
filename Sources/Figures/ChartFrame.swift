import Foundation

/// The common frame of an SVG chart: title, plot rectangle, spines, ticks, tick labels,
/// axis labels, horizontal grid lines and a legend box.
///
/// Sizes follow matplotlib's defaults scaled to pixels: title 14 px, axis labels 12 px,
/// tick labels 10.5 px, ticks 4 px outward, spines 0.8 px.
struct ChartFrame {
    var width: Double
    var height: Double
    var title: String
    var xLabel: String
    var yLabel: String
    /// Plot rectangle in pixels.
    var left = 70.0, right = 20.0, top = 42.0, bottom = 52.0

    var plotX: Double { left }
    var plotY: Double { top }
    var plotW: Double { width - left - right }
    var plotH: Double { height - top - bottom }

    /// Pixel x of a fraction along the x axis.
    func px(_ fraction: Double) -> Double { plotX + fraction * plotW }
    /// Pixel y of a fraction along the y axis (0 at the bottom).
    func py(_ fraction: Double) -> Double { plotY + (1 - fraction) * plotH }

    /// Widens the left margin so the longest y tick label fits.
    mutating func fitLeft(to yAxis: Axis) {
        let longest = yAxis.tickLabels.map { SVGCanvas.textWidth($0, size: 10.5) }.max() ?? 20
        left = max(58, longest + 36)
    }

    /// Title, grid, y ticks, y label, x label, and the bottom-left spines; x ticks are drawn
    /// by the chart (numeric or categorical).
    func drawFrame(_ svg: inout SVGCanvas, yAxis: Axis) {
        svg.text(title, width / 2, 26, size: 14, color: "#000000")
        for t in yAxis.ticks {
            let y = py(yAxis.fraction(t))
            svg.line(plotX, y, plotX + plotW, y, color: "#e6e6e6", width: 0.8)
        }
        for (t, label) in zip(yAxis.ticks, yAxis.tickLabels) {
            let y = py(yAxis.fraction(t))
            svg.line(plotX - 4, y, plotX, y)
            svg.text(label, plotX - 7, y + 3.7, size: 10.5, anchor: "end")
        }
        for t in yAxis.minorTicks {
            let y = py(yAxis.fraction(t))
            svg.line(plotX - 2, y, plotX, y, width: 0.6)
        }
        svg.text(yLabel, 16, plotY + plotH / 2, size: 12, rotate: -90)
        svg.text(xLabel, plotX + plotW / 2, height - 12, size: 12)
    }

    /// The four spines, drawn last so they sit over the data.
    func drawSpines(_ svg: inout SVGCanvas) {
        svg.rect(plotX, plotY, plotW, plotH, fill: "none", stroke: "#000000", strokeWidth: 0.8)
    }

    /// Numeric x ticks with labels under the plot.
    func drawXTicks(_ svg: inout SVGCanvas, xAxis: Axis) {
        for (t, label) in zip(xAxis.ticks, xAxis.tickLabels) {
            let x = px(xAxis.fraction(t))
            svg.line(x, plotY + plotH, x, plotY + plotH + 4)
            svg.text(label, x, plotY + plotH + 17, size: 10.5)
        }
    }

    /// A legend box in the plot corner with the fewest data points under it (matplotlib's
    /// "best", simplified). `points` are pixel positions of the plotted data.
    func drawLegend(_ svg: inout SVGCanvas, entries: [(name: String, color: String)], points: [(Double, Double)]) {
        guard !entries.isEmpty else { return }
        let rowH = 18.0, pad = 8.0
        let textW = entries.map { SVGCanvas.textWidth($0.name, size: 10.5) }.max() ?? 0
        let boxW = pad * 2 + 24 + textW, boxH = pad * 1.2 + Double(entries.count) * rowH
        let inset = 8.0
        let corners = [
            (plotX + plotW - boxW - inset, plotY + inset), (plotX + inset, plotY + inset),
            (plotX + plotW - boxW - inset, plotY + plotH - boxH - inset), (plotX + inset, plotY + plotH - boxH - inset),
        ]
        var best = corners[0], bestCount = Int.max
        for c in corners {
            let n = points.filter { $0.0 >= c.0 - 4 && $0.0 <= c.0 + boxW + 4 && $0.1 >= c.1 - 4 && $0.1 <= c.1 + boxH + 4 }.count
            if n < bestCount { best = c; bestCount = n }
        }
        svg.rect(best.0, best.1, boxW, boxH, fill: "#ffffff", stroke: "#cccccc", strokeWidth: 0.8, opacity: 0.85)
        for (i, e) in entries.enumerated() {
            let y = best.1 + pad + rowH * Double(i) + 6
            svg.line(best.0 + pad, y, best.0 + pad + 18, y, color: e.color, width: 2)
            svg.text(e.name, best.0 + pad + 24, y + 3.7, size: 10.5, anchor: "start")
        }
    }
}
