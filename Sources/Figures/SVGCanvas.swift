import Foundation

/// A small SVG writer: appends elements to a document with a fixed pixel size.
///
/// Coordinates are SVG user units (pixels), y grows downward. Text is escaped for XML;
/// fonts follow matplotlib's default family (DejaVu Sans) with generic fallbacks.
struct SVGCanvas {
    let width: Int
    let height: Int
    private(set) var body: [String] = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The finished document.
    var document: String {
        var s = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        s += #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" "#
        s += #"viewBox="0 0 \#(width) \#(height)" font-family="DejaVu Sans, Bitstream Vera Sans, Arial, sans-serif">"#
        s += "\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        s += body.joined(separator: "\n")
        s += "\n</svg>\n"
        return s
    }

    mutating func raw(_ element: String) { body.append(element) }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                       color: String = "#000000", width: Double = 0.8, dash: String? = nil) {
        var s = #"<line x1="\#(f(x1))" y1="\#(f(y1))" x2="\#(f(x2))" y2="\#(f(y2))" stroke="\#(color)" stroke-width="\#(f(width))""#
        if let dash { s += #" stroke-dasharray="\#(dash)""# }
        body.append(s + "/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                       stroke: String? = nil, strokeWidth: Double = 0.8, opacity: Double? = nil, title: String? = nil) {
        var s = #"<rect x="\#(f(x))" y="\#(f(y))" width="\#(f(w))" height="\#(f(h))" fill="\#(fill)""#
        if let stroke { s += #" stroke="\#(stroke)" stroke-width="\#(f(strokeWidth))""# }
        if let opacity { s += #" fill-opacity="\#(f(opacity))""# }
        if let title {
            body.append(s + "><title>\(SVGCanvas.escape(title))</title></rect>")
        } else {
            body.append(s + "/>")
        }
    }

    mutating func polyline(_ points: [(Double, Double)], color: String, width: Double = 1.5) {
        let pts = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        body.append(#"<polyline points="\#(pts)" fill="none" stroke="\#(color)" stroke-width="\#(f(width))" stroke-linejoin="round" stroke-linecap="round"/>"#)
    }

    /// A filled circle; `title` becomes its tooltip.
    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, title: String? = nil) {
        let s = #"<circle cx="\#(f(x))" cy="\#(f(y))" r="\#(f(r))" fill="\#(fill)""#
        if let title {
            body.append(s + "><title>\(SVGCanvas.escape(title))</title></circle>")
        } else {
            body.append(s + "/>")
        }
    }

    /// Text anchored at (x, y) on its baseline; `anchor` is start, middle or end;
    /// `rotate` in degrees turns it around the anchor point.
    mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 10, anchor: String = "middle",
                       color: String = "#262626", weight: String? = nil, rotate: Double? = nil) {
        var e = #"<text x="\#(f(x))" y="\#(f(y))" font-size="\#(f(size))" text-anchor="\#(anchor)" fill="\#(color)""#
        if let weight { e += #" font-weight="\#(weight)""# }
        if let rotate { e += #" transform="rotate(\#(f(rotate)) \#(f(x)) \#(f(y)))""# }
        body.append(e + ">" + SVGCanvas.escape(s) + "</text>")
    }

    /// XML-escaped text.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Estimated rendered width of text in DejaVu Sans at `size` (about 0.6 em per character).
    static func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.6 }

    /// A number with at most two decimals, for attributes.
    private func f(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        return NumberText.trimmed(String(format: "%.2f", r))
    }
}
