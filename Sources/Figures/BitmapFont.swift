/// Swift Lab's own 5x9 bitmap font for printable ASCII, drawn for this project.
///
/// Cell: 5 columns by 9 rows; rows 0-6 hold capitals and digits (cap height 7), lowercase
/// x-height is rows 2-6, rows 7-8 hold descenders. Characters advance 6 columns (one blank
/// column between glyphs). Anything outside ASCII 32-126 draws as '?'.
public enum BitmapFont {
    public static let glyphWidth = 5
    public static let glyphHeight = 9
    /// Horizontal advance per character, in font pixels.
    public static let advance = 6
    /// Vertical distance between baselines of two lines, in font pixels.
    public static let lineHeight = 11

    /// Row bit masks per glyph, index = ASCII code - 32; bit 4 is the leftmost column.
    // layout: [95][9] rows, top row first
    static let rows: [[UInt8]] = {
        var table = [[UInt8]](repeating: [UInt8](repeating: 0, count: 9), count: 95)
        for line in art {
            let scalar = line.unicodeScalars.first!.value
            let groups = line.dropFirst(2).split(separator: " ")
            var masks = [UInt8](repeating: 0, count: 9)
            for (r, group) in groups.enumerated() where r < 9 {
                var m: UInt8 = 0
                for ch in group { m = m << 1 | (ch == "#" ? 1 : 0) }
                masks[r] = m
            }
            table[Int(scalar) - 32] = masks
        }
        return table
    }()

    /// True when pixel (column, row) of the glyph for `char` is set.
    public static func isSet(_ char: Character, column: Int, row: Int) -> Bool {
        let masks = glyph(char)
        return masks[row] & (1 << UInt8(4 - column)) != 0
    }

    /// The 9 row masks of a character.
    static func glyph(_ char: Character) -> [UInt8] {
        guard let v = char.unicodeScalars.first?.value, char.unicodeScalars.count == 1,
              v >= 32, v <= 126 else { return rows[Int(UInt8(ascii: "?")) - 32] }
        return rows[Int(v) - 32]
    }

    /// Width in image pixels of one line of text at an integer scale (no trailing gap).
    public static func width(of text: String, scale: Int = 1) -> Int {
        let n = text.count
        return n == 0 ? 0 : (n * advance - 1) * scale
    }

    /// Height in image pixels of one line at an integer scale, descenders included.
    public static func height(scale: Int = 1) -> Int { glyphHeight * scale }

    // One entry per glyph: the character, a space, then rows top to bottom ('#' on, '.' off);
    // rows left out at the end are blank.
    private static let art: [String] = [
        #"  ....."#,
        #"! ..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#.."#,
        #"" .#.#. .#.#."#,
        #"# .#.#. .#.#. ##### .#.#. ##### .#.#. .#.#."#,
        #"$ ..#.. .#### #.#.. .###. ..#.# ####. ..#.."#,
        #"% ##... ##..# ...#. ..#.. .#... #..## ...##"#,
        #"& .##.. #..#. #.#.. .#... #.#.# #..#. .##.#"#,
        #"' ..#.. ..#.."#,
        #"( ...#. ..#.. .#... .#... .#... ..#.. ...#."#,
        #") .#... ..#.. ...#. ...#. ...#. ..#.. .#..."#,
        #"* ..... ..#.. #.#.# .###. #.#.# ..#.. ....."#,
        #"+ ..... ..#.. ..#.. ##### ..#.. ..#.. ....."#,
        #", ..... ..... ..... ..... ..... ..##. ...#. ..#.."#,
        #"- ..... ..... ..... .###."#,
        #". ..... ..... ..... ..... ..... ..... ..#.."#,
        #"/ ....# ...#. ...#. ..#.. .#... .#... #...."#,
        #"0 .###. #...# #..## #.#.# ##..# #...# .###."#,
        #"1 ..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###."#,
        #"2 .###. #...# ....# ...#. ..#.. .#... #####"#,
        #"3 ##### ...#. ..#.. ...#. ....# #...# .###."#,
        #"4 ...#. ..##. .#.#. #..#. ##### ...#. ...#."#,
        #"5 ##### #.... ####. ....# ....# #...# .###."#,
        #"6 ..##. .#... #.... ####. #...# #...# .###."#,
        #"7 ##### ....# ...#. ..#.. .#... .#... .#..."#,
        #"8 .###. #...# #...# .###. #...# #...# .###."#,
        #"9 .###. #...# #...# .#### ....# ...#. .##.."#,
        #": ..... ..... ..#.. ..... ..... ..#.."#,
        #"; ..... ..... ..#.. ..... ..... ..#.. .#..."#,
        #"< ...#. ..#.. .#... #.... .#... ..#.. ...#."#,
        #"= ..... ..... ##### ..... ##### ....."#,
        #"> .#... ..#.. ...#. ....# ...#. ..#.. .#..."#,
        #"? .###. #...# ....# ...#. ..#.. ..... ..#.."#,
        #"@ .###. #...# #.### #.#.# #.### #.... .####"#,
        #"A .###. #...# #...# ##### #...# #...# #...#"#,
        #"B ####. #...# #...# ####. #...# #...# ####."#,
        #"C .###. #...# #.... #.... #.... #...# .###."#,
        #"D ###.. #..#. #...# #...# #...# #..#. ###.."#,
        #"E ##### #.... #.... ####. #.... #.... #####"#,
        #"F ##### #.... #.... ####. #.... #.... #...."#,
        #"G .###. #...# #.... #.### #...# #...# .####"#,
        #"H #...# #...# #...# ##### #...# #...# #...#"#,
        #"I .###. ..#.. ..#.. ..#.. ..#.. ..#.. .###."#,
        #"J ..### ...#. ...#. ...#. ...#. #..#. .##.."#,
        #"K #...# #..#. #.#.. ##... #.#.. #..#. #...#"#,
        #"L #.... #.... #.... #.... #.... #.... #####"#,
        #"M #...# ##.## #.#.# #.#.# #...# #...# #...#"#,
        #"N #...# #...# ##..# #.#.# #..## #...# #...#"#,
        #"O .###. #...# #...# #...# #...# #...# .###."#,
        #"P ####. #...# #...# ####. #.... #.... #...."#,
        #"Q .###. #...# #...# #...# #.#.# #..#. .##.#"#,
        #"R ####. #...# #...# ####. #.#.. #..#. #...#"#,
        #"S .#### #.... #.... .###. ....# ....# ####."#,
        #"T ##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."#,
        #"U #...# #...# #...# #...# #...# #...# .###."#,
        #"V #...# #...# #...# #...# #...# .#.#. ..#.."#,
        #"W #...# #...# #...# #.#.# #.#.# #.#.# .#.#."#,
        #"X #...# #...# .#.#. ..#.. .#.#. #...# #...#"#,
        #"Y #...# #...# .#.#. ..#.. ..#.. ..#.. ..#.."#,
        #"Z ##### ....# ...#. ..#.. .#... #.... #####"#,
        #"[ .###. .#... .#... .#... .#... .#... .###."#,
        #"\ #.... .#... .#... ..#.. ...#. ...#. ....#"#,
        #"] .###. ...#. ...#. ...#. ...#. ...#. .###."#,
        #"^ ..#.. .#.#. #...#"#,
        #"_ ..... ..... ..... ..... ..... ..... ..... #####"#,
        #"` .#... ..#.."#,
        #"a ..... ..... .###. ....# .#### #...# .####"#,
        #"b #.... #.... #.##. ##..# #...# #...# ####."#,
        #"c ..... ..... .###. #.... #.... #...# .###."#,
        #"d ....# ....# .##.# #..## #...# #...# .####"#,
        #"e ..... ..... .###. #...# ##### #.... .###."#,
        #"f ..##. .#..# .#... ###.. .#... .#... .#..."#,
        #"g ..... ..... .#### #...# #...# #...# .#### ....# .###."#,
        #"h #.... #.... #.##. ##..# #...# #...# #...#"#,
        #"i ..#.. ..... .##.. ..#.. ..#.. ..#.. .###."#,
        #"j ...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##.."#,
        #"k #.... #.... #..#. #.#.. ##... #.#.. #..#."#,
        #"l .##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###."#,
        #"m ..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#"#,
        #"n ..... ..... #.##. ##..# #...# #...# #...#"#,
        #"o ..... ..... .###. #...# #...# #...# .###."#,
        #"p ..... ..... ####. #...# #...# #...# ####. #.... #...."#,
        #"q ..... ..... .#### #...# #...# #...# .#### ....# ....#"#,
        #"r ..... ..... #.##. ##..# #.... #.... #...."#,
        #"s ..... ..... .#### #.... .###. ....# ####."#,
        #"t .#... .#... ###.. .#... .#... .#..# ..##."#,
        #"u ..... ..... #...# #...# #...# #..## .##.#"#,
        #"v ..... ..... #...# #...# #...# .#.#. ..#.."#,
        #"w ..... ..... #...# #...# #.#.# #.#.# .#.#."#,
        #"x ..... ..... #...# .#.#. ..#.. .#.#. #...#"#,
        #"y ..... ..... #...# #...# #...# #...# .#### ....# .###."#,
        #"z ..... ..... ##### ...#. ..#.. .#... #####"#,
        #"{ ...#. ..#.. ..#.. .#... ..#.. ..#.. ...#."#,
        #"| ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."#,
        #"} .#... ..#.. ..#.. ...#. ..#.. ..#.. .#..."#,
        #"~ ..... ..... .#... #.#.# ...#."#,
    ]
}

extension RGBImage {
    /// Draws one line of text with its top-left corner at (x, y), each font pixel a
    /// scale x scale block; pixels outside the image are clipped.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGB = .ink) {
        var penX = x
        for ch in text {
            let masks = BitmapFont.glyph(ch)
            for row in 0..<BitmapFont.glyphHeight where masks[row] != 0 {
                for col in 0..<BitmapFont.glyphWidth where masks[row] & (1 << UInt8(4 - col)) != 0 {
                    fillRect(x: penX + col * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            penX += BitmapFont.advance * scale
        }
    }

    /// Draws text horizontally centered on `centerX`, top at y; text wider than `maxWidth`
    /// (when given) is cut and ends in "..".
    public mutating func drawText(_ text: String, centerX: Int, y: Int, scale: Int = 1,
                                  color: RGB = .ink, maxWidth: Int? = nil) {
        var shown = text
        if let maxWidth, BitmapFont.width(of: shown, scale: scale) > maxWidth {
            while shown.count > 1 && BitmapFont.width(of: shown + "..", scale: scale) > maxWidth {
                shown.removeLast()
            }
            shown += ".."
        }
        let w = BitmapFont.width(of: shown, scale: scale)
        drawText(shown, x: centerX - w / 2, y: y, scale: scale, color: color)
    }
}

extension RGBImage {
    /// Draws text turned 90 degrees counterclockwise (reading bottom to top); (x, y) is the
    /// top-left of the turned text's bounding box, which is glyph-height wide and text-width tall.
    public mutating func drawTextVertical(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGB = .ink) {
        let total = BitmapFont.width(of: text, scale: scale)
        var pen = 0
        for ch in text {
            let masks = BitmapFont.glyph(ch)
            for row in 0..<BitmapFont.glyphHeight where masks[row] != 0 {
                for col in 0..<BitmapFont.glyphWidth where masks[row] & (1 << UInt8(4 - col)) != 0 {
                    // Unrotated pixel (pen + col, row) -> turned (row, total - 1 - (pen + col)).
                    let ux = pen + col * scale
                    fillRect(x: x + row * scale, y: y + total - ux - scale, width: scale, height: scale, color)
                }
            }
            pen += BitmapFont.advance * scale
        }
    }
}
