/// A map from [0, 1] to colors: viridis (matplotlib's default) or grayscale (black to white).
public enum ColorMap: String, CaseIterable, Sendable {
    case viridis
    case grayscale

    /// 256 entries, index 0 for t = 0.
    public var table: [RGB] {
        switch self {
        case .viridis: return ColorMap.viridisTable
        case .grayscale: return ColorMap.grayTable
        }
    }

    /// The color at t, clamped to [0, 1], linearly interpolated between the 256 entries.
    public func color(_ t: Float) -> RGB {
        let table = self.table
        let x = (t.isNaN ? 0 : min(max(t, 0), 1)) * 255
        let i = min(Int(x), 254)
        let f = x - Float(i)
        let a = table[i], b = table[i + 1]
        func mix(_ p: UInt8, _ q: UInt8) -> UInt8 { UInt8((Float(p) * (1 - f) + Float(q) * f).rounded()) }
        return RGB(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
    }

    static let viridisTable: [RGB] = {
        let digits = Array(viridisHex.utf8).filter { $0 != UInt8(ascii: "\n") }
        precondition(digits.count == 256 * 6, "viridis table must hold 256 colors")
        func nibble(_ c: UInt8) -> UInt32 { UInt32(c <= 57 ? c - 48 : c - 87) }
        return (0..<256).map { i in
            var v: UInt32 = 0
            for k in 0..<6 { v = v << 4 | nibble(digits[i * 6 + k]) }
            return RGB(hex: v)
        }
    }()

    static let grayTable: [RGB] = (0..<256).map { RGB(UInt8($0), UInt8($0), UInt8($0)) }
}

/// The value range used to normalize a heat map, and how it was chosen.
public struct ValueRange: Equatable, Sendable {
    public var min: Float
    public var max: Float

    public init(min: Float, max: Float) {
        self.min = min
        self.max = max
    }

    /// The smallest and largest finite values of the buffer ([0, 1] when there are none).
    public static func of(_ values: UnsafeBufferPointer<Float>) -> ValueRange {
        var lo = Float.infinity, hi = -Float.infinity
        for v in values where v.isFinite {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        return lo <= hi ? ValueRange(min: lo, max: hi) : ValueRange(min: 0, max: 1)
    }
}

/// Heat maps: one Float plane through a color map into an RGB image.
public enum HeatMap {
    /// Colors a [height, width] plane; `range` nil means the plane's own min and max
    /// (a constant plane maps to the color map's low end).
    // plane: [H, W], row-major
    public static func render(_ plane: UnsafePointer<Float>, width: Int, height: Int,
                              range: ValueRange? = nil, colorMap: ColorMap = .viridis) -> RGBImage {
        let n = width * height
        let r = range ?? ValueRange.of(UnsafeBufferPointer(start: plane, count: n))
        let span = r.max - r.min
        let scale: Float = span > 0 ? 255 / span : 0
        let table = colorMap.table
        var image = RGBImage(width: width, height: height)
        image.pixels.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            for i in 0..<n {
                let v = plane[i]
                var idx = v.isFinite ? ((v - r.min) * scale).rounded() : 0
                idx = idx < 0 ? 0 : (idx > 255 ? 255 : idx)
                let c = table[Int(idx)]
                o[i * 3] = c.r
                o[i * 3 + 1] = c.g
                o[i * 3 + 2] = c.b
            }
        }
        return image
    }

    /// Array form of `render`.
    // plane: [H, W], row-major
    public static func render(_ plane: [Float], width: Int, height: Int,
                              range: ValueRange? = nil, colorMap: ColorMap = .viridis) -> RGBImage {
        precondition(plane.count == width * height, "plane has \(plane.count) values, expected \(width * height)")
        return plane.withUnsafeBufferPointer {
            render($0.baseAddress!, width: width, height: height, range: range, colorMap: colorMap)
        }
    }
}
