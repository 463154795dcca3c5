import Foundation
import TensorEngine

/// A classifier the lab trains: NHWC images in, logits out, torchvision-named state.
///
/// x: `[N, H, W, C]` -> logits `[N, K]`. `backward` takes dL/dlogits and
/// accumulates every parameter gradient into `store.grads` (zero them with
/// `store.zeroGrad()` first). `stateDict` lists parameters and buffers in
/// PyTorch's `state_dict()` order with PyTorch's names.
public protocol Model: AnyObject {
    /// All trainable parameters, contiguous, in `namedParameters` order.
    var store: ParameterStore { get }
    /// Image channels the model expects.
    var inChannels: Int { get }
    /// Number of output classes.
    var numClasses: Int { get }
    /// A short name such as "ResNet-18" or "PlainCNN-10".
    var name: String { get }
    /// logits = model(x); x NHWC `[N, H, W, C]`. The result is owned by the model and reused.
    func forward(_ x: Tensor, mode: Mode) -> Tensor
    /// Backpropagates dL/dlogits `[N, K]` through the last forward, accumulating gradients.
    func backward(_ dLogits: Tensor)
    /// State-dict entries in PyTorch order and names.
    var stateDict: [StateEntry] { get }
    /// Conv and Linear weights from input to output, for the per-layer gradient chart.
    var gradientLayers: [(String, Parameter)] { get }
    /// Layer-by-layer rows like a model summary table, for an input `[C, H, W]`.
    func summary(input: [Int]) -> [SummaryRow]
    /// A readable architecture tree for an input `[C, H, W]`.
    func architecture(input: [Int]) -> String
}

/// A model-level error a user can trigger (wrong input shape, unknown block path).
public enum ModelError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case badInputRank([Int])
    case wrongChannels(expected: Int, got: Int, model: String)
    case emptyInput([Int])
    case unknownBlock(String, known: [String])
    case singleValueBatchNorm(batch: Int)

    public var description: String {
        switch self {
        case .badInputRank(let s):
            return "input must be a batch of images [N, H, W, C], got shape \(s)"
        case .wrongChannels(let e, let g, let m):
            return "\(m) expects \(e)-channel images but the input has \(g) channel\(g == 1 ? "" : "s"); rebuild the model with \(g) input channel\(g == 1 ? "" : "s")"
        case .emptyInput(let s):
            return "input has an empty dimension: \(s)"
        case .unknownBlock(let p, let known):
            return "no block named '\(p)'; blocks are \(known.joined(separator: ", "))"
        case .singleValueBatchNorm(let n):
            return "a training batch of \(n) image\(n == 1 ? "" : "s") leaves one value per channel in the last BatchNorm; train with at least 2 images per batch"
        }
    }

    public var errorDescription: String? { description }
}

extension Model {
    /// Trainable parameters with their PyTorch names, in `state_dict` order.
    public var namedParameters: [(String, Parameter)] {
        stateDict.compactMap { e in
            if case .parameter(let p) = e.value { return (e.name, p) }
            return nil
        }
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { store.count }

    /// Throws a clear `ModelError` unless `shape` is NHWC `[N, H, W, inChannels]` with no empty dimension.
    public func checkInput(shape: [Int]) throws {
        guard shape.count == 4 else { throw ModelError.badInputRank(shape) }
        guard shape.allSatisfy({ $0 > 0 }) else { throw ModelError.emptyInput(shape) }
        guard shape[3] == inChannels else {
            throw ModelError.wrongChannels(expected: inChannels, got: shape[3], model: name)
        }
    }

    /// Mean |grad| of every `gradientLayers` entry, input to output.
    public var gradientMeans: [(String, Double)] {
        gradientLayers.map { ($0.0, Self.meanAbsGrad($0.1)) }
    }

    /// Mean absolute gradient of one parameter.
    public static func meanAbsGrad(_ p: Parameter) -> Double { Kernels.meanAbs(p.grad.data, count: p.count) }
}

/// Mean absolute gradient of one parameter.
public func meanAbsGradient(_ p: Parameter) -> Double { Kernels.meanAbs(p.grad.data, count: p.count) }

/// One row of a model summary: a module, its output shape as PyTorch reports it, its parameters.
public struct SummaryRow: Equatable, Sendable {
    /// Dotted module path (`layer1.0.conv1`).
    public let name: String
    /// Module kind (`Conv2d`, `BatchNorm2d`, `BasicBlock`, ...).
    public let kind: String
    /// Output shape NCHW with batch 1 (`[1, 64, 8, 8]`), or `[1, F]` for flat features.
    public let outputShape: [Int]
    /// Trainable parameters of this module (a container counts all of its children).
    public let parameters: Int
    /// Nesting depth (0 = top level).
    public let depth: Int
    /// True for containers (BasicBlock) whose children follow as their own rows.
    public let isContainer: Bool

    public init(name: String, kind: String, outputShape: [Int], parameters: Int, depth: Int, isContainer: Bool = false) {
        self.name = name; self.kind = kind; self.outputShape = outputShape
        self.parameters = parameters; self.depth = depth; self.isContainer = isContainer
    }
}
