import Foundation
import TensorEngine

/// The lab's image transforms: random crop with zero padding, random horizontal flip, scale to [0,1], normalize.
///
/// Order as torchvision's `RandomCrop(size, padding) -> RandomHorizontalFlip(p) ->
/// ToTensor -> Normalize(mean, std)`. Padding is black (byte 0), so padded
/// pixels become `(0 - mean) / std` (-1 with the defaults). The scale and
/// normalization are fused into one 256-entry lookup table per channel.
/// Input `[H, W, C]` uint8, output `[H, W, C]` float, same size.
public struct Transform: Sendable, Equatable {
    /// Zero padding on every side before the random crop; 0 disables cropping.
    public var padding: Int
    /// Probability of a horizontal flip; 0 disables flipping.
    public var flipProbability: Float
    /// Per-channel normalization, applied after scaling to [0,1].
    public var mean: [Float], std: [Float]

    public init(padding: Int, flipProbability: Float, mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && !mean.isEmpty, "mean and std need one value per channel")
        self.padding = padding
        self.flipProbability = flipProbability
        self.mean = mean
        self.std = std
    }

    /// The lab's training transform: crop with padding 4, flip p = 0.5, normalize 0.5 / 0.5.
    public static func train(channels: Int) -> Transform {
        Transform(padding: 4, flipProbability: 0.5, mean: .init(repeating: 0.5, count: channels),
                  std: .init(repeating: 0.5, count: channels))
    }

    /// The lab's test transform: normalize 0.5 / 0.5, no augmentation.
    public static func test(channels: Int) -> Transform {
        Transform(padding: 0, flipProbability: 0, mean: .init(repeating: 0.5, count: channels),
                  std: .init(repeating: 0.5, count: channels))
    }

    /// Whether the transform draws random numbers.
    public var augments: Bool { padding > 0 || flipProbability > 0 }

    /// The random choices for one image: crop offsets in `0...2*padding` and the flip.
    public struct Draw: Sendable, Equatable {
        public var offsetY: Int, offsetX: Int, flip: Bool
        public init(offsetY: Int, offsetX: Int, flip: Bool) {
            self.offsetY = offsetY; self.offsetX = offsetX; self.flip = flip
        }
    }

    /// The identity draw (centre crop, no flip) that the test transform always uses.
    public var identityDraw: Draw { Draw(offsetY: padding, offsetX: padding, flip: false) }

    /// Draws the crop offsets and the flip for one image from `rng`.
    public func draw(_ rng: inout SeededRandom) -> Draw {
        var d = identityDraw
        if padding > 0 {
            d.offsetY = rng.int(below: 2 * padding + 1)
            d.offsetX = rng.int(below: 2 * padding + 1)
        }
        if flipProbability > 0 { d.flip = rng.uniform() < flipProbability }
        return d
    }

    /// The fused scale-and-normalize table: `[channels, 256]` float, entry `(v / 255 - mean) / std`.
    public func lookupTable(channels: Int) -> [Float] {
        precondition(mean.count == channels, "transform has \(mean.count) channels, images have \(channels)")
        var table = [Float](repeating: 0, count: channels * 256)
        for c in 0 ..< channels {
            for v in 0 ..< 256 { table[c * 256 + v] = (Float(v) / 255 - mean[c]) / std[c] }
        }
        return table
    }

    /// Writes one transformed image.
    ///
    /// `src`: `[height, width, channels]` uint8; `dst`: `[height, width, channels]` float;
    /// `table` from `lookupTable(channels:)`. Output pixel (y, x) comes from the padded
    /// image at (y + offsetY, x' + offsetX) with x' = width - 1 - x when flipped.
    @inline(__always)
    public func apply(_ src: UnsafePointer<UInt8>, to dst: UnsafeMutablePointer<Float>,
                      height: Int, width: Int, channels: Int, draw d: Draw, table: UnsafePointer<Float>) {
        let p = padding
        let rowLength = width * channels
        for y in 0 ..< height {
            let out = dst + y * rowLength
            let sy = y + d.offsetY - p
            if sy < 0 || sy >= height {
                for x in 0 ..< width { for c in 0 ..< channels { out[x * channels + c] = table[c << 8] } }
                continue
            }
            let row = src + sy * rowLength
            // Source column for output x is x + dx (no flip) or (width - 1 - x) + dx, dx = offsetX - p.
            let dx = d.offsetX - p
            let lo: Int, hi: Int   // output columns whose source lies inside the image
            if d.flip { lo = max(0, dx); hi = min(width, width + dx) } else { lo = max(0, -dx); hi = min(width, width - dx) }
            for x in 0 ..< lo { for c in 0 ..< channels { out[x * channels + c] = table[c << 8] } }
            for x in hi ..< width { for c in 0 ..< channels { out[x * channels + c] = table[c << 8] } }
            if channels == 3 {
                let t1 = table + 256, t2 = table + 512
                var x = lo
                while x < hi {
                    let sx = d.flip ? width - 1 - x + dx : x + dx
                    let s = row + sx * 3, o = out + x * 3
                    o[0] = table[Int(s[0])]; o[1] = t1[Int(s[1])]; o[2] = t2[Int(s[2])]
                    x += 1
                }
            } else {
                var x = lo
                while x < hi {
                    let sx = d.flip ? width - 1 - x + dx : x + dx
                    for c in 0 ..< channels { out[x * channels + c] = table[c << 8 + Int(row[sx * channels + c])] }
                    x += 1
                }
            }
        }
    }

    /// Undoes the normalization of one value of channel `c`, clamped to [0, 1] for display.
    public func denormalize(_ value: Float, channel c: Int) -> Float {
        min(max(value * std[c] + mean[c], 0), 1)
    }

    /// Image `n` of a normalized batch back in [0, 1] for display: `[height, width, channels]` float.
    ///
    /// `batch`: `[N, H, W, C]` as the loader produces it.
    public func displayImage(_ batch: Tensor, index n: Int) -> [Float] {
        precondition(batch.shape.count == 4, "expected an NHWC batch, got \(batch.shape)")
        let (h, w, ch) = (batch.shape[1], batch.shape[2], batch.shape[3])
        let base = batch.data + n * h * w * ch
        var out = [Float](repeating: 0, count: h * w * ch)
        for i in 0 ..< h * w * ch { out[i] = denormalize(base[i], channel: i % ch) }
        return out
    }
}
