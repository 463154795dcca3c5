/// Draws an `RGBImage` in a 24-bit color terminal with upper-half-block characters.
///
/// Each character cell shows two pixels stacked: U+2580 in the foreground color (top pixel)
/// over the background color (bottom pixel), set with `ESC[38;2;r;g;bm` and `ESC[48;2;r;g;bm`.
/// An image of height h takes ceil(h / 2) lines; each line ends with `ESC[0m` and a newline.
/// Wider images are first shrunk by area averaging to at most `maxColumns` columns.
public enum TerminalImage {
    public static let upperHalfBlock: Character = "\u{2580}"
    public static let lowerHalfBlock: Character = "\u{2584}"
    static let escape = "\u{1B}["

    /// The image as terminal text, at most `maxColumns` wide (its own width if smaller).
    /// Pixels equal to `transparent` keep the terminal's own background (a space, or the
    /// lower half block U+2584 when only the bottom pixel is drawn).
    public static func render(_ image: RGBImage, maxColumns: Int = 80, transparent: RGB? = nil) -> String {
        let img = image.width > maxColumns ? shrink(image, toWidth: max(1, maxColumns)) : image
        var out = ""
        out.reserveCapacity(img.width * (img.height / 2 + 1) * 40)
        var y = 0
        while y < img.height {
            // nil = the terminal's default color; each line starts from the defaults.
            var fg: RGB? = nil, bg: RGB? = nil
            func set(fg want: RGB?, bg wantBG: RGB?) {
                if want != fg {
                    if let c = want { out += "\(escape)38;2;\(c.r);\(c.g);\(c.b)m" } else { out += "\(escape)39m" }
                    fg = want
                }
                if wantBG != bg {
                    if let c = wantBG { out += "\(escape)48;2;\(c.r);\(c.g);\(c.b)m" } else { out += "\(escape)49m" }
                    bg = wantBG
                }
            }
            for x in 0..<img.width {
                var top: RGB? = img.pixel(x, y)
                var bottom: RGB? = y + 1 < img.height ? img.pixel(x, y + 1) : nil
                if let t = transparent {
                    if top == t { top = nil }
                    if bottom == t { bottom = nil }
                }
                switch (top, bottom) {
                case (nil, nil):
                    set(fg: fg, bg: nil)
                    out.append(" ")
                case (nil, let b?):
                    set(fg: b, bg: nil)
                    out.append(lowerHalfBlock)
                default:
                    set(fg: top, bg: bottom)
                    out.append(upperHalfBlock)
                }
            }
            out += "\(escape)0m\n"
            y += 2
        }
        return out
    }

    /// Area-average downscale to `newWidth` columns, keeping the aspect ratio.
    // pixels: [H, W, C] interleaved
    public static func shrink(_ image: RGBImage, toWidth newWidth: Int) -> RGBImage {
        let newHeight = max(1, Int((Double(image.height) * Double(newWidth) / Double(image.width)).rounded()))
        var out = RGBImage(width: newWidth, height: newHeight)
        let w = image.width, h = image.height, ch = image.channels
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<newHeight {
                    let y0 = oy * h / newHeight, y1 = max(y0 + 1, (oy + 1) * h / newHeight)
                    for ox in 0..<newWidth {
                        let x0 = ox * w / newWidth, x1 = max(x0 + 1, (ox + 1) * w / newWidth)
                        var sum = (0, 0, 0)
                        for yy in y0..<y1 {
                            var p = (yy * w + x0) * ch
                            for _ in x0..<x1 {
                                sum.0 += Int(src[p]); sum.1 += Int(src[p + 1]); sum.2 += Int(src[p + 2])
                                p += ch
                            }
                        }
                        let n = (y1 - y0) * (x1 - x0)
                        let d = (oy * newWidth + ox) * 3
                        dst[d] = UInt8((sum.0 + n / 2) / n)
                        dst[d + 1] = UInt8((sum.1 + n / 2) / n)
                        dst[d + 2] = UInt8((sum.2 + n / 2) / n)
                    }
                }
            }
        }
        return out
    }
}
