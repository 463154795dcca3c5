import TensorEngine

/// Adaptive average pooling to 1x1: the mean over every spatial position.
///
/// x: `[N, H, W, C]` -> y: `[N, 1, 1, C]`.
public final class AdaptiveAvgPool2d: Layer {
    var output: Tensor?
    var dx: Tensor?
    var inputShape: [Int] = []

    public init() {}

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        precondition(x.shape.count == 4, "AdaptiveAvgPool2d expects [N, H, W, C], got \(x.shape)")
        inputShape = x.shape
        let (n, hw, c) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        let y = Tensor.reuse(output, shape: [n, 1, 1, c])
        output = y
        let inv = 1 / Float(hw)
        for b in 0..<n {
            let yr = y.data + b * c
            yr.update(repeating: 0, count: c)
            for p in 0..<hw { Kernels.addInPlace(yr, x.data + (b * hw + p) * c, count: c) }
            for j in 0..<c { yr[j] *= inv }
        }
        return y
    }

    /// dx[n, h, w, c] = dy[n, c] / (H * W).
    public func backward(_ dy: Tensor) -> Tensor {
        let (n, hw, c) = (inputShape[0], inputShape[1] * inputShape[2], inputShape[3])
        let d = Tensor.reuse(dx, shape: inputShape)
        dx = d
        let inv = 1 / Float(hw)
        for b in 0..<n {
            for p in 0..<hw {
                let dr = d.data + (b * hw + p) * c, gr = dy.data + b * c
                for j in 0..<c { dr[j] = gr[j] * inv }
            }
        }
        return d
    }
}

/// Flattens `[N, H, W, C]` to `[N, C*H*W]` in PyTorch's (C, H, W) order, so a following Linear
/// has PyTorch's weight layout; `[N, F]` passes through.
public final class Flatten: Layer {
    var output: Tensor?
    var dx: Tensor?
    var inputShape: [Int] = []

    public init() {}

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        inputShape = x.shape
        let n = x.shape[0]
        let y = Tensor.reuse(output, shape: [n, x.count / Swift.max(n, 1)])
        output = y
        if x.shape.count == 4 && (x.shape[1] > 1 || x.shape[2] > 1) {
            Layout.nhwcToNchw(x.data, y.data, n: n, h: x.shape[1], w: x.shape[2], c: x.shape[3])
        } else {
            y.data.update(from: x.data, count: x.count)
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = Tensor.reuse(dx, shape: inputShape)
        dx = d
        let s = inputShape
        if s.count == 4 && (s[1] > 1 || s[2] > 1) {
            Layout.nchwToNhwc(dy.data, d.data, n: s[0], c: s[3], h: s[1], w: s[2])
        } else {
            d.data.update(from: dy.data, count: d.count)
        }
        return d
    }
}
