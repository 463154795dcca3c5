import TensorEngine

/// torchvision's `resnet18(num_classes:)` with a configurable stem width and input channels.
///
/// x: `[N, H, W, inChannels]` -> logits `[N, numClasses]`. Stem conv7x7/2 ->
/// BN -> ReLU -> maxpool3x3/2; layer1..4 of two BasicBlocks each with
/// `width`, 2, 4, 8 x `width` channels (strides 1, 2, 2, 2); adaptive average
/// pool, flatten, fc. `width` 64 is torchvision (11,181,642 parameters with
/// 3 channels and 10 classes); smaller widths keep the topology for tiny
/// fixtures. Parameters are created in state-dict order.
public final class ResNet18: Model {
    public let store = ParameterStore()
    public let inChannels: Int, numClasses: Int, width: Int
    public var name: String { "ResNet-18" }

    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    /// layer1...layer4, two blocks each.
    public let layers: [[BasicBlock]]
    public let avgpool = AdaptiveAvgPool2d()
    public let flatten = Flatten()
    public let fc: Linear
    /// Scratch shared by the convolutions.
    public let workspace = Workspace()

    public private(set) lazy var stateDict: [StateEntry] = makeStateDict()

    public init(inChannels: Int = 3, numClasses: Int = 10, width: Int = 64, seed: UInt64) {
        precondition(inChannels > 0 && numClasses > 0 && width > 0, "ResNet18: sizes must be positive")
        self.inChannels = inChannels; self.numClasses = numClasses; self.width = width
        conv1 = Conv2d(store: store, inChannels: inChannels, outChannels: width, kernelSize: 7, stride: 2,
                       padding: 3, bias: false, workspace: workspace)
        conv1.needsInputGrad = false
        bn1 = BatchNorm2d(store: store, channels: width, fuseReLU: true)
        var layers: [[BasicBlock]] = []
        var cin = width
        for (i, mult) in [1, 2, 4, 8].enumerated() {
            let cout = width * mult
            let s = i == 0 ? 1 : 2
            layers.append([BasicBlock(store: store, inChannels: cin, outChannels: cout, stride: s, workspace: workspace),
                           BasicBlock(store: store, inChannels: cout, outChannels: cout, stride: 1, workspace: workspace)])
            cin = cout
        }
        self.layers = layers
        fc = Linear(store: store, inFeatures: cin, outFeatures: numClasses)
        store.seal()
        var rng = SeededRandom(seed: seed)
        Initializers.kaimingNormalFanOut(conv1.weight, rng: &rng)
        bn1.resetParameters()
        for layer in layers { for b in layer { b.initialize(rng: &rng) } }
        Initializers.pytorchDefault(weight: fc.weight, bias: fc.bias, rng: &rng)
    }

    /// Every block with its path ("layer1.0" ... "layer4.1"), in order.
    public var blocks: [(String, BasicBlock)] {
        layers.enumerated().flatMap { i, l in l.enumerated().map { ("layer\(i + 1).\($0)", $1) } }
    }

    /// The block at `path` ("layer2.0"), or a `ModelError.unknownBlock`.
    public func block(_ path: String) throws -> BasicBlock {
        guard let b = blocks.first(where: { $0.0 == path }) else {
            throw ModelError.unknownBlock(path, known: blocks.map(\.0))
        }
        return b.1
    }

    /// conv1 -> bn1 -> relu -> maxpool. x: `[N, H, W, C]` -> `[N, H/4, W/4, width]` (NHWC, model-owned).
    public func stem(_ x: Tensor, mode: Mode) -> Tensor {
        maxpool.forward(bn1.forward(conv1.forward(x, mode: mode), mode: mode), mode: mode)
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        var h = stem(x, mode: mode)
        for layer in layers { for b in layer { h = b.forward(h, mode: mode) } }
        return fc.forward(flatten.forward(avgpool.forward(h, mode: mode), mode: mode), mode: mode)
    }

    public func backward(_ dLogits: Tensor) {
        var d = avgpool.backward(flatten.backward(fc.backward(dLogits)))
        for layer in layers.reversed() { for b in layer.reversed() { d = b.backward(d) } }
        _ = conv1.backward(bn1.backward(maxpool.backward(d)))
    }

    /// conv1, the 16 main-path block convs, fc: 18 weights from input to output.
    public var gradientLayers: [(String, Parameter)] {
        var r: [(String, Parameter)] = [("conv1.weight", conv1.weight)]
        for (path, b) in blocks {
            r.append(("\(path).conv1.weight", b.conv1.weight))
            r.append(("\(path).conv2.weight", b.conv2.weight))
        }
        r.append(("fc.weight", fc.weight))
        return r
    }

    func makeStateDict() -> [StateEntry] {
        var e = convEntries("conv1", conv1) + bnEntries("bn1", bn1)
        for (path, b) in blocks { e += b.stateEntries(prefix: path + ".") }
        e.append(StateEntry(name: "fc.weight", value: .parameter(fc.weight)))
        e.append(StateEntry(name: "fc.bias", value: .parameter(fc.bias!)))
        return e
    }
}
