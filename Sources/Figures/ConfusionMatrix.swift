import Foundation

/// A confusion matrix with three views: an HTML table, a viridis heat-map PNG with counts,
/// and a text table.
///
/// Layout: `counts[trueClass][predictedClass]`, rows are true labels.
public struct ConfusionMatrix: Sendable {
    public var classNames: [String]
    public var counts: [[Int]]
    public var title: String

    public init(classNames: [String], counts: [[Int]], title: String = "Confusion matrix") {
        precondition(counts.count == classNames.count && counts.allSatisfy { $0.count == classNames.count },
                     "counts must be \(classNames.count) x \(classNames.count)")
        self.classNames = classNames
        self.counts = counts
        self.title = title
    }

    /// Counts from paired label lists.
    public init(classNames: [String], truth: [Int], predicted: [Int], title: String = "Confusion matrix") {
        precondition(truth.count == predicted.count, "truth and predictions differ in length")
        let k = classNames.count
        var m = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (t, p) in zip(truth, predicted) { m[t][p] += 1 }
        self.init(classNames: classNames, counts: m, title: title)
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Fraction of all samples on the diagonal.
    public var accuracy: Double {
        let t = total
        return t == 0 ? 0 : Double(counts.indices.reduce(0) { $0 + counts[$1][$1] }) / Double(t)
    }

    /// Per true class: diagonal / row sum (0 for an empty row).
    public var perClassAccuracy: [Double] {
        counts.indices.map { i in
            let row = counts[i].reduce(0, +)
            return row == 0 ? 0 : Double(counts[i][i]) / Double(row)
        }
    }

    /// An HTML table: true classes down, predictions across, cells shaded by their share of
    /// the row, diagonal in bold, per-class accuracy in the last column.
    public func html() -> String {
        let esc = SVGCanvas.escape
        let cell = "padding:3px 6px;text-align:right;border:1px solid #ddd;font-variant-numeric:tabular-nums"
        var h = "<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:12px\">\n"
        h += "<caption style=\"font-weight:bold;padding:4px\">\(esc(title)) (rows: true class, columns: predicted)</caption>\n"
        h += "<tr><th style=\"\(cell)\">true \\ predicted</th>"
        for name in classNames { h += "<th style=\"\(cell)\">\(esc(name))</th>" }
        h += "<th style=\"\(cell)\">accuracy</th></tr>\n"
        let acc = perClassAccuracy
        for (i, name) in classNames.enumerated() {
            let rowSum = max(1, counts[i].reduce(0, +))
            h += "<tr><th style=\"\(cell);text-align:left\">\(esc(name))</th>"
            for (j, n) in counts[i].enumerated() {
                let share = Double(n) / Double(rowSum)
                let alpha = String(format: "%.2f", share * 0.9)
                let ink = share > 0.55 ? "#ffffff" : "#222222"
                let weight = i == j ? ";font-weight:bold" : ""
                h += "<td style=\"\(cell);background:rgba(31,119,180,\(alpha));color:\(ink)\(weight)\">\(n)</td>"
            }
            h += "<td style=\"\(cell)\">\(String(format: "%.1f%%", acc[i] * 100))</td></tr>\n"
        }
        h += "<tr><th style=\"\(cell);text-align:left\" colspan=\"\(classNames.count + 1)\">overall</th>"
        h += "<td style=\"\(cell);font-weight:bold\">\(String(format: "%.1f%%", accuracy * 100))</td></tr>\n"
        return h + "</table>"
    }

    /// A text table with counts, class names cut to the column width.
    public func text() -> String {
        let colW = max(5, String(counts.flatMap { $0 }.max() ?? 0).count + 1)
        let rowW = min(12, classNames.map { $0.count }.max() ?? 4)
        func fit(_ s: String, _ w: Int) -> String {
            let cut = String(s.prefix(w))
            return String(repeating: " ", count: w - cut.count) + cut
        }
        var lines = ["\(title): \(NumberText.grouped(total)) samples, accuracy \(String(format: "%.2f%%", accuracy * 100)); rows true, columns predicted"]
        lines.append(String(repeating: " ", count: rowW) + classNames.map { " " + fit($0, colW - 1) }.joined())
        for (i, name) in classNames.enumerated() {
            let label = String(name.prefix(rowW)).padding(toLength: rowW, withPad: " ", startingAt: 0)
            lines.append(label + counts[i].map { fit(String($0), colW) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// The matrix as a viridis heat map with class labels, counts in the cells when
    /// `showNumbers`, and a title; colors scale with the raw counts (as scikit-learn's display).
    /// `cellSize` nil sizes cells so the largest count fits at font scale 2 (at least 40 px).
    public func image(showNumbers: Bool = true, cellSize requested: Int? = nil) -> RGBImage {
        let k = classNames.count
        let margin = 16, labelGap = 8
        let widest = String(counts.flatMap { $0 }.max() ?? 0)
        let cellSize = requested ?? max(40, BitmapFont.width(of: widest, scale: 2) + 16)
        // Labels at font scale 2 when cells are tall enough, counts at 2 when the widest fits.
        let ls = cellSize >= 24 ? 2 : 1
        let ns = BitmapFont.width(of: widest, scale: 2) <= cellSize - 12 ? 2 : 1
        let nameW = classNames.map { BitmapFont.width(of: $0, scale: ls) }.max() ?? 0
        let axisFont = BitmapFont.height(scale: ls)
        let titleH = BitmapFont.height(scale: 3) + 14
        let gridX = margin + axisFont + 10 + nameW + labelGap
        let gridY = margin + titleH
        let grid = k * cellSize
        let width = max(gridX + grid + margin, BitmapFont.width(of: title, scale: 3) + 2 * margin)
        let height = gridY + grid + labelGap + nameW + 10 + axisFont + margin
        var img = RGBImage(width: width, height: height)
        img.drawText(title, centerX: min(gridX + grid / 2, width - BitmapFont.width(of: title, scale: 3) / 2 - margin),
                     y: margin, scale: 3, color: .black)
        let peak = max(1, counts.flatMap { $0 }.max() ?? 1)
        let glyphH = 7  // cap height, for vertical centering
        for i in 0..<k {
            for j in 0..<k {
                let color = ColorMap.viridis.color(Float(counts[i][j]) / Float(peak))
                let x = gridX + j * cellSize, y = gridY + i * cellSize
                img.fillRect(x: x, y: y, width: cellSize, height: cellSize, color)
                if showNumbers {
                    let ink: RGB = color.luminance > 0.5 ? .black : .white
                    img.drawText(String(counts[i][j]), centerX: x + cellSize / 2 + ns / 2,
                                 y: y + (cellSize - glyphH * ns) / 2, scale: ns, color: ink, maxWidth: cellSize - 2)
                }
            }
        }
        for (i, name) in classNames.enumerated() {
            let w = BitmapFont.width(of: name, scale: ls)
            img.drawText(name, x: gridX - labelGap - w, y: gridY + i * cellSize + (cellSize - glyphH * ls) / 2, scale: ls)
            img.drawTextVertical(name, x: gridX + i * cellSize + (cellSize - glyphH * ls) / 2,
                                 y: gridY + grid + labelGap + nameW - w, scale: ls)
        }
        img.drawText("Predicted label", centerX: gridX + grid / 2, y: gridY + grid + labelGap + nameW + 10, scale: ls)
        let trueW = BitmapFont.width(of: "True label", scale: ls)
        img.drawTextVertical("True label", x: margin, y: gridY + (grid - trueW) / 2, scale: ls)
        return img
    }

    /// The HTML table with the text table as fallback (Jupyter shows HTML before images,
    /// so the table and the heat map are separate figures).
    public func tableFigure(name: String) -> Figure {
        Figure(plain: text(), html: html(), name: name)
    }

    /// The viridis heat-map PNG with the text table as fallback.
    public func heatMapFigure(name: String, showNumbers: Bool = true) -> Figure {
        Figure(plain: text(), image: image(showNumbers: showNumbers), name: name)
    }
}
