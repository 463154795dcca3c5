import TensorEngine

/// torchvision's BasicBlock: conv3x3(s) -> BN -> ReLU -> conv3x3 -> BN, + shortcut, -> ReLU.
///
/// x: `[N, H, W, in]` -> y: `[N, H/s, W/s, out]`. The shortcut is the
/// identity, or `downsample` = conv1x1(stride s, no bias) -> BN when the
/// stride or width changes. bn1 fuses its ReLU; bn2 fuses the residual add
/// and the final ReLU.
public final class BasicBlock: Layer {
    public let inChannels: Int, outChannels: Int, stride: Int
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    /// conv1x1 -> BN on the shortcut, when stride != 1 or in != out.
    public let downsample: (conv: Conv2d, bn: BatchNorm2d)?

    /// Reserves the block's parameters in torchvision's order.
    public init(store: ParameterStore, inChannels: Int, outChannels: Int, stride: Int, workspace: Workspace = Workspace()) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.stride = stride
        conv1 = Conv2d(store: store, inChannels: inChannels, outChannels: outChannels, kernelSize: 3,
                       stride: stride, padding: 1, bias: false, workspace: workspace)
        bn1 = BatchNorm2d(store: store, channels: outChannels, fuseReLU: true)
        conv2 = Conv2d(store: store, inChannels: outChannels, outChannels: outChannels, kernelSize: 3,
                       stride: 1, padding: 1, bias: false, workspace: workspace)
        bn2 = BatchNorm2d(store: store, channels: outChannels, fuseReLU: true)
        if stride != 1 || inChannels != outChannels {
            downsample = (Conv2d(store: store, inChannels: inChannels, outChannels: outChannels, kernelSize: 1,
                                 stride: stride, padding: 0, bias: false, workspace: workspace),
                          BatchNorm2d(store: store, channels: outChannels))
        } else {
            downsample = nil
        }
    }

    /// torchvision init: convs kaiming-normal (fan_out, relu), BN weight 1 bias 0.
    func initialize(rng: inout SeededRandom) {
        Initializers.kaimingNormalFanOut(conv1.weight, rng: &rng)
        bn1.resetParameters()
        Initializers.kaimingNormalFanOut(conv2.weight, rng: &rng)
        bn2.resetParameters()
        if let d = downsample {
            Initializers.kaimingNormalFanOut(d.conv.weight, rng: &rng)
            d.bn.resetParameters()
        }
    }

    /// y = relu(F(x) + shortcut(x)). Output owned by bn2.
    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let a = bn1.forward(conv1.forward(x, mode: mode), mode: mode)
        let c = conv2.forward(a, mode: mode)
        let sc = downsample.map { $0.bn.forward($0.conv.forward(x, mode: mode), mode: mode) } ?? x
        return bn2.forward(c, residual: sc, mode: mode)
    }

    /// dL/dx = dL/dx through F + dL/dx through the shortcut (the "+1" path).
    public func backward(_ dy: Tensor) -> Tensor {
        let dc = bn2.backward(dy)
        let dSum = bn2.residualGrad!
        let dx = conv1.backward(bn1.backward(conv2.backward(dc)))
        if let d = downsample {
            let dxs = d.conv.backward(d.bn.backward(dSum))
            Kernels.add(dx.data, dxs.data, into: dx.data, count: dx.count)
        } else {
            Kernels.add(dx.data, dSum.data, into: dx.data, count: dx.count)
        }
        return dx
    }

    /// Runs the block in eval mode step by step and keeps every intermediate, in NCHW.
    public func trace(_ x: Tensor) -> BlockTrace {
        let a = bn1.evaluate(conv1.forward(x, mode: .eval), relu: true)
        let f = bn2.evaluate(conv2.forward(a, mode: .eval), relu: false)
        let sc: Tensor
        if let d = downsample {
            sc = d.bn.evaluate(d.conv.forward(x, mode: .eval), relu: false)
        } else {
            sc = x
        }
        let sum = Tensor(shape: f.shape)
        Kernels.add(f.data, sc.data, into: sum.data, count: sum.count)
        let out = Tensor(shape: f.shape)
        Kernels.relu(sum.data, into: out.data, count: out.count)
        return BlockTrace(input: x.nhwcToNCHW(), residual: f.nhwcToNCHW(), shortcut: sc.nhwcToNCHW(),
                          sum: sum.nhwcToNCHW(), output: out.nhwcToNCHW(), hasDownsample: downsample != nil)
    }

    /// State-dict entries under `prefix` (e.g. "layer1.0."), torchvision's order.
    func stateEntries(prefix: String) -> [StateEntry] {
        var e = convEntries(prefix + "conv1", conv1) + bnEntries(prefix + "bn1", bn1)
        e += convEntries(prefix + "conv2", conv2) + bnEntries(prefix + "bn2", bn2)
        if let d = downsample {
            e += convEntries(prefix + "downsample.0", d.conv) + bnEntries(prefix + "downsample.1", d.bn)
        }
        return e
    }

    /// Trainable scalars in the block.
    public var parameterCount: Int {
        conv1.parameterCount + conv2.parameterCount + 4 * outChannels
            + (downsample.map { $0.conv.parameterCount + 2 * outChannels } ?? 0)
    }

    /// A short text of the block's structure.
    public var structure: String {
        var s = "BasicBlock(\(inChannels) -> \(outChannels), stride \(stride))\n"
        s += "  F(x):     conv3x3(\(inChannels)->\(outChannels), stride \(stride)) -> BN -> ReLU -> conv3x3(\(outChannels)->\(outChannels)) -> BN\n"
        if downsample != nil {
            s += "  shortcut: downsample conv1x1(\(inChannels)->\(outChannels), stride \(stride)) -> BN\n"
        } else {
            s += "  shortcut: identity (x)\n"
        }
        s += "  output:   ReLU(F(x) + shortcut)"
        return s
    }
}

/// Every intermediate of one BasicBlock on one input, in PyTorch layout `[N, C, H, W]`.
public struct BlockTrace {
    /// The block input x.
    public let input: Tensor
    /// F(x) = bn2(conv2(relu(bn1(conv1 x)))).
    public let residual: Tensor
    /// x, or downsample(x).
    public let shortcut: Tensor
    /// F(x) + shortcut.
    public let sum: Tensor
    /// relu(sum).
    public let output: Tensor
    /// Whether the shortcut is a downsample.
    public let hasDownsample: Bool
}

func convEntries(_ name: String, _ c: Conv2d) -> [StateEntry] {
    var e = [StateEntry(name: name + ".weight", value: .parameter(c.weight))]
    if let b = c.bias { e.append(StateEntry(name: name + ".bias", value: .parameter(b))) }
    return e
}

func bnEntries(_ name: String, _ b: BatchNorm2d) -> [StateEntry] {
    [StateEntry(name: name + ".weight", value: .parameter(b.weight)),
     StateEntry(name: name + ".bias", value: .parameter(b.bias)),
     StateEntry(name: name + ".running_mean", value: .buffer(b.runningMean)),
     StateEntry(name: name + ".running_var", value: .buffer(b.runningVar)),
     StateEntry(name: name + ".num_batches_tracked", value: .counter(b.numBatchesTracked))]
}
