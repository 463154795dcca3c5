/// A rows x columns grid of titled tiles under an optional figure title, drawn to one raster.
///
/// Layout, top to bottom: margin, figure title (font scale 3, or 2 when long), then per grid row a tile-title
/// band and the tiles; tiles are upscaled by an integer nearest-neighbor factor so that their
/// longest side comes near `tileSize`. White background, dark text, like matplotlib's imshow
/// grids with axes off.
public struct ImageGrid: Sendable {
    /// One cell of the grid.
    public struct Tile: Sendable {
        public var image: RGBImage
        public var title: String

        public init(image: RGBImage, title: String = "") {
            self.image = image
            self.title = title
        }
    }

    /// Pixel positions of everything in the rendered figure.
    public struct Layout: Equatable, Sendable {
        public var width: Int
        public var height: Int
        /// Integer upscale applied to every tile.
        public var factor: Int
        /// Size of a tile after upscaling.
        public var tileWidth: Int
        public var tileHeight: Int
        /// Top-left corner of each tile's image, in tile order (row-major).
        public var tileOrigins: [(x: Int, y: Int)]
        /// Top of the figure title's text, nil without a title.
        public var titleY: Int?

        public static func == (a: Layout, b: Layout) -> Bool {
            a.width == b.width && a.height == b.height && a.factor == b.factor && a.tileWidth == b.tileWidth
                && a.tileHeight == b.tileHeight && a.titleY == b.titleY
                && a.tileOrigins.map { [$0.x, $0.y] } == b.tileOrigins.map { [$0.x, $0.y] }
        }
    }

    public var tiles: [Tile]
    public var rows: Int
    public var columns: Int
    public var title: String?
    /// Target longest side of a tile in pixels; the upscale factor is tileSize / side rounded, at least 1.
    public var tileSize: Int
    public var margin = 16
    public var gap = 14
    public var background = RGB.white

    public init(tiles: [Tile], rows: Int, columns: Int, title: String? = nil, tileSize: Int = 128) {
        precondition(rows > 0 && columns > 0, "a grid needs at least one row and one column")
        precondition(!tiles.isEmpty, "a grid needs at least one tile")
        self.tiles = tiles
        self.rows = rows
        self.columns = columns
        self.title = title
        self.tileSize = tileSize
    }

    /// Font scale of tile titles: 2 when every title fits its cell at that size, else 1.
    var tileTitleScale: Int {
        let room = layoutTileWidth + gap - 2
        return tiles.allSatisfy { BitmapFont.width(of: $0.title, scale: 2) <= room } ? 2 : 1
    }

    /// Font scale of the figure title: 3 when it fits over the tiles, else 2.
    var titleScale: Int {
        let gridWidth = columns * layoutTileWidth + (columns - 1) * gap
        return BitmapFont.width(of: title ?? "", scale: 3) <= gridWidth ? 3 : 2
    }

    private var factor: Int {
        let side = tiles.map { max($0.image.width, $0.image.height) }.max()!
        return max(1, Int((Double(tileSize) / Double(side)).rounded()))
    }

    private var layoutTileWidth: Int { tiles.map { $0.image.width }.max()! * factor }

    /// Where each part goes.
    public func layout() -> Layout {
        let f = factor
        let tw = layoutTileWidth
        let th = tiles.map { $0.image.height }.max()! * f
        let hasTileTitles = tiles.contains { !$0.title.isEmpty }
        let band = hasTileTitles ? BitmapFont.height(scale: tileTitleScale) + 6 : 0
        let gridWidth = columns * tw + (columns - 1) * gap
        var titleWidth = 0
        var top = margin
        var titleY: Int? = nil
        if let title, !title.isEmpty {
            titleY = margin
            titleWidth = BitmapFont.width(of: title, scale: titleScale)
            top += BitmapFont.height(scale: titleScale) + 10
        }
        let width = max(gridWidth, titleWidth) + 2 * margin
        let left = (width - gridWidth) / 2
        var origins = [(x: Int, y: Int)]()
        for i in 0..<min(tiles.count, rows * columns) {
            let r = i / columns, c = i % columns
            origins.append((x: left + c * (tw + gap), y: top + r * (band + th + gap) + band))
        }
        let height = top + rows * (band + th) + (rows - 1) * gap + margin
        return Layout(width: width, height: height, factor: f, tileWidth: tw, tileHeight: th,
                      tileOrigins: origins, titleY: titleY)
    }

    /// The figure as a raster.
    public func render() -> RGBImage {
        let l = layout()
        var canvas = RGBImage(width: l.width, height: l.height, fill: background)
        if let y = l.titleY, let title {
            canvas.drawText(title, centerX: l.width / 2, y: y, scale: titleScale, color: .black)
        }
        let scale = tileTitleScale
        let bandHeight = BitmapFont.height(scale: scale) + 6
        for (i, origin) in l.tileOrigins.enumerated() {
            let tile = tiles[i]
            let img = tile.image.scaled(by: l.factor)
            // Center a smaller tile inside its cell.
            let dx = (l.tileWidth - img.width) / 2, dy = (l.tileHeight - img.height) / 2
            canvas.draw(img, atX: origin.x + dx, y: origin.y + dy)
            if !tile.title.isEmpty {
                canvas.drawText(tile.title, centerX: origin.x + l.tileWidth / 2, y: origin.y - bandHeight,
                                scale: scale, color: .ink, maxWidth: l.tileWidth + gap - 2)
            }
        }
        return canvas
    }
}

extension ImageGrid {
    /// Tiles from a batch of images in [0, 1]; values outside are clamped.
    // images: [N, C, H, W], C = 1 (gray) or 3 (RGB)
    public static func imageTiles(_ images: UnsafePointer<Float>, count: Int, channels: Int,
                                  height: Int, width: Int, titles: [String] = []) -> [Tile] {
        precondition(channels == 1 || channels == 3, "images need 1 or 3 channels, got \(channels)")
        let plane = height * width
        return (0..<count).map { n in
            let base = images + n * channels * plane
            var img = RGBImage(width: width, height: height)
            img.pixels.withUnsafeMutableBufferPointer { out in
                for i in 0..<plane {
                    for c in 0..<3 {
                        let v = base[(channels == 1 ? 0 : c) * plane + i]
                        let clamped = v.isNaN ? 0 : min(max(v, 0), 1)
                        out[i * 3 + c] = UInt8((clamped * 255).rounded())
                    }
                }
            }
            return Tile(image: img, title: n < titles.count ? titles[n] : "")
        }
    }

    /// Tiles from planes through a color map, each normalized to its own min and max
    /// (matplotlib imshow's default), or all to one `range`.
    // planes: [N, H, W]
    public static func heatMapTiles(_ planes: UnsafePointer<Float>, count: Int, height: Int, width: Int,
                                    titles: [String] = [], range: ValueRange? = nil,
                                    colorMap: ColorMap = .viridis) -> [Tile] {
        (0..<count).map { n in
            let img = HeatMap.render(planes + n * height * width, width: width, height: height,
                                     range: range, colorMap: colorMap)
            return Tile(image: img, title: n < titles.count ? titles[n] : "")
        }
    }
}
