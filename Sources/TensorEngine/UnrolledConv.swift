/// A convolution over a tiny map as one GEMM, its weights unrolled per (output, input) position pair.
///
/// x `[N, H, W, I]` is read as `[N, H*W*I]` and y `[N, OH, OW, O]` written as
/// `[N, OH*OW*O]`, so y = x Wu^T with Wu `[OH*OW*O, H*W*I]`: block (q, p) of Wu
/// (rows q*O ..< (q+1)*O, columns p*I ..< (p+1)*I) is the kernel tap under which
/// output position q reads input position p, W[:, tap, :] of W `[O, KH, KW, I]`,
/// and zero where q never reads p. On 2x2 and 1x1 maps every output position
/// reads every input position, so Wu has no zero block and the product does
/// exactly the multiply-adds of a tap-grouped convolution, as one well-shaped GEMM
/// with the batch as M, with no patch matrix and no row permutation.
/// Backward: dWu = dy^T x (folded back onto the taps) and dx = dy Wu.
public struct UnrolledConv: Sendable {
    /// One non-zero block: output position q reads input position p through `tap` (`ky * KW + kx`).
    public struct Block: Sendable, Equatable {
        public let q: Int, p: Int, tap: Int
    }

    public let geometry: ConvGeometry
    public let outChannels: Int
    /// Non-zero blocks, by output position then input position.
    public let blocks: [Block]

    /// Unrolling pays when at least this share of the blocks is non-zero ...
    nonisolated(unsafe) public static var minimumDensity = 0.85
    /// ... and Wu stays at most this many floats (16 MiB).
    nonisolated(unsafe) public static var maximumFloats = 1 << 22

    public init(_ g: ConvGeometry, outChannels: Int) {
        geometry = g
        self.outChannels = outChannels
        var b: [Block] = []
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for ky in 0..<g.kernelH {
                    let iy = oy * g.stride - g.padding + ky
                    if iy < 0 || iy >= g.height { continue }
                    for kx in 0..<g.kernelW {
                        let ix = ox * g.stride - g.padding + kx
                        if ix < 0 || ix >= g.width { continue }
                        b.append(Block(q: oy * g.outWidth + ox, p: iy * g.width + ix, tap: ky * g.kernelW + kx))
                    }
                }
            }
        }
        blocks = b.sorted { ($0.q, $0.p) < ($1.q, $1.p) }
    }

    /// Columns of Wu and of the input rows: `H * W * I`.
    public var inFeatures: Int { geometry.height * geometry.width * geometry.channels }
    /// Rows of Wu and columns of the output rows: `OH * OW * O`.
    public var outFeatures: Int { geometry.outHeight * geometry.outWidth * outChannels }
    /// Share of the (output, input) position pairs that are read.
    public var density: Double {
        Double(blocks.count) / Double(geometry.outHeight * geometry.outWidth * geometry.height * geometry.width)
    }

    /// The plan for a convolution of this shape when it should run unrolled (dense enough, small
    /// enough, not pointwise), else nil.
    public static func plan(_ g: ConvGeometry, outChannels: Int) -> UnrolledConv? {
        if g.isPointwise { return nil }
        let positions = g.outHeight * g.outWidth * g.height * g.width
        if positions * g.channels * outChannels > maximumFloats { return nil }
        let plan = UnrolledConv(g, outChannels: outChannels)
        return plan.density >= minimumDensity ? plan : nil
    }

    /// Whether a convolution of this shape should run unrolled (`plan` is not nil).
    public static func worthwhile(_ g: ConvGeometry, outChannels: Int) -> Bool { plan(g, outChannels: outChannels) != nil }

    /// Wu `[OH*OW*O, H*W*I]` from w `[O, KH, KW, I]`; zero blocks are written too.
    public func unroll(_ w: UnsafePointer<Float>, into wu: UnsafeMutablePointer<Float>) {
        let o = outChannels, ci = geometry.channels, full = geometry.fullK, cols = inFeatures
        if blocks.count < geometry.outHeight * geometry.outWidth * geometry.height * geometry.width {
            wu.update(repeating: 0, count: outFeatures * cols)
        }
        Parallel.chunks(blocks.count, work: blocks.count * o * ci) { r in
            for bi in r {
                let b = blocks[bi]
                let dst = wu + b.q * o * cols + b.p * ci
                let src = w + b.tap * ci
                for oo in 0..<o { (dst + oo * cols).update(from: src + oo * full, count: ci) }
            }
        }
    }

    /// gw `[O, KH, KW, I]` += the blocks of dWu `[OH*OW*O, H*W*I]` folded back onto their taps.
    ///
    /// Split by output channel so no two workers add into the same weights.
    public func foldGradient(_ dwu: UnsafePointer<Float>, accumulateInto gw: UnsafeMutablePointer<Float>) {
        let o = outChannels, ci = geometry.channels, full = geometry.fullK, cols = inFeatures
        Parallel.chunks(o, work: blocks.count * o * ci) { r in
            for b in blocks {
                let src = dwu + b.q * o * cols + b.p * ci
                let dst = gw + b.tap * ci
                for oo in r { Kernels.addInPlace(dst + oo * full, src + oo * cols, count: ci) }
            }
        }
    }
}
