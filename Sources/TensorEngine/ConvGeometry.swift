/// The shapes of one 2-D convolution or pooling window over NHWC input, and the taps that matter.
///
/// x: `[batch, height, width, channels]`, y: `[batch, outHeight, outWidth, ...]`.
/// A tap `(ky, kx)` is *active* when it lands inside the input for at least
/// one output position; taps that only ever read zero padding (3x3 convs on
/// 1x1 maps, for example) are dropped from the patch matrix so the GEMM's K
/// shrinks instead of multiplying zeros.
public struct ConvGeometry: Equatable, Sendable {
    public var batch: Int { batchStorage }
    private var batchStorage: Int
    public let height: Int, width: Int, channels: Int
    public let kernelH: Int, kernelW: Int, stride: Int, padding: Int
    public let outHeight: Int, outWidth: Int
    /// Active taps as flat kernel indices `ky * kernelW + kx`, ascending.
    public let taps: [Int]

    public init(batch: Int, height: Int, width: Int, channels: Int,
                kernelH: Int, kernelW: Int, stride: Int, padding: Int) {
        precondition(stride >= 1 && padding >= 0 && kernelH >= 1 && kernelW >= 1, "bad conv geometry")
        self.batchStorage = batch; self.height = height; self.width = width; self.channels = channels
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride; self.padding = padding
        outHeight = (height + 2 * padding - kernelH) / stride + 1
        outWidth = (width + 2 * padding - kernelW) / stride + 1
        precondition(outHeight >= 1 && outWidth >= 1, "kernel \(kernelH)x\(kernelW) does not fit input \(height)x\(width) with padding \(padding)")
        var active: [Int] = []
        for ky in 0..<kernelH {
            let rowHit = (0..<outHeight).contains { oy in
                let iy = oy * stride - padding + ky
                return iy >= 0 && iy < height
            }
            for kx in 0..<kernelW {
                let colHit = (0..<outWidth).contains { ox in
                    let ix = ox * stride - padding + kx
                    return ix >= 0 && ix < width
                }
                if rowHit && colHit { active.append(ky * kernelW + kx) }
            }
        }
        taps = active
    }

    /// The same window over `n` samples (taps do not depend on the batch).
    public func withBatch(_ n: Int) -> ConvGeometry {
        var g = self
        g.batchStorage = n
        return g
    }

    /// Rows of the patch matrix: `batch * outHeight * outWidth`.
    public var rows: Int { batch * outHeight * outWidth }
    /// Columns of the patch matrix with every tap: `kernelH * kernelW * channels`.
    public var fullK: Int { kernelH * kernelW * channels }
    /// Columns of the patch matrix with the active taps only.
    public var activeK: Int { taps.count * channels }
    /// True when every tap is active (no weight packing needed).
    public var allTapsActive: Bool { taps.count == kernelH * kernelW }
    /// True for a 1x1, stride-1, unpadded window: the input already is the patch matrix.
    public var isPointwise: Bool { kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0 }
}
