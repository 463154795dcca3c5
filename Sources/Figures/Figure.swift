import Foundation

/// One finished figure in every form we draw it: text always, plus PNG, SVG or HTML.
///
/// The session turns it into a MIME bundle: `plain` -> text/plain, `png` -> image/png,
/// `svg` -> image/svg+xml, `html` -> text/html. `name` is a file-name stem ("sample-grid")
/// for front ends that save figures; `image` is a raster of the figure when there is one
/// (for terminal display).
public struct Figure: Sendable {
    public var plain: String
    public var png: Data?
    public var svg: String?
    public var html: String?
    public var name: String
    /// The raster behind `png`, kept for terminal rendering; nil for SVG/HTML-only figures.
    public var image: RGBImage?
    /// The line charts behind `svg`, kept so a terminal can draw them (`terminalText`).
    public var charts: [LineChart] = []

    public init(plain: String, png: Data? = nil, svg: String? = nil, html: String? = nil,
                name: String, image: RGBImage? = nil) {
        self.plain = plain
        self.png = png
        self.svg = svg
        self.html = html
        self.name = name
        self.image = image
    }

    /// A figure from a raster: PNG bytes encoded here, the raster kept.
    public init(plain: String, image: RGBImage, name: String, html: String? = nil) {
        self.init(plain: plain, png: image.pngData(), html: html, name: name, image: image)
    }

    /// The preferred file extension for saving: "png", "svg" or "html" (else "txt").
    public var fileExtension: String {
        if png != nil { return "png" }
        if svg != nil { return "svg" }
        if html != nil { return "html" }
        return "txt"
    }

    /// The bytes to save under `fileExtension`.
    public var fileData: Data {
        if let png { return png }
        if let svg { return Data(svg.utf8) }
        if let html { return Data(html.utf8) }
        return Data(plain.utf8)
    }
}

extension Figure {
    /// What a terminal shows: with `colorTerminal`, the raster as half-block characters or the
    /// line charts as terminal charts, then the text summary; otherwise the text alone.
    public func terminalText(maxColumns: Int = 80, colorTerminal: Bool = true) -> String {
        guard colorTerminal else { return plain }
        if let image { return TerminalImage.render(image, maxColumns: maxColumns) + plain }
        if !charts.isEmpty {
            return charts.map { TerminalChart.render($0, columns: maxColumns, rows: 14) }.joined(separator: "\n") + plain
        }
        return plain
    }
}

/// Number formatting shared by figures' text and labels.
enum NumberText {
    /// Compact decimal for a tick or a summary: up to `digits` significant digits,
    /// trailing zeros dropped, scientific form for very small or large magnitudes.
    static func short(_ v: Double, digits: Int = 3) -> String {
        if v == 0 { return "0" }
        if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        let a = abs(v)
        if a < 1e-3 || a >= 1e6 {
            let e = Int(floor(log10(a)))
            var mantissa = trimmed(String(format: "%.\(max(0, digits - 1))f", v / pow(10, Double(e))))
            if mantissa == "10" || mantissa == "-10" { mantissa = v < 0 ? "-1" : "1"; return "\(mantissa)e\(e + 1)" }
            return "\(mantissa)e\(e)"
        }
        let decimals = max(0, digits - 1 - Int(floor(log10(a))))
        return trimmed(String(format: "%.\(decimals)f", v))
    }

    /// Drops trailing zeros after a decimal point, and the point itself when nothing follows.
    static func trimmed(_ text: String) -> String {
        var s = text
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// Integer with thousands separators: 11181642 -> "11,181,642".
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}
