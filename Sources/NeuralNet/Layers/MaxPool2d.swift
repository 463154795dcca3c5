import TensorEngine

/// Max pooling over NHWC activations with -inf padding (PyTorch's MaxPool2d).
///
/// x: `[N, H, W, C]` -> y: `[N, OH, OW, C]`, OH = (H + 2p - k) / s + 1. The
/// position of every maximum (first one on ties) is kept for backward
/// (train mode; after an eval forward, backward recomputes it).
public final class MaxPool2d: Layer {
    public let kernelSize: Int, stride: Int, padding: Int
    var geometry: ConvGeometry?
    var output: Tensor?
    var argmax: UnsafeMutablePointer<Int32>?
    var argmaxCapacity = 0
    var dx: Tensor?
    var input: Tensor?
    var tracked = false

    public init(kernelSize: Int, stride: Int, padding: Int = 0) {
        precondition(kernelSize >= 1 && stride >= 1 && padding >= 0 && 2 * padding <= kernelSize,
                     "MaxPool2d: bad kernel \(kernelSize) stride \(stride) padding \(padding)")
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding
    }

    deinit { argmax?.deallocate() }

    /// Output spatial size for an input of `h` x `w`.
    public func outputSize(_ h: Int, _ w: Int) -> (Int, Int) {
        ((h + 2 * padding - kernelSize) / stride + 1, (w + 2 * padding - kernelSize) / stride + 1)
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        precondition(x.shape.count == 4, "MaxPool2d expects [N, H, W, C], got \(x.shape)")
        let g = ConvGeometry(batch: x.shape[0], height: x.shape[1], width: x.shape[2], channels: x.shape[3],
                             kernelH: kernelSize, kernelW: kernelSize, stride: stride, padding: padding)
        geometry = g
        let c = g.channels
        let y = Tensor.reuse(output, shape: [g.batch, g.outHeight, g.outWidth, c])
        output = y
        if y.count > argmaxCapacity {
            argmax?.deallocate()
            argmax = .allocate(capacity: y.count)
            argmaxCapacity = y.count
        }
        let idx = argmax!
        let xd = x.data, yd = y.data
        let track = mode == .train
        input = x
        tracked = track
        Parallel.chunks(g.batch, work: y.count * kernelSize * kernelSize) { range in
            for n in range {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let o = ((n * g.outHeight + oy) * g.outWidth + ox) * c
                        let yr = yd + o, ir = idx + o
                        var first = true
                        for ky in 0..<g.kernelH {
                            let iy = oy * g.stride - g.padding + ky
                            if iy < 0 || iy >= g.height { continue }
                            for kx in 0..<g.kernelW {
                                let ix = ox * g.stride - g.padding + kx
                                if ix < 0 || ix >= g.width { continue }
                                let base = ((n * g.height + iy) * g.width + ix) * c
                                let xr = xd + base
                                let b32 = Int32(base)
                                if first {
                                    yr.update(from: xr, count: c)
                                    if track { for j in 0..<c { ir[j] = b32 &+ Int32(j) } }
                                    first = false
                                } else if track {
                                    MaxPool2d.maxTracking(xr, yr, ir, base: b32, count: c)
                                } else {
                                    var j = 0
                                    while j + 8 <= c {
                                        let v = UnsafeRawPointer(xr + j).loadUnaligned(as: SIMD8<Float>.self)
                                        let w = UnsafeRawPointer(yr + j).loadUnaligned(as: SIMD8<Float>.self)
                                        UnsafeMutableRawPointer(yr + j).storeBytes(of: w.replacing(with: v, where: v .> w), as: SIMD8<Float>.self)
                                        j += 8
                                    }
                                    while j < c { yr[j] = Swift.max(yr[j], xr[j]); j += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// y = max(y, x) lane-wise, recording `base + j` where x wins (first maximum kept on ties).
    @inline(__always)
    static func maxTracking(_ xr: UnsafeMutablePointer<Float>, _ yr: UnsafeMutablePointer<Float>,
                            _ ir: UnsafeMutablePointer<Int32>, base: Int32, count c: Int) {
        var j = 0
        let iota = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        while j + 8 <= c {
            let v = UnsafeRawPointer(xr + j).loadUnaligned(as: SIMD8<Float>.self)
            let w = UnsafeRawPointer(yr + j).loadUnaligned(as: SIMD8<Float>.self)
            let i = UnsafeRawPointer(ir + j).loadUnaligned(as: SIMD8<Int32>.self)
            let better = v .> w
            UnsafeMutableRawPointer(yr + j).storeBytes(of: w.replacing(with: v, where: better), as: SIMD8<Float>.self)
            let cand = iota &+ SIMD8<Int32>(repeating: base &+ Int32(j))
            UnsafeMutableRawPointer(ir + j).storeBytes(of: i.replacing(with: cand, where: better), as: SIMD8<Int32>.self)
            j += 8
        }
        while j < c {
            if xr[j] > yr[j] { yr[j] = xr[j]; ir[j] = base &+ Int32(j) }
            j += 1
        }
    }

    /// Routes each dy to the input position that won the max. dx: `[N, H, W, C]`.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("MaxPool2d.backward before forward") }
        // An eval-mode forward skips the arg-max bookkeeping; redo it with tracking.
        if !tracked { _ = forward(x, mode: .train) }
        guard let g = geometry, let idx = argmax else { preconditionFailure("MaxPool2d.backward before forward") }
        let d = Tensor.reuse(dx, shape: [g.batch, g.height, g.width, g.channels])
        dx = d
        let per = g.outHeight * g.outWidth * g.channels
        let dd = d.data, dyd = dy.data
        Parallel.chunks(g.batch, work: d.count) { range in
            (dd + range.lowerBound * g.height * g.width * g.channels)
                .update(repeating: 0, count: range.count * g.height * g.width * g.channels)
            for i in (range.lowerBound * per)..<(range.upperBound * per) { dd[Int(idx[i])] += dyd[i] }
        }
        return d
    }
}
