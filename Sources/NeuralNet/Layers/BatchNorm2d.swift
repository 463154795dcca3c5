import TensorEngine

/// Batch normalization over the channels of NHWC activations, optionally fused with a residual add
/// and a ReLU: y = [relu](gamma * (x - mean) / sqrt(var + eps) + beta [+ residual]).
///
/// x, y, residual: `[N, H, W, C]` (or `[N, C]`). Train mode normalizes with
/// the batch statistics (biased variance) and updates the running statistics
/// with momentum 0.1 using the unbiased variance, and counts the batch in
/// `numBatchesTracked`; eval mode uses the running statistics. eps = 1e-5.
public final class BatchNorm2d: Layer {
    public let channels: Int
    public let eps: Float = 1e-5
    public let momentum: Float = 0.1
    /// Apply ReLU after the affine transform (and the residual add).
    public let fuseReLU: Bool
    /// Running mean `[C]` (PyTorch layout), starts at 0.
    public let runningMean: Tensor
    /// Running (unbiased) variance `[C]`, starts at 1.
    public let runningVar: Tensor
    /// PyTorch's `num_batches_tracked`.
    public let numBatchesTracked = BatchCounter()

    let store: ParameterStore
    let weightIndex: Int, biasIndex: Int

    var output: Tensor?
    var dx: Tensor?
    /// dL/d(pre-ReLU sum): the gradient flowing to the residual input after `backward`.
    public internal(set) var residualGrad: Tensor?
    var input: Tensor?
    var usedResidual = false
    var lastMode: Mode = .train
    /// Per-channel mean and 1/sqrt(var + eps) used by the last forward.
    let mean: Tensor, invStd: Tensor
    let scratch: Tensor
    let reductions: BatchNormKernels.Scratch

    /// Reserves gamma `[C]` and beta `[C]` in `store`; call `resetParameters()` after `store.seal()`.
    public init(store: ParameterStore, channels: Int, fuseReLU: Bool = false) {
        precondition(channels > 0, "BatchNorm2d needs channels > 0")
        self.store = store
        self.channels = channels
        self.fuseReLU = fuseReLU
        weightIndex = store.reserve(shape: [channels])
        biasIndex = store.reserve(shape: [channels])
        runningMean = Tensor(shape: [channels])
        runningVar = Tensor(shape: [channels])
        runningVar.fill(1)
        mean = Tensor(shape: [channels]); invStd = Tensor(shape: [channels])
        scratch = Tensor(shape: [4 * channels])
        reductions = BatchNormKernels.Scratch(channels: channels)
    }

    /// gamma `[C]`.
    public var weight: Parameter { store.parameters[weightIndex] }
    /// beta `[C]`.
    public var bias: Parameter { store.parameters[biasIndex] }

    /// gamma = 1, beta = 0 (torchvision's init).
    public func resetParameters() {
        weight.value.fill(1)
        bias.value.fill(0)
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor { forward(x, residual: nil, mode: mode) }

    /// y = [relu](bn(x) [+ residual]); the output buffer is owned by the layer.
    public func forward(_ x: Tensor, residual: Tensor?, mode: Mode) -> Tensor {
        precondition(x.shape.last == channels, "BatchNorm2d expects \(channels) channels, got \(x.shape)")
        let y = Tensor.reuse(output, shape: x.shape)
        output = y
        input = x
        usedResidual = residual != nil
        lastMode = mode
        if mode == .train { batchStatistics(x) } else { runningStatistics() }
        apply(x, residual: residual, relu: fuseReLU, into: y)
        return y
    }

    /// Eval-mode normalization into a new tensor with explicit choices (for the lab's block traces).
    public func evaluate(_ x: Tensor, residual: Tensor? = nil, relu: Bool = false) -> Tensor {
        let y = Tensor(shape: x.shape)
        runningStatistics()
        apply(x, residual: residual, relu: relu, into: y)
        return y
    }

    /// mean/invStd from the running statistics.
    func runningStatistics() {
        for c in 0..<channels {
            mean.data[c] = runningMean.data[c]
            invStd.data[c] = 1 / (runningVar.data[c] + eps).squareRoot()
        }
    }

    /// mean/invStd from the batch (biased variance), and the running-statistics update.
    func batchStatistics(_ x: Tensor) {
        let c = channels
        let rows = x.count / c
        let sums = reductions.sums
        BatchNormKernels.channelSums(x.data, rows: rows, channels: c, shift: nil, scratch: reductions, into: sums)
        for j in 0..<c { mean.data[j] = Float(sums[j] / Double(rows)) }
        BatchNormKernels.channelSums(x.data, rows: rows, channels: c, shift: mean.data, scratch: reductions, into: sums)
        let m = momentum
        for j in 0..<c {
            let v = sums[j] / Double(rows)
            invStd.data[j] = Float(1 / (v + Double(eps)).squareRoot())
            let unbiased = rows > 1 ? sums[j] / Double(rows - 1) : v
            runningMean.data[j] = (1 - m) * runningMean.data[j] + m * mean.data[j]
            runningVar.data[j] = (1 - m) * runningVar.data[j] + m * Float(unbiased)
        }
        numBatchesTracked.value += 1
    }

    func apply(_ x: Tensor, residual: Tensor?, relu: Bool, into y: Tensor) {
        let c = channels
        // scale = gamma * invStd, shift = beta - mean * scale
        let scale = scratch.data, shift = scratch.data + c
        for j in 0..<c {
            scale[j] = weight.value.data[j] * invStd.data[j]
            shift[j] = bias.value.data[j] - mean.data[j] * scale[j]
        }
        if let residual { precondition(residual.count == x.count, "residual \(residual.shape) vs \(x.shape)") }
        BatchNormKernels.affine(x.data, rows: x.count / c, channels: c, scale: scale, shift: shift,
                                residual: residual?.data, relu: relu, into: y.data)
    }
}
