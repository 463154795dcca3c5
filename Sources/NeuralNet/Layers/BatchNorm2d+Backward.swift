import TensorEngine

extension BatchNorm2d {
    /// dL/dx for the last forward; accumulates dL/dgamma and dL/dbeta.
    ///
    /// dy: `[N, H, W, C]`. With ReLU fused, g = dy masked by y > 0, else g = dy;
    /// g is also dL/d(residual) (`residualGrad`) when a residual was added.
    /// Train mode: dx = gamma * invStd * (g - mean(g) - xhat * mean(g * xhat));
    /// eval mode: dx = gamma * invStd * g.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input, let y = output else { preconditionFailure("BatchNorm2d.backward before forward") }
        precondition(dy.count == y.count, "BatchNorm2d.backward: dy \(dy.shape) vs \(y.shape)")
        let c = channels, rows = x.count / c
        var g = dy
        if fuseReLU {
            let r = Tensor.reuse(residualGrad, shape: y.shape)
            residualGrad = r
            Kernels.reluBackward(dy.data, output: y.data, into: r.data, count: y.count)
            g = r
        } else if usedResidual {
            let r = Tensor.reuse(residualGrad, shape: y.shape)
            residualGrad = r
            r.copy(from: dy)
            g = r
        }
        let sums = reductions.sums
        BatchNormKernels.gradientSums(g.data, x.data, rows: rows, channels: c, mean: mean.data, invStd: invStd.data,
                                      scratch: reductions, sumG: sums, sumGXhat: sums + c)
        let gw = weight.grad.data, gb = bias.grad.data
        for j in 0..<c {
            gw[j] += Float(sums[c + j])
            gb[j] += Float(sums[j])
        }
        let d = Tensor.reuse(dx, shape: x.shape)
        dx = d
        // dx = a*g + b*xhat + k with per-channel a, b, k; xhat = (x - mean) * invStd
        let a = scratch.data, b = scratch.data + c, k = scratch.data + 2 * c, mu = scratch.data + 3 * c
        for j in 0..<c {
            let gs = weight.value.data[j] * invStd.data[j]
            a[j] = gs
            if lastMode == .train {
                b[j] = -gs * Float(sums[c + j] / Double(rows)) * invStd.data[j]
                k[j] = -gs * Float(sums[j] / Double(rows))
            } else {
                b[j] = 0; k[j] = 0
            }
            mu[j] = mean.data[j]
        }
        // b multiplies (x - mean) directly (invStd folded in above).
        BatchNormKernels.inputGradient(g.data, x.data, rows: rows, channels: c, a: a, b: b, k: k, mean: mu, into: d.data)
        return d
    }
}
