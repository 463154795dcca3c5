import TensorEngine

/// Two dL/dx buffers that a straight chain of layers takes turns writing during backward.
///
/// In a chain without branches, layer i's dL/dx is read only by layer i-1's backward, so
/// two alternating buffers serve the whole chain instead of one per layer. A layer in a
/// relay may also overwrite its incoming dL/dy (the previous buffer, or a buffer its caller
/// no longer needs): `Conv2d` with `fuseReLU` masks it in place. Use it only where the
/// layers' backwards run strictly one after another down the chain (`PlainCNN`), never
/// where a gradient fans out to two branches (a residual block).
public final class GradientRelay {
    private var buffers: [Tensor?] = [nil, nil]
    private var turn = 0

    public init() {}

    /// The next buffer in turn, shaped `shape` (contents unspecified).
    public func next(shape: [Int]) -> Tensor {
        let t = Tensor.reuse(buffers[turn], shape: shape)
        buffers[turn] = t
        turn ^= 1
        return t
    }

    /// Starts a new backward pass with the first buffer.
    public func restart() { turn = 0 }

    /// Floats held by both buffers.
    public var capacity: Int { buffers.reduce(0) { $0 + ($1?.capacity ?? 0) } }
}
