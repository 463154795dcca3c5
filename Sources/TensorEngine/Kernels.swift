/// Elementwise and reduction loops on raw float buffers, with plain references beside the fast ones.
///
/// The fast versions work on `SIMD8<Float>` lanes with a scalar tail and split
/// large loops over `Parallel.workers`; the `reference...` versions are the
/// obvious scalar loops the tests compare them against.
public enum Kernels {
    public typealias Ptr = UnsafeMutablePointer<Float>
    public typealias CPtr = UnsafePointer<Float>

    @inline(__always) static func load8(_ p: CPtr) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: Ptr) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// dst[i] = src[i] for i < count, inline (no memmove call: the copies here are a few hundred bytes).
    @inline(__always)
    public static func copy(_ dst: Ptr, _ src: CPtr, count: Int) {
        var i = 0
        while i + 16 <= count {
            store8(load8(src + i), dst + i)
            store8(load8(src + i + 8), dst + i + 8)
            i += 16
        }
        while i + 8 <= count { store8(load8(src + i), dst + i); i += 8 }
        while i < count { dst[i] = src[i]; i += 1 }
    }

    /// dst[i] += src[i] for i < count.
    @inline(__always)
    public static func addInPlace(_ dst: Ptr, _ src: CPtr, count: Int) {
        var i = 0
        while i + 8 <= count {
            store8(load8(dst + i) + load8(src + i), dst + i)
            i += 8
        }
        while i < count { dst[i] += src[i]; i += 1 }
    }

    /// out[i] = a[i] + b[i] (out may alias a or b). Parallel for large counts.
    public static func add(_ a: CPtr, _ b: CPtr, into out: Ptr, count: Int) {
        Parallel.chunks((count + 4095) / 4096, work: count) { r in
            let lo = r.lowerBound * 4096, hi = Swift.min(count, r.upperBound * 4096)
            var i = lo
            while i + 8 <= hi {
                store8(load8(a + i) + load8(b + i), out + i)
                i += 8
            }
            while i < hi { out[i] = a[i] + b[i]; i += 1 }
        }
    }

    /// out[i] = max(x[i], 0) (out may alias x).
    public static func relu(_ x: CPtr, into out: Ptr, count: Int) {
        Parallel.chunks((count + 4095) / 4096, work: count) { r in
            let lo = r.lowerBound * 4096, hi = Swift.min(count, r.upperBound * 4096)
            let zero = SIMD8<Float>(repeating: 0)
            var i = lo
            while i + 8 <= hi {
                let v = load8(x + i)
                store8(v.replacing(with: zero, where: v .< zero), out + i)
                i += 8
            }
            while i < hi { out[i] = Swift.max(x[i], 0); i += 1 }
        }
    }

    /// dx[i] = y[i] > 0 ? dy[i] : 0, the ReLU adjoint given its output y (dx may alias dy).
    public static func reluBackward(_ dy: CPtr, output y: CPtr, into dx: Ptr, count: Int) {
        Parallel.chunks((count + 4095) / 4096, work: count) { r in
            let lo = r.lowerBound * 4096, hi = Swift.min(count, r.upperBound * 4096)
            let zero = SIMD8<Float>(repeating: 0)
            var i = lo
            while i + 8 <= hi {
                let v = load8(dy + i)
                store8(v.replacing(with: zero, where: load8(y + i) .<= zero), dx + i)
                i += 8
            }
            while i < hi { dx[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
        }
    }

    /// In place on y `[rows, cols]`: y += bias (broadcast over rows, when given), then ReLU when `relu`.
    public static func addBiasReLU(_ y: Ptr, rows: Int, cols: Int, bias: CPtr?, relu: Bool) {
        if bias == nil && !relu { return }
        Parallel.chunks(rows, work: rows * cols) { r in
            for row in r {
                let p = y + row * cols
                if let bias {
                    if relu {
                        for j in 0..<cols { p[j] = Swift.max(p[j] + bias[j], 0) }
                    } else {
                        for j in 0..<cols { p[j] += bias[j] }
                    }
                } else {
                    for j in 0..<cols { p[j] = Swift.max(p[j], 0) }
                }
            }
        }
    }

    /// out[j] += sum over rows of x[row, j]; x is `[rows, cols]`. Partial sums in Float per block of
    /// 64 rows, totals in Double.
    public static func columnSums(_ x: CPtr, rows: Int, cols: Int, accumulateInto out: Ptr) {
        let total = UnsafeMutablePointer<Double>.allocate(capacity: cols)
        total.initialize(repeating: 0, count: cols)
        let part = Ptr.allocate(capacity: cols)
        defer { total.deallocate(); part.deallocate() }
        var row = 0
        while row < rows {
            let end = Swift.min(rows, row + 64)
            part.update(repeating: 0, count: cols)
            for r in row..<end { addInPlace(part, x + r * cols, count: cols) }
            for j in 0..<cols { total[j] += Double(part[j]) }
            row = end
        }
        for j in 0..<cols { out[j] += Float(total[j]) }
    }

    /// Mean of |x[i]|, accumulated in Double.
    public static func meanAbs(_ x: CPtr, count: Int) -> Double {
        if count == 0 { return 0 }
        var s = 0.0
        var i = 0
        while i < count {
            let end = Swift.min(count, i + 1024)
            var f: Float = 0
            for j in i..<end { f += Swift.abs(x[j]) }
            s += Double(f)
            i = end
        }
        return s / Double(count)
    }

    /// Index of the largest element of each row of x `[rows, cols]` (first one on ties).
    public static func argmaxRows(_ x: CPtr, rows: Int, cols: Int) -> [Int] {
        (0..<rows).map { r in
            var best = 0
            let p = x + r * cols
            for j in 1..<Swift.max(cols, 1) where p[j] > p[best] { best = j }
            return best
        }
    }

    // MARK: references

    /// Reference for `addBiasReLU`.
    public static func referenceAddBiasReLU(_ y: Ptr, rows: Int, cols: Int, bias: CPtr?, relu: Bool) {
        for r in 0..<rows {
            for j in 0..<cols {
                var v = y[r * cols + j] + (bias?[j] ?? 0)
                if relu && v < 0 { v = 0 }
                y[r * cols + j] = v
            }
        }
    }

    /// Reference for `columnSums`, in Double.
    public static func referenceColumnSums(_ x: CPtr, rows: Int, cols: Int, accumulateInto out: Ptr) {
        for j in 0..<cols {
            var s = 0.0
            for r in 0..<rows { s += Double(x[r * cols + j]) }
            out[j] += Float(s)
        }
    }
}
