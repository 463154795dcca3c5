import Foundation

/// Line charts drawn for a 24-bit color terminal: half-block plot area with y tick labels
/// at the left, x tick labels underneath, a title line and a colored legend line.
///
/// The plot is a raster `columns - labelWidth - 1` pixels wide and `2 * rows` pixels tall;
/// empty pixels keep the terminal's own background.
public enum TerminalChart {
    /// The chart as terminal text, `columns` wide (y labels included) and about `rows + 3` lines.
    public static func render(_ chart: LineChart, columns: Int = 80, rows: Int = 16) -> String {
        let (xAxis, yAxis) = chart.axes()
        let labelWidth = (yAxis.tickLabels.map { $0.count }.max() ?? 1) + 1
        let w = max(10, columns - labelWidth - 1), h = max(4, rows * 2)
        let background = RGB(1, 2, 3)  // sentinel for "terminal background"
        var plot = RGBImage(width: w, height: h, fill: background)
        let axisColor = RGB(128, 128, 128)
        func px(_ x: Double) -> Int { Int((xAxis.fraction(x) * Double(w - 2)).rounded()) + 1 }
        func py(_ y: Double) -> Int { Int(((1 - yAxis.fraction(y)) * Double(h - 2)).rounded()) }
        // Axes: left and bottom edges, with tick marks.
        plot.fillRect(x: 0, y: 0, width: 1, height: h, axisColor)
        plot.fillRect(x: 0, y: h - 1, width: w, height: 1, axisColor)
        for (i, s) in chart.series.enumerated() {
            let color = s.color ?? Palette.color(i)
            let pts = zip(s.x, s.y).filter { $0.1.isFinite && (!chart.logY || $0.1 > 0) }.map { (px($0.0), py($0.1)) }
            for k in pts.indices {
                if k > 0 { drawLine(&plot, pts[k - 1], pts[k], color) }
                plot.setPixel(pts[k].0, pts[k].1, color)
            }
        }
        var out = chart.title + "\n"
        // Which text row each y tick falls on.
        var rowLabels = [Int: String]()
        for (t, label) in zip(yAxis.ticks, yAxis.tickLabels) { rowLabels[py(t) / 2] = label }
        let cells = TerminalImage.render(plot, maxColumns: w, transparent: background)
            .split(separator: "\n", omittingEmptySubsequences: true)
        for (r, line) in cells.enumerated() {
            let label = rowLabels[r] ?? ""
            out += String(repeating: " ", count: labelWidth - label.count) + label + " " + line + "\n"
        }
        // x tick labels under their columns.
        var axisLine = [Character](repeating: " ", count: labelWidth + 1 + w + 8)
        for (t, label) in zip(xAxis.ticks, xAxis.tickLabels) {
            let start = labelWidth + 1 + px(t) - label.count / 2
            guard start >= 0, start + label.count <= axisLine.count,
                  axisLine[max(0, start - 1)..<min(axisLine.count, start + label.count + 1)].allSatisfy({ $0 == " " })
            else { continue }
            for (k, ch) in label.enumerated() { axisLine[start + k] = ch }
        }
        out += String(axisLine).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        out += chart.xLabel.isEmpty ? "\n" : "   (\(chart.xLabel))\n"
        var legend = String(repeating: " ", count: labelWidth + 1)
        for (i, s) in chart.series.enumerated() {
            let c = s.color ?? Palette.color(i)
            legend += "\u{1B}[38;2;\(c.r);\(c.g);\(c.b)m\u{2501}\u{2501}\u{1B}[0m \(s.name)   "
        }
        return out + legend + "\n"
    }

    /// A 1-pixel line from a to b (Bresenham).
    static func drawLine(_ img: inout RGBImage, _ a: (Int, Int), _ b: (Int, Int), _ color: RGB) {
        var x = a.0, y = a.1
        let dx = abs(b.0 - x), dy = -abs(b.1 - y)
        let sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
        var err = dx + dy
        while true {
            img.setPixel(x, y, color)
            if x == b.0 && y == b.1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }
}
