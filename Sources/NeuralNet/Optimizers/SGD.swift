import TensorEngine

/// Stochastic gradient descent with PyTorch's `torch.optim.SGD` update rule.
///
/// For every element, with g the gradient and p the parameter:
///
///     g  = g + weight_decay * p                  (only when weight_decay != 0)
///     if momentum != 0:
///         b = g                                  (first step: the buffer starts as a copy of g)
///         b = momentum * b + (1 - dampening) * g (later steps)
///         g = nesterov ? g + momentum * b : b
///     p -= lr * g
///
/// The momentum buffer (`momentum_buffer`) is flat, in the store's engine
/// order, and exists only after the first step with momentum.
public final class SGD: Optimizer {
    public let store: ParameterStore
    public var learningRate: Double
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool
    public var weightDecay: Double
    public private(set) var stepCount: Int64 = 0
    private var buffer: StateBlock?

    /// An SGD optimizer over every parameter of `store`. Nesterov needs momentum > 0 and dampening 0, as in PyTorch.
    public init(store: ParameterStore, learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                nesterov: Bool = false, weightDecay: Double = 0) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires a momentum and zero dampening")
        self.store = store
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func zeroGrad() { store.zeroGrad() }

    public func step() {
        precondition(store.frozenEpoch == nil, "optimizer step inside ParameterStore.withFrozenValues")
        stepCount += 1
        let lr = Float(learningRate), wd = Float(weightDecay), mu = Float(momentum), keep = Float(1 - dampening)
        let p = store.values.data, g = store.grads.data
        let count = store.values.count
        guard mu != 0 else {
            forEachChunk(count) { range in
                for i in range {
                    var grad = g[i]
                    if wd != 0 { grad += wd * p[i] }
                    p[i] += -lr * grad
                }
            }
            return
        }
        let first = buffer == nil
        if first { buffer = StateBlock(count: count) }
        let b = buffer!.data, nest = nesterov
        forEachChunk(count) { range in
            for i in range {
                var grad = g[i]
                if wd != 0 { grad += wd * p[i] }
                let bi = first ? grad : b[i] * mu + keep * grad
                b[i] = bi
                let update = nest ? grad + mu * bi : bi
                p[i] += -lr * update
            }
        }
    }

    public func exportState() -> OptimizerState {
        var buffers: [String: [Float]] = [:]
        if let buffer { buffers["momentum_buffer"] = buffer.toArray() }
        return OptimizerState(kind: "SGD", step: stepCount,
                              hyperparameters: ["lr": learningRate, "momentum": momentum, "dampening": dampening,
                                                "nesterov": nesterov ? 1 : 0, "weight_decay": weightDecay],
                              buffers: buffers)
    }

    public func importState(_ state: OptimizerState, source: String = "optimizer state") throws {
        let hasBuffer = state.buffers["momentum_buffer"] != nil
        try state.validate(kind: "SGD", buffers: hasBuffer ? ["momentum_buffer"] : [], count: store.values.count, source: source)
        if let values = state.buffers["momentum_buffer"] {
            let block = StateBlock(count: store.values.count)
            block.load(values)
            buffer = block
        } else {
            buffer = nil
        }
        stepCount = state.step
        let h = state.hyperparameters
        learningRate = h["lr"] ?? learningRate
        momentum = h["momentum"] ?? momentum
        dampening = h["dampening"] ?? dampening
        nesterov = (h["nesterov"] ?? (nesterov ? 1 : 0)) != 0
        weightDecay = h["weight_decay"] ?? weightDecay
    }
}
