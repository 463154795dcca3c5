import TensorEngine

/// 2-D convolution over NHWC activations as batch-folded GEMMs.
///
/// x: `[N, H, W, I]` -> y: `[N, OH, OW, O]`. Weights are stored `[O, KH, KW, I]`
/// (`ParameterLayout.convOHWI`) so y = patches `[N*OH*OW, T*I]` x W^T with T
/// the taps that ever touch the input (see `ConvGeometry`). Six paths:
/// - 3x3 stride 1 padding 1, at least `winogradMinChannels` inputs, maps at least
///   `winogradMinSide` wide: Winograd F(4x4, 3x3) (F(2x2, 3x3) below 8 channels) forward, dL/dW and dL/dx (Conv2d+Winograd);
/// - 1x1 stride 1: the input is the patch matrix (no im2col);
/// - tiny maps where every output position reads every input position (2x2, 1x1): one GEMM with
///   the weights unrolled per position pair, batch as M (Conv2d+Unrolled);
/// - small maps (`groupingThreshold`): output positions grouped by in-bounds
///   taps, one GEMM per group, padding never multiplied (Conv2d+Grouped);
/// - dense, patch matrix up to `densePatchChunk` floats: built once, kept for backward;
/// - dense, larger: built a few samples at a time in the shared `workspace`
///   (and rebuilt in backward), so it stays in cache.
/// Bias (optional) and ReLU (`fuseReLU`) are applied in one pass after the GEMM.
public final class Conv2d: Layer {
    public let inChannels: Int, outChannels: Int
    public let kernelSize: Int, stride: Int, padding: Int
    public let hasBias: Bool
    /// Apply ReLU to the output (and mask the gradient by it in backward).
    public let fuseReLU: Bool
    /// When false, backward skips dL/dx (the first layer of a network) and returns an empty tensor.
    public var needsInputGrad = true
    /// Patch matrices up to this many floats are kept from forward to backward; larger ones live in
    /// the shared `workspace` and are rebuilt in backward (16M floats = 64 MiB).
    public static let keptPatchLimit = 1 << 24
    /// Output positions are grouped by in-bounds taps when that leaves at most this fraction of the
    /// dense multiply-adds (small maps, where padding is a large share of every patch).
    nonisolated(unsafe) public static var groupingThreshold = 0.9
    /// Grouping copies `inChannels` floats per tap; below this many channels (the RGB stem) the
    /// per-row contiguous copies of the dense path are cheaper.
    nonisolated(unsafe) public static var groupingMinChannels = 8
    /// Dense patch matrices above this many floats are built and multiplied in chunks of samples.
    nonisolated(unsafe) public static var densePatchChunk = 1 << 20
    /// 3x3 stride-1 pad-1 convolutions go through Winograd (see Conv2d+Winograd).
    nonisolated(unsafe) public static var winogradEnabled = true
    /// Output tile of the Winograd passes: 4 for F(4x4, 3x3) (fewer multiplies), 2 for F(2x2, 3x3).
    nonisolated(unsafe) public static var winogradTile = 4
    /// Winograd only from this many input channels (not the RGB stem) ...
    nonisolated(unsafe) public static var winogradMinChannels = 8
    /// ... and on maps at least this many pixels on a side (on 2x2 maps it saves nothing).
    nonisolated(unsafe) public static var winogradMinSide = 4
    /// Scratch shared with the model's other layers.
    public let workspace: Workspace
    /// Set by a model whose convs form a straight chain: dL/dx comes from the relay's two
    /// buffers instead of one per layer, and with `fuseReLU` the incoming dL/dy is masked
    /// in place (see `GradientRelay`). nil: this layer owns its buffers and never writes dL/dy.
    public var gradientRelay: GradientRelay?

    let store: ParameterStore
    let weightIndex: Int, biasIndex: Int?

    // Buffers reused across steps.
    var geometry: ConvGeometry?
    /// Position groups when grouping saves work (small maps), else nil.
    var grouping: TapClasses?
    var groupRows: Tensor?
    var output: Tensor?
    var cols: Tensor?
    var packedW: Tensor?
    var packedDW: Tensor?
    var maskedDY: Tensor?
    var dx: Tensor?
    var input: Tensor?
    var patchesKept = false
    /// Transformed weights for the Winograd path (forward `[16, O, I]`, then backward `[16, I, O]`).
    var winogradU: Tensor?
    /// The last forward went through Winograd.
    var usedWinograd = false
    /// `store.frozenEpoch` for which `winogradU` holds the forward transform (nil: rebuild).
    var winogradUEpoch: Int?
    /// The unrolled small-map plan, when this shape runs as one GEMM (see `UnrolledConv`).
    var unrolled: UnrolledConv?
    /// Unrolled weights `[OH*OW*O, H*W*I]`, kept from forward to backward.
    var unrolledW: Tensor?
    /// `store.frozenEpoch` for which `unrolledW` is current (nil: rebuild).
    var unrolledEpoch: Int?

    /// Reserves `[O, K, K, I]` weights (and `[O]` bias) in `store`; initialize after `store.seal()`.
    public init(store: ParameterStore, inChannels: Int, outChannels: Int, kernelSize: Int,
                stride: Int = 1, padding: Int = 0, bias: Bool = true, fuseReLU: Bool = false,
                workspace: Workspace? = nil) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0, "bad Conv2d sizes")
        self.store = store
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding
        self.hasBias = bias; self.fuseReLU = fuseReLU
        self.workspace = workspace ?? Workspace()
        weightIndex = store.reserve(shape: [outChannels, kernelSize, kernelSize, inChannels], layout: .convOHWI)
        biasIndex = bias ? store.reserve(shape: [outChannels]) : nil
    }

    /// Weight `[O, KH, KW, I]`.
    public var weight: Parameter { store.parameters[weightIndex] }
    /// Bias `[O]`, if any.
    public var bias: Parameter? { biasIndex.map { store.parameters[$0] } }

    /// Output spatial size for an input of `h` x `w`.
    public func outputSize(_ h: Int, _ w: Int) -> (Int, Int) {
        ((h + 2 * padding - kernelSize) / stride + 1, (w + 2 * padding - kernelSize) / stride + 1)
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { outChannels * kernelSize * kernelSize * inChannels + (hasBias ? outChannels : 0) }

    func geometry(for x: Tensor) -> ConvGeometry {
        precondition(x.shape.count == 4 && x.shape[3] == inChannels,
                     "Conv2d expects [N, H, W, \(inChannels)], got \(x.shape)")
        let g0 = ConvGeometry(batch: x.shape[0], height: x.shape[1], width: x.shape[2], channels: inChannels,
                              kernelH: kernelSize, kernelW: kernelSize, stride: stride, padding: padding)
        if let g = geometry, g == g0 { return g }
        geometry = g0
        grouping = nil
        unrolledEpoch = nil
        unrolled = UnrolledConv.plan(g0, outChannels: outChannels)
        if unrolled == nil, !g0.isPointwise && g0.outHeight * g0.outWidth > 1 && inChannels >= Conv2d.groupingMinChannels {
            let tc = TapClasses(g0)
            if tc.groups.count > 1 && tc.workFraction <= Conv2d.groupingThreshold { grouping = tc }
        }
        return g0
    }

    /// (samples per chunk, output positions per sample, input floats per sample) for the chunked path.
    func chunking(_ g: ConvGeometry) -> (Int, Int, Int) {
        let per = g.outHeight * g.outWidth
        let chunk = Swift.max(1, Swift.min(g.batch, Conv2d.densePatchChunk / Swift.max(1, per * g.activeK)))
        return (chunk, per, g.height * g.width * inChannels)
    }

    /// Copies the active taps' weight columns into `packedW` `[O, T*I]` (only when taps were dropped).
    func packWeights(_ g: ConvGeometry) -> UnsafeMutablePointer<Float> {
        let w = weight.value.data
        if g.allTapsActive { return w }
        let pw = Tensor.reuse(packedW, shape: [outChannels, g.activeK])
        packedW = pw
        let full = g.fullK, ci = inChannels
        for o in 0..<outChannels {
            for (j, t) in g.taps.enumerated() {
                (pw.data + o * g.activeK + j * ci).update(from: w + o * full + t * ci, count: ci)
            }
        }
        return pw.data
    }

    /// y = conv(x) (+ bias) (then ReLU). x: `[N, H, W, I]`, y: `[N, OH, OW, O]`.
    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let g = geometry(for: x)
        let y = Tensor.reuse(output, shape: [g.batch, g.outHeight, g.outWidth, outChannels])
        output = y
        input = x
        usedWinograd = usesWinograd(g, mode: mode)
        if usedWinograd {
            patchesKept = false
            forwardWinograd(x, g, into: y)
            Kernels.addBiasReLU(y.data, rows: g.rows, cols: outChannels, bias: bias.map { UnsafePointer($0.value.data) }, relu: fuseReLU)
            return y
        }
        if let plan = unrolled {
            patchesKept = false
            forwardUnrolled(x, plan, y)
            return y
        }
        if let tc = grouping {
            forwardGrouped(x, tc, y, mode: mode)
            return y
        }
        let m = g.rows, k = g.activeK
        let w = packWeights(g)
        patchesKept = false
        if g.isPointwise {
            GEMM.sgemm(transB: true, m: m, n: outChannels, k: k, a: x.data, lda: k, b: w, ldb: k, c: y.data, ldc: outChannels)
        } else if mode == .train && m * k <= Conv2d.densePatchChunk {
            let c = Tensor.reuse(cols, shape: [m, k])
            cols = c
            Im2col.im2col(x.data, g, into: c.data)
            patchesKept = true
            GEMM.sgemm(transB: true, m: m, n: outChannels, k: k, a: c.data, lda: k, b: w, ldb: k, c: y.data, ldc: outChannels)
        } else {
            // Large patch matrices go through the shared workspace a few samples at a time, so they
            // stay in cache instead of streaming hundreds of MB through memory. The chunks depend on
            // the shapes only (so each GEMM, and the result, is the same on any thread count); each
            // worker builds and multiplies whole chunks in its own slice, round robin.
            let (fitting, per, inSample) = chunking(g)
            // Several chunks come in multiples of 4, so 2 or 4 threads get equal shares.
            var chunks = (g.batch + fitting - 1) / fitting
            if chunks > 1 { chunks = Swift.min(g.batch, (chunks + 3) / 4 * 4) }
            let chunk = (g.batch + chunks - 1) / chunks
            let parts = Swift.max(1, Swift.min(Parallel.workers, chunks))
            let a = workspace.floats(chunk * per * k * parts)
            Parallel.run(parts) { part in
                let slice = a + part * chunk * per * k
                var n0 = part * chunk
                while n0 < g.batch {
                    let nb = Swift.min(chunk, g.batch - n0)
                    Im2col.im2col(x.data + n0 * inSample, g.withBatch(nb), into: slice)
                    GEMM.sgemm(transB: true, m: nb * per, n: outChannels, k: k, a: slice, lda: k, b: w, ldb: k,
                               c: y.data + n0 * per * outChannels, ldc: outChannels)
                    n0 += parts * chunk
                }
            }
        }
        Kernels.addBiasReLU(y.data, rows: m, cols: outChannels, bias: bias.map { UnsafePointer($0.value.data) }, relu: fuseReLU)
        input = x
        return y
    }
}
