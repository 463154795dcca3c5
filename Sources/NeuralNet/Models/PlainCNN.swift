import TensorEngine

/// The deep plain CNN of LAB.md §10: `depth` 3x3 convs (padding 1, bias) each followed by ReLU,
/// no normalization, no shortcuts; adaptive average pool, flatten, fc width -> classes.
///
/// x: `[N, H, W, inChannels]` -> logits `[N, numClasses]`. PyTorch default
/// Conv2d/Linear init. Names follow an `nn.Sequential` named `features`
/// (conv i at index 2i, its ReLU at 2i+1) and a Linear named `fc`:
/// `features.0.weight`, `features.0.bias`, `features.2.weight`, ...,
/// `fc.weight`, `fc.bias`. Depth 10, width 64: 334,794 parameters.
public final class PlainCNN: Model {
    public let store = ParameterStore()
    public let inChannels: Int, numClasses: Int, depth: Int, width: Int
    public var name: String { "PlainCNN-\(depth)" }
    /// The convolutions, ReLU fused.
    public let convs: [Conv2d]
    public let avgpool = AdaptiveAvgPool2d()
    public let flatten = Flatten()
    public let fc: Linear
    /// Scratch shared by the convolutions.
    public let workspace = Workspace()
    /// The two dL/dx buffers the chain of convolutions takes turns writing (a straight chain:
    /// each gradient is read once, by the layer below), instead of two per layer.
    public let relay = GradientRelay()
    public private(set) lazy var stateDict: [StateEntry] = makeStateDict()

    public init(inChannels: Int = 3, numClasses: Int = 10, depth: Int = 10, width: Int = 64, seed: UInt64) {
        precondition(inChannels > 0 && numClasses > 0 && depth > 0 && width > 0, "PlainCNN: sizes must be positive")
        self.inChannels = inChannels; self.numClasses = numClasses; self.depth = depth; self.width = width
        let store = self.store, workspace = self.workspace
        convs = (0..<depth).map { i in
            Conv2d(store: store, inChannels: i == 0 ? inChannels : width, outChannels: width, kernelSize: 3,
                   stride: 1, padding: 1, bias: true, fuseReLU: true, workspace: workspace)
        }
        convs[0].needsInputGrad = false
        for c in convs { c.gradientRelay = relay }
        fc = Linear(store: store, inFeatures: width, outFeatures: numClasses)
        store.seal()
        var rng = SeededRandom(seed: seed)
        for c in convs { Initializers.pytorchDefault(weight: c.weight, bias: c.bias, rng: &rng) }
        Initializers.pytorchDefault(weight: fc.weight, bias: fc.bias, rng: &rng)
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        var h = x
        for c in convs { h = c.forward(h, mode: mode) }
        return fc.forward(flatten.forward(avgpool.forward(h, mode: mode), mode: mode), mode: mode)
    }

    public func backward(_ dLogits: Tensor) {
        var d = avgpool.backward(flatten.backward(fc.backward(dLogits)))
        relay.restart()
        for c in convs.reversed() { d = c.backward(d) }
    }

    public var gradientLayers: [(String, Parameter)] {
        convs.enumerated().map { ("features.\(2 * $0).weight", $1.weight) } + [("fc.weight", fc.weight)]
    }

    func makeStateDict() -> [StateEntry] {
        convs.enumerated().flatMap { convEntries("features.\(2 * $0)", $1) }
            + [StateEntry(name: "fc.weight", value: .parameter(fc.weight)),
               StateEntry(name: "fc.bias", value: .parameter(fc.bias!))]
    }

    public func summary(input: [Int]) -> [SummaryRow] {
        precondition(input.count == 3, "summary input is [C, H, W]")
        var rows: [SummaryRow] = []
        let (h, w) = (input[1], input[2])
        for (i, c) in convs.enumerated() {
            rows.append(SummaryRow(name: "features.\(2 * i)", kind: "Conv2d", outputShape: [1, width, h, w], parameters: c.parameterCount, depth: 0))
            rows.append(SummaryRow(name: "features.\(2 * i + 1)", kind: "ReLU", outputShape: [1, width, h, w], parameters: 0, depth: 0))
        }
        rows.append(SummaryRow(name: "avgpool", kind: "AdaptiveAvgPool2d", outputShape: [1, width, 1, 1], parameters: 0, depth: 0))
        rows.append(SummaryRow(name: "flatten", kind: "Flatten", outputShape: [1, width], parameters: 0, depth: 0))
        rows.append(SummaryRow(name: "fc", kind: "Linear", outputShape: [1, numClasses], parameters: fc.parameterCount, depth: 0))
        return rows
    }

    public func architecture(input: [Int]) -> String {
        let dims = input.map(String.init).joined(separator: "x")
        var t = "Plain CNN, \(depth) conv layers, no BatchNorm, no shortcuts; input \(dims), \(numClasses) classes\n"
        for i in 0..<depth {
            let cin = i == 0 ? inChannels : width
            t += "  features.\(2 * i)  conv 3x3, \(cin)->\(width), padding 1, bias -> ReLU   -> \(width)x\(input[1])x\(input[2])\n"
        }
        t += "  avgpool      adaptive average pool to 1x1          -> \(width)x1x1\n"
        t += "  fc           fully connected \(width) -> \(numClasses)"
        return t
    }
}
