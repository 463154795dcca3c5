import XCTest
@testable import Figures

/// The bitmap font's pixels, image-grid layout and tile placement.
final class FontAndGridTests: XCTestCase {
    func testGlyphPixels() {
        // 'T': full top row, then the middle column only.
        for c in 0..<5 { XCTAssertTrue(BitmapFont.isSet("T", column: c, row: 0)) }
        XCTAssertTrue(BitmapFont.isSet("T", column: 2, row: 6))
        XCTAssertFalse(BitmapFont.isSet("T", column: 0, row: 6))
        // 'g' has a descender, 'a' does not.
        XCTAssertTrue(BitmapFont.isSet("g", column: 1, row: 8))
        XCTAssertFalse((0..<5).contains { BitmapFont.isSet("a", column: $0, row: 7) })
        // Every printable character except space draws something.
        for v in 33...126 {
            let ch = Character(Unicode.Scalar(UInt8(v)))
            XCTAssertTrue((0..<9).contains { r in (0..<5).contains { BitmapFont.isSet(ch, column: $0, row: r) } }, "\(ch)")
        }
        XCTAssertEqual(BitmapFont.width(of: "abc", scale: 2), (3 * 6 - 1) * 2)
    }

    func testDrawTextPutsPixelsWhereExpected() {
        var img = RGBImage(width: 20, height: 12)
        img.drawText("I", x: 3, y: 1, scale: 1, color: .black)
        // 'I' = .###. / ..#.. x5 / .###.
        XCTAssertEqual(img.pixel(3, 1), .white)
        XCTAssertEqual(img.pixel(4, 1), .black)
        XCTAssertEqual(img.pixel(6, 1), .black)
        XCTAssertEqual(img.pixel(7, 1), .white)
        XCTAssertEqual(img.pixel(5, 4), .black)
        XCTAssertEqual(img.pixel(4, 4), .white)
        XCTAssertEqual(img.pixel(4, 7), .black)
        var scaled = RGBImage(width: 20, height: 20)
        scaled.drawText("I", x: 0, y: 0, scale: 2, color: .black)
        XCTAssertEqual(scaled.pixel(2, 0), .black)
        XCTAssertEqual(scaled.pixel(3, 1), .black)
        XCTAssertEqual(scaled.pixel(1, 1), .white)
        let blackCount = stride(from: 0, to: scaled.pixels.count, by: 3).filter { scaled.pixels[$0] == 0 }.count
        XCTAssertEqual(blackCount, 11 * 4, "'I' has 11 pixels, each a 2x2 block")
    }

    func testVerticalTextTurnsCounterclockwise() {
        var img = RGBImage(width: 12, height: 12)
        img.drawTextVertical("T", x: 0, y: 0, color: .black)
        // The top row of 'T' becomes the left column, reading upward over 5 pixels.
        for y in 0..<5 { XCTAssertEqual(img.pixel(0, y), .black, "y \(y)") }
        // The stem (column 2) becomes row 2 from the bottom of the 5-pixel box.
        XCTAssertEqual(img.pixel(6, 2), .black)
        XCTAssertEqual(img.pixel(6, 0), .white)
    }

    func testGridLayoutAndTilePlacement() {
        // Eight 4x4 tiles of distinct solid colors, 2 rows x 4 columns, upscaled 8x.
        let tiles = (0..<8).map { i in
            ImageGrid.Tile(image: RGBImage(width: 4, height: 4, fill: RGB(UInt8(i * 30), 100, 200)), title: "t\(i)")
        }
        let grid = ImageGrid(tiles: tiles, rows: 2, columns: 4, title: "Grid", tileSize: 32)
        let l = grid.layout()
        XCTAssertEqual(l.factor, 8)
        XCTAssertEqual(l.tileWidth, 32)
        XCTAssertEqual(l.tileOrigins.count, 8)
        let gridWidth = 4 * 32 + 3 * grid.gap
        XCTAssertEqual(l.width, max(gridWidth, BitmapFont.width(of: "Grid", scale: 3)) + 2 * grid.margin)
        // Same column, same x; next row is one tile + title band + gap lower.
        XCTAssertEqual(l.tileOrigins[1].x - l.tileOrigins[0].x, 32 + grid.gap)
        XCTAssertEqual(l.tileOrigins[4].x, l.tileOrigins[0].x)
        XCTAssertGreaterThan(l.tileOrigins[4].y - l.tileOrigins[0].y, 32 + grid.gap)
        let image = grid.render()
        XCTAssertEqual(image.width, l.width)
        XCTAssertEqual(image.height, l.height)
        for (i, o) in l.tileOrigins.enumerated() {
            let expected = RGB(UInt8(i * 30), 100, 200)
            XCTAssertEqual(image.pixel(o.x, o.y), expected, "tile \(i) top-left")
            XCTAssertEqual(image.pixel(o.x + 31, o.y + 31), expected, "tile \(i) bottom-right")
            XCTAssertEqual(image.pixel(o.x + 32, o.y + 31), .white, "gap right of tile \(i)")
        }
        // Something dark was drawn above the first tile (its title) and at the top (the figure title).
        let titleBand = (0..<32).contains { x in (1...12).contains { image.pixel(l.tileOrigins[0].x + x, l.tileOrigins[0].y - $0) == .ink } }
        XCTAssertTrue(titleBand)
        XCTAssertTrue((0..<l.width).contains { image.pixel($0, l.titleY! + 2) == .black })
    }

    func testImageTilesFromCHWAndHeatMapsFromPlanes() {
        // Two 1x2 RGB images: [N=2, C=3, H=1, W=2].
        let batch: [Float] = [1, 0, 0, 0, 0, 1,  0.5, 2, 0, -1, 1, 0.2]
        let tiles = batch.withUnsafeBufferPointer {
            ImageGrid.imageTiles($0.baseAddress!, count: 2, channels: 3, height: 1, width: 2, titles: ["a", "b"])
        }
        XCTAssertEqual(tiles[0].image.pixel(0, 0), RGB(255, 0, 0))
        XCTAssertEqual(tiles[0].image.pixel(1, 0), RGB(0, 0, 255))
        XCTAssertEqual(tiles[1].image.pixel(0, 0), RGB(128, 0, 255))  // 2 clamps to 1, -1 to 0
        XCTAssertEqual(tiles[1].title, "b")
        let planes: [Float] = [0, 1, 5, 10]
        let heat = planes.withUnsafeBufferPointer {
            ImageGrid.heatMapTiles($0.baseAddress!, count: 2, height: 1, width: 2)
        }
        XCTAssertEqual(heat[1].image.pixel(0, 0), RGB(hex: 0x440154))
        XCTAssertEqual(heat[1].image.pixel(1, 0), RGB(hex: 0xfde725))
    }

    func testLabFeatureMapFigure() throws {
        var maps = [Float](repeating: 0, count: 64 * 8 * 8)
        for i in maps.indices { maps[i] = Float(i % 64) / 7 }
        let fig = LabFigures.featureMaps(maps, channels: 64, height: 8, width: 8, rows: 2, columns: 4, title: "F(x)")
        XCTAssertTrue(fig.plain.hasPrefix("Heat-map grid 'F(x)': channels 0-7 of 64, each 8x8"))
        let png = try PNGDecoder.decode(fig.png!)
        XCTAssertEqual(png, fig.image)
        XCTAssertEqual(fig.fileExtension, "png")
    }
}
