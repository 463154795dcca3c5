import TensorEngine

/// y = max(x, 0) elementwise, any shape. (Conv2d and BatchNorm2d can fuse it instead.)
public final class ReLU: Layer {
    var output: Tensor?
    var dx: Tensor?

    public init() {}

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let y = Tensor.reuse(output, shape: x.shape)
        output = y
        Kernels.relu(x.data, into: y.data, count: x.count)
        return y
    }

    /// dx = dy where y > 0, else 0.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("ReLU.backward before forward") }
        let d = Tensor.reuse(dx, shape: y.shape)
        dx = d
        Kernels.reluBackward(dy.data, output: y.data, into: d.data, count: y.count)
        return d
    }
}

/// y = a + b (the residual add); backward hands dy to both inputs.
public final class ResidualAdd {
    var output: Tensor?

    public init() {}

    /// a, b, y: same shape.
    public func forward(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "ResidualAdd: \(a.shape) vs \(b.shape)")
        let y = Tensor.reuse(output, shape: a.shape)
        output = y
        Kernels.add(a.data, b.data, into: y.data, count: a.count)
        return y
    }

    /// (dL/da, dL/db) = (dy, dy).
    public func backward(_ dy: Tensor) -> (Tensor, Tensor) { (dy, dy) }
}
