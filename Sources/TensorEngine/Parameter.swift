/// How a parameter's engine layout maps to PyTorch's layout at the engine boundary.
public enum ParameterLayout: Equatable, Sendable {
    /// Same element order as PyTorch (biases, BN affine, Linear `[out, in]`).
    case same
    /// Conv weight stored `[O, KH, KW, I]` in the engine, `[O, I, KH, KW]` in PyTorch.
    case convOHWI
}

/// A trainable tensor with its gradient, both views into a `ParameterStore`'s contiguous blocks.
public final class Parameter {
    /// Values in engine layout.
    public let value: Tensor
    /// Gradient, same shape and layout as `value`; backward accumulates into it.
    public let grad: Tensor
    /// How `value` maps to PyTorch's layout.
    public let layout: ParameterLayout
    /// Offset of this parameter inside its store's blocks, in elements.
    public let offset: Int

    init(value: Tensor, grad: Tensor, layout: ParameterLayout, offset: Int) {
        self.value = value
        self.grad = grad
        self.layout = layout
        self.offset = offset
    }

    /// Number of scalar parameters.
    public var count: Int { value.count }

    /// Shape as PyTorch sees it (`[O, I, KH, KW]` for conv weights).
    public var torchShape: [Int] {
        switch layout {
        case .same: return value.shape
        case .convOHWI:
            let s = value.shape
            return [s[0], s[3], s[1], s[2]]
        }
    }
}

/// All of a model's parameters in one contiguous value block and one contiguous gradient block.
///
/// One block means an optimizer step is one fused loop over `values`/`grads`
/// and zero-grad is one memset. Layers ask the store for parameters while the
/// model is built (`store.make(shape:layout:)`), then `seal()` allocates the
/// blocks and turns every parameter into a view.
public final class ParameterStore {
    /// All parameter values, in creation order.
    public private(set) var values: Tensor
    /// All gradients, same order.
    public private(set) var grads: Tensor
    /// The parameters, in creation order.
    public private(set) var parameters: [Parameter] = []
    private var pending: [(shape: [Int], layout: ParameterLayout)] = []
    private var sealed = false

    public init() {
        values = Tensor(shape: [0])
        grads = Tensor(shape: [0])
    }

    /// Total number of scalar parameters.
    public var count: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Reserves a parameter; the returned index resolves to a `Parameter` after `seal()`.
    public func reserve(shape: [Int], layout: ParameterLayout = .same) -> Int {
        precondition(!sealed, "ParameterStore is sealed")
        pending.append((shape, layout))
        return pending.count - 1
    }

    /// Allocates the contiguous blocks and creates the parameter views (zero-filled).
    public func seal() {
        precondition(!sealed, "ParameterStore sealed twice")
        sealed = true
        let total = pending.reduce(0) { $0 + $1.shape.reduce(1, *) }
        values = Tensor(shape: [total])
        grads = Tensor(shape: [total])
        var offset = 0
        for p in pending {
            let n = p.shape.reduce(1, *)
            parameters.append(Parameter(
                value: Tensor(viewOf: values.data + offset, shape: p.shape, owner: values),
                grad: Tensor(viewOf: grads.data + offset, shape: p.shape, owner: grads),
                layout: p.layout, offset: offset))
            offset += n
        }
        pending = []
    }

    /// Sets every gradient to zero (one memset).
    public func zeroGrad() { grads.fill(0) }

    /// Non-nil, and new for each scope, while `withFrozenValues` runs: the values are promised not
    /// to change, so layers may keep weights derived from them (Winograd transforms, unrolled
    /// matrices) from one forward pass to the next. Nil otherwise: derived weights are rebuilt.
    public private(set) var frozenEpoch: Int?
    private var lastEpoch = 0

    /// Runs `body` (eval-mode forwards: evaluation, inference) with the values frozen.
    ///
    /// Changing a value inside is a programming error; optimizers check it. Nested calls share
    /// the outer scope.
    public func withFrozenValues<T>(_ body: () throws -> T) rethrows -> T {
        if frozenEpoch != nil { return try body() }
        lastEpoch += 1
        frozenEpoch = lastEpoch
        defer { frozenEpoch = nil }
        return try body()
    }
}
