/// An 8-bit color raster with 3 (RGB) or 4 (RGBA) channels per pixel.
///
/// Layout: `pixels` is row-major, top row first, interleaved channels:
/// `pixels[(y * width + x) * channels + c]`.
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 3 for RGB, 4 for RGBA.
    public let channels: Int
    public var pixels: [UInt8]

    /// A new image filled with one color (alpha 255 when `channels` is 4).
    public init(width: Int, height: Int, channels: Int = 3, fill: RGB = .white) {
        precondition(width > 0 && height > 0, "image must be at least 1x1")
        precondition(channels == 3 || channels == 4, "channels must be 3 or 4")
        self.width = width
        self.height = height
        self.channels = channels
        let px: [UInt8] = channels == 3 ? [fill.r, fill.g, fill.b] : [fill.r, fill.g, fill.b, 255]
        var buffer = [UInt8](repeating: 0, count: width * height * channels)
        buffer.withUnsafeMutableBufferPointer { out in
            for i in 0..<(width * height) {
                for c in 0..<channels { out[i * channels + c] = px[c] }
            }
        }
        self.pixels = buffer
    }

    /// Wraps existing interleaved bytes; `pixels.count` must be width * height * channels.
    public init(width: Int, height: Int, channels: Int = 3, pixels: [UInt8]) {
        precondition(channels == 3 || channels == 4, "channels must be 3 or 4")
        precondition(pixels.count == width * height * channels, "pixel count does not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The color at (x, y), alpha dropped.
    public func pixel(_ x: Int, _ y: Int) -> RGB {
        let i = (y * width + x) * channels
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets (x, y) to an opaque color; points outside the image are ignored.
    public mutating func setPixel(_ x: Int, _ y: Int, _ color: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * channels
        pixels[i] = color.r
        pixels[i + 1] = color.g
        pixels[i + 2] = color.b
        if channels == 4 { pixels[i + 3] = 255 }
    }

    /// Fills the rectangle [x, x+w) x [y, y+h), clipped to the image.
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        let ch = channels, stride = width
        pixels.withUnsafeMutableBufferPointer { out in
            let p = out.baseAddress!
            for yy in y0..<y1 {
                var q = p + (yy * stride + x0) * ch
                for _ in x0..<x1 {
                    q[0] = color.r; q[1] = color.g; q[2] = color.b
                    if ch == 4 { q[3] = 255 }
                    q += ch
                }
            }
        }
    }

    /// Draws a 1-pixel rectangle outline.
    public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB) {
        fillRect(x: x, y: y, width: w, height: 1, color)
        fillRect(x: x, y: y + h - 1, width: w, height: 1, color)
        fillRect(x: x, y: y, width: 1, height: h, color)
        fillRect(x: x + w - 1, y: y, width: 1, height: h, color)
    }

    /// Copies `image` with its top-left corner at (x, y), clipped; alpha is not blended.
    public mutating func draw(_ image: RGBImage, atX x: Int, y: Int) {
        let sx0 = max(0, -x), sy0 = max(0, -y)
        let sx1 = min(image.width, width - x), sy1 = min(image.height, height - y)
        guard sx0 < sx1, sy0 < sy1 else { return }
        let dch = channels, sch = image.channels, dw = width, sw = image.width
        pixels.withUnsafeMutableBufferPointer { out in
            image.pixels.withUnsafeBufferPointer { src in
                let d = out.baseAddress!, s = src.baseAddress!
                for sy in sy0..<sy1 {
                    var dp = d + ((sy + y) * dw + sx0 + x) * dch
                    var sp = s + (sy * sw + sx0) * sch
                    for _ in sx0..<sx1 {
                        dp[0] = sp[0]; dp[1] = sp[1]; dp[2] = sp[2]
                        if dch == 4 { dp[3] = sch == 4 ? sp[3] : 255 }
                        dp += dch
                        sp += sch
                    }
                }
            }
        }
    }

    /// A copy enlarged by an integer factor, each pixel becoming a factor x factor block.
    public func scaled(by factor: Int) -> RGBImage {
        precondition(factor >= 1, "scale factor must be at least 1")
        if factor == 1 { return self }
        return resized(width: width * factor, height: height * factor)
    }

    /// A nearest-neighbor resample to the given size.
    public func resized(width newW: Int, height newH: Int) -> RGBImage {
        var out = RGBImage(width: newW, height: newH, channels: channels)
        let ch = channels, w = width, h = height
        out.pixels.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                let d = dst.baseAddress!, s = src.baseAddress!
                for y in 0..<newH {
                    let sy = min(h - 1, y * h / newH)
                    for x in 0..<newW {
                        let sx = min(w - 1, x * w / newW)
                        let sp = s + (sy * w + sx) * ch
                        let dp = d + (y * newW + x) * ch
                        for c in 0..<ch { dp[c] = sp[c] }
                    }
                }
            }
        }
        return out
    }

    /// A copy with an RGB layout (alpha dropped).
    public func rgb() -> RGBImage {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            out[i * 3] = pixels[i * 4]
            out[i * 3 + 1] = pixels[i * 4 + 1]
            out[i * 3 + 2] = pixels[i * 4 + 2]
        }
        return RGBImage(width: width, height: height, channels: 3, pixels: out)
    }
}

/// An opaque 8-bit color.
public struct RGB: Equatable, Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// A color from 0xRRGGBB.
    public init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    /// "#rrggbb", as SVG and HTML want it.
    public var hexString: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for v in [r, g, b] {
            s.append(digits[Int(v >> 4)])
            s.append(digits[Int(v & 15)])
        }
        return s
    }

    /// Relative luminance in [0, 1] (Rec. 709 weights on the encoded values); picks readable text colors.
    public var luminance: Float {
        (0.2126 * Float(r) + 0.7152 * Float(g) + 0.0722 * Float(b)) / 255
    }

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
    /// matplotlib-like dark text gray.
    public static let ink = RGB(0x26, 0x26, 0x26)
    public static let lightGray = RGB(0xdd, 0xdd, 0xdd)
}
