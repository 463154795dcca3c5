import TensorEngine

/// The per-channel loops of batch normalization on `[rows, C]` buffers (NHWC flattened).
///
/// Rows are cut into up to `maxParts` ranges (by the row count, not the thread count), shared
/// out to the threads; each range keeps Float partial sums per block of 64 rows and Double
/// totals, then the totals are combined in order. The
/// caller's `Scratch` holds those buffers, so a step allocates nothing.
enum BatchNormKernels {
    typealias Ptr = UnsafeMutablePointer<Float>
    static let maxParts = 8

    /// Per-layer scratch for the reductions: Double totals and Float partials for `maxParts` ranges.
    final class Scratch {
        let totals: UnsafeMutablePointer<Double>
        let partials: Ptr
        let sums: UnsafeMutablePointer<Double>
        init(channels c: Int) {
            totals = .allocate(capacity: maxParts * 2 * c)
            partials = .allocate(capacity: maxParts * 2 * c)
            sums = .allocate(capacity: 2 * c)
        }
        deinit { totals.deallocate(); partials.deallocate(); sums.deallocate() }
    }

    /// How many row ranges the sums are cut into: fixed by the row count alone, never by the thread
    /// count, so the statistics (and everything trained from them) are the same on any number of threads.
    static func parts(_ rows: Int) -> Int { Swift.max(1, Swift.min(maxParts, rows / 64)) }

    /// into[c] = sum over rows of (x[r, c] - shift[c]) ^ (shift == nil ? 1 : 2).
    static func channelSums(_ x: Ptr, rows: Int, channels c: Int, shift: Ptr?, scratch: Scratch,
                            into: UnsafeMutablePointer<Double>) {
        let parts = parts(rows)
        let totals = scratch.totals
        totals.update(repeating: 0, count: parts * c)
        let step = (rows + parts - 1) / parts
        Parallel.chunks(parts, work: rows * c) { range in
            for p in range {
                let part = scratch.partials + p * c
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
                             scratch: Scratch, sumG: UnsafeMutablePointer<Double>, sumGXhat: UnsafeMutablePointer<Double>) {
        let parts = parts(rows)
        let totals = scratch.totals
        totals.update(repeating: 0, count: parts * 2 * c)
        let step = (rows + parts - 1) / parts
        Parallel.chunks(parts, work: rows * c) { range in
            for p in range {
                let part = scratch.partials + p * 2 * c
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
