import TensorEngine

/// Whether a forward pass trains (batch statistics, caches for backward) or evaluates.
public enum Mode: Sendable {
    case train
    case eval
}

/// A differentiable layer that keeps its own output and gradient buffers.
///
/// `forward` returns a tensor owned by the layer and reused on the next call,
/// so a training step allocates nothing once shapes are stable. `backward`
/// must follow the `forward` it differentiates; it accumulates into the
/// parameters' `grad` views and returns dL/dx, also owned by the layer.
/// Activations are NHWC `[N, H, W, C]`; flat features `[N, F]`.
public protocol Layer: AnyObject {
    /// y = layer(x). x: NHWC `[N, H, W, C]` or `[N, F]`.
    func forward(_ x: Tensor, mode: Mode) -> Tensor
    /// dL/dx for the last forward, given dL/dy; accumulates parameter gradients.
    func backward(_ dy: Tensor) -> Tensor
}
