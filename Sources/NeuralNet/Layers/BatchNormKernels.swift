import TensorEngine

/// The per-channel loops of batch normalization on `[rows, C]` buffers (NHWC flattened).
///
/// Rows are split over `Parallel.workers`; each worker keeps Float partial
/// sums per block of 64 rows and Double totals, then the totals are combined.
enum BatchNormKernels {
    typealias Ptr = UnsafeMutablePointer<Float>

    /// into[c] = sum over rows of (x[r, c] - shift[c]) ^ (shift == nil ? 1 : 2).
    static func channelSums(_ x: Ptr, rows: Int, channels c: Int, shift: Ptr?, into: UnsafeMutablePointer<Double>) {
        let parts = Swift.max(1, Swift.min(Parallel.workers, rows / 64))
        let totals = UnsafeMutablePointer<Double>.allocate(capacity: parts * c)
        totals.initialize(repeating: 0, count: parts * c)
        defer { totals.deallocate() }
        let step = (rows + parts - 1) / parts
        Parallel.chunks(parts, work: rows * c) { range in
            let part = Ptr.allocate(capacity: c)
            defer { part.deallocate() }
            for p in range {
                let tot = totals + p * c
                var r = p * step
                let end = Swift.min(rows, r + step)
                while r < end {
                    let blockEnd = Swift.min(end, r + 64)
                    part.update(repeating: 0, count: c)
                    if let shift {
                        for rr in r..<blockEnd {
                            let row = x + rr * c
                            for j in 0..<c { let d = row[j] - shift[j]; part[j] += d * d }
                        }
                    } else {
                        for rr in r..<blockEnd { Kernels.addInPlace(part, x + rr * c, count: c) }
                    }
                    for j in 0..<c { tot[j] += Double(part[j]) }
                    r = blockEnd
                }
            }
        }
        for j in 0..<c {
            var s = 0.0
            for p in 0..<parts { s += totals[p * c + j] }
            into[j] = s
        }
    }

    /// y = [relu](x * scale + shift [+ residual]) per channel.
    static func affine(_ x: Ptr, rows: Int, channels c: Int, scale: Ptr, shift: Ptr, residual: Ptr?, relu: Bool, into y: Ptr) {
        Parallel.chunks(rows, work: rows * c) { range in
            for r in range {
                let xr = x + r * c, yr = y + r * c
                if let residual {
                    let rr = residual + r * c
                    if relu {
                        for j in 0..<c { yr[j] = Swift.max(xr[j] * scale[j] + shift[j] + rr[j], 0) }
                    } else {
                        for j in 0..<c { yr[j] = xr[j] * scale[j] + shift[j] + rr[j] }
                    }
                } else if relu {
                    for j in 0..<c { yr[j] = Swift.max(xr[j] * scale[j] + shift[j], 0) }
                } else {
                    for j in 0..<c { yr[j] = xr[j] * scale[j] + shift[j] }
                }
            }
        }
    }

    /// sumG[c] = sum g, sumGXhat[c] = sum g * (x - mean) * invStd.
    static func gradientSums(_ g: Ptr, _ x: Ptr, rows: Int, channels c: Int, mean: Ptr, invStd: Ptr,
                             sumG: UnsafeMutablePointer<Double>, sumGXhat: UnsafeMutablePointer<Double>) {
        let parts = Swift.max(1, Swift.min(Parallel.workers, rows / 64))
        let totals = UnsafeMutablePointer<Double>.allocate(capacity: parts * 2 * c)
        totals.initialize(repeating: 0, count: parts * 2 * c)
        defer { totals.deallocate() }
        let step = (rows + parts - 1) / parts
        Parallel.chunks(parts, work: rows * c) { range in
            let part = Ptr.allocate(capacity: 2 * c)
            defer { part.deallocate() }
            for p in range {
                let tot = totals + p * 2 * c
                var r = p * step
                let end = Swift.min(rows, r + step)
                while r < end {
                    let blockEnd = Swift.min(end, r + 64)
                    part.update(repeating: 0, count: 2 * c)
                    let pg = part, pgx = part + c
                    for rr in r..<blockEnd {
                        let gr = g + rr * c, xr = x + rr * c
                        for j in 0..<c {
                            let gv = gr[j]
                            pg[j] += gv
                            pgx[j] += gv * (xr[j] - mean[j])
                        }
                    }
                    for j in 0..<c {
                        tot[j] += Double(pg[j])
                        tot[c + j] += Double(pgx[j]) * Double(invStd[j])
                    }
                    r = blockEnd
                }
            }
        }
        for j in 0..<c {
            var s = 0.0, t = 0.0
            for p in 0..<parts { s += totals[p * 2 * c + j]; t += totals[p * 2 * c + c + j] }
            sumG[j] = s
            sumGXhat[j] = t
        }
    }

    /// dx = a * g + b * (x - mean) + k per channel.
    static func inputGradient(_ g: Ptr, _ x: Ptr, rows: Int, channels c: Int, a: Ptr, b: Ptr, k: Ptr, mean: Ptr, into dx: Ptr) {
        Parallel.chunks(rows, work: rows * c) { range in
            for r in range {
                let gr = g + r * c, xr = x + r * c, dr = dx + r * c
                for j in 0..<c { dr[j] = a[j] * gr[j] + b[j] * (xr[j] - mean[j]) + k[j] }
            }
        }
    }
}
