/// Patch extraction for NHWC convolutions (im2col) and its adjoint (col2im).
///
/// x: `[N, H, W, C]`; cols: `[N*OH*OW, T*C]` where T is the number of active
/// taps of `g.taps` in ascending order, each tap contributing C contiguous
/// channels (matching weights stored `[O, KH, KW, I]`). Out-of-bounds taps
/// read zeros.
public enum Im2col {
    /// Fills `cols` with the patches of `x`. Parallel over the batch.
    public static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into cols: UnsafeMutablePointer<Float>) {
        if g.allTapsActive { return im2colRuns(x, g, into: cols) }
        let c = g.channels, k = g.activeK
        let taps = g.taps
        let sampleRows = g.outHeight * g.outWidth
        taps.withUnsafeBufferPointer { tp in
            Parallel.chunks(g.batch, work: g.rows * k) { range in
                for n in range {
                    let xs = x + n * g.height * g.width * c
                    for oy in 0..<g.outHeight {
                        for ox in 0..<g.outWidth {
                            var dst = cols + ((n * sampleRows) + oy * g.outWidth + ox) * k
                            for t in tp {
                                let iy = oy * g.stride - g.padding + t / g.kernelW
                                let ix = ox * g.stride - g.padding + t % g.kernelW
                                if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width {
                                    Kernels.copy(dst, xs + (iy * g.width + ix) * c, count: c)
                                } else {
                                    dst.update(repeating: 0, count: c)
                                }
                                dst += c
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx = col2im(dcols): sums every patch gradient back into its input position. Overwrites `dx`.
    public static func col2im(_ cols: UnsafePointer<Float>, _ g: ConvGeometry, into dx: UnsafeMutablePointer<Float>) {
        if g.allTapsActive { return col2imRuns(cols, g, into: dx) }
        let c = g.channels, k = g.activeK
        let taps = g.taps
        let sampleRows = g.outHeight * g.outWidth
        let sampleSize = g.height * g.width * c
        taps.withUnsafeBufferPointer { tp in
            Parallel.chunks(g.batch, work: g.rows * k) { range in
                for n in range {
                    let xs = dx + n * sampleSize
                    xs.update(repeating: 0, count: sampleSize)
                    for oy in 0..<g.outHeight {
                        for ox in 0..<g.outWidth {
                            var src = cols + ((n * sampleRows) + oy * g.outWidth + ox) * k
                            for t in tp {
                                let iy = oy * g.stride - g.padding + t / g.kernelW
                                let ix = ox * g.stride - g.padding + t % g.kernelW
                                if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width {
                                    Kernels.addInPlace(xs + (iy * g.width + ix) * c, src, count: c)
                                }
                                src += c
                            }
                        }
                    }
                }
            }
        }
    }

    /// Valid kernel columns `kx0..<kx1` for output column `ox`.
    @inline(__always)
    static func columnRun(_ g: ConvGeometry, _ ox: Int) -> (Int, Int) {
        let start = ox * g.stride - g.padding
        return (Swift.max(0, -start), Swift.min(g.kernelW, g.width - start))
    }

    /// im2col when every tap is active: per kernel row, one contiguous copy of the in-bounds taps.
    static func im2colRuns(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into cols: UnsafeMutablePointer<Float>) {
        let c = g.channels, k = g.fullK, rowLen = g.kernelW * c
        let sampleRows = g.outHeight * g.outWidth
        Parallel.chunks(g.batch, work: g.rows * k) { range in
            for n in range {
                let xs = x + n * g.height * g.width * c
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let (kx0, kx1) = columnRun(g, ox)
                        let ix0 = ox * g.stride - g.padding + kx0
                        var dst = cols + ((n * sampleRows) + oy * g.outWidth + ox) * k
                        for ky in 0..<g.kernelH {
                            let iy = oy * g.stride - g.padding + ky
                            if iy < 0 || iy >= g.height || kx1 <= kx0 {
                                dst.update(repeating: 0, count: rowLen)
                            } else {
                                if kx0 > 0 { dst.update(repeating: 0, count: kx0 * c) }
                                Kernels.copy(dst + kx0 * c, xs + (iy * g.width + ix0) * c, count: (kx1 - kx0) * c)
                                if kx1 < g.kernelW { (dst + kx1 * c).update(repeating: 0, count: (g.kernelW - kx1) * c) }
                            }
                            dst += rowLen
                        }
                    }
                }
            }
        }
    }

    /// col2im when every tap is active: per kernel row, one contiguous accumulate.
    static func col2imRuns(_ cols: UnsafePointer<Float>, _ g: ConvGeometry, into dx: UnsafeMutablePointer<Float>) {
        let c = g.channels, k = g.fullK, rowLen = g.kernelW * c
        let sampleRows = g.outHeight * g.outWidth
        let sampleSize = g.height * g.width * c
        Parallel.chunks(g.batch, work: g.rows * k) { range in
            for n in range {
                let xs = dx + n * sampleSize
                xs.update(repeating: 0, count: sampleSize)
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let (kx0, kx1) = columnRun(g, ox)
                        if kx1 <= kx0 { continue }
                        let ix0 = ox * g.stride - g.padding + kx0
                        var src = cols + ((n * sampleRows) + oy * g.outWidth + ox) * k
                        for ky in 0..<g.kernelH {
                            let iy = oy * g.stride - g.padding + ky
                            if iy >= 0 && iy < g.height {
                                Kernels.addInPlace(xs + (iy * g.width + ix0) * c, src + kx0 * c, count: (kx1 - kx0) * c)
                            }
                            src += rowLen
                        }
                    }
                }
            }
        }
    }

    /// Reference im2col over every tap (no tap dropping), by index arithmetic: `cols` is `[rows, KH*KW*C]`.
    public static func referenceIm2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into cols: UnsafeMutablePointer<Float>) {
        let k = g.fullK
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let r = (n * g.outHeight + oy) * g.outWidth + ox
                    for ky in 0..<g.kernelH {
                        for kx in 0..<g.kernelW {
                            for ch in 0..<g.channels {
                                let iy = oy * g.stride - g.padding + ky
                                let ix = ox * g.stride - g.padding + kx
                                let inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width
                                let v: Float = inside ? x[((n * g.height + iy) * g.width + ix) * g.channels + ch] : 0
                                cols[r * k + (ky * g.kernelW + kx) * g.channels + ch] = v
                            }
                        }
                    }
                }
            }
        }
    }

    /// Reference direct convolution: y[n,oy,ox,o] = sum w[o,ky,kx,i] * x[n,iy,ix,i] (+ bias[o]), in Double.
    public static func referenceConv(_ x: UnsafePointer<Float>, _ g: ConvGeometry, weight: UnsafePointer<Float>,
                                     bias: UnsafePointer<Float>?, outChannels: Int, into y: UnsafeMutablePointer<Float>) {
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    for o in 0..<outChannels {
                        var s = Double(bias?[o] ?? 0)
                        for ky in 0..<g.kernelH {
                            for kx in 0..<g.kernelW {
                                let iy = oy * g.stride - g.padding + ky
                                let ix = ox * g.stride - g.padding + kx
                                if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width { continue }
                                for i in 0..<g.channels {
                                    let wv = weight[((o * g.kernelH + ky) * g.kernelW + kx) * g.channels + i]
                                    s += Double(wv) * Double(x[((n * g.height + iy) * g.width + ix) * g.channels + i])
                                }
                            }
                        }
                        y[((n * g.outHeight + oy) * g.outWidth + ox) * outChannels + o] = Float(s)
                    }
                }
            }
        }
    }
}
