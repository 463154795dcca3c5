import Foundation

/// dL/dW of a 3x3 stride-1 pad-1 convolution in the Winograd F(2x2, 3x3) domain.
///
/// x `[N, H, W, Ci]`, dy `[N, H, W, Co]` -> dw `[Co, 3, 3, Ci]` (accumulated).
/// Per tile: V = B^T d B (as forward), Z = A dY A^T from the tile's 2x2 output
/// gradients; dU[xi] `[Co, Ci]` = sum over tiles of Z[xi]^T V[xi] (16 GEMMs with
/// the tiles as K), and dW = G^T dU G per channel pair. 16 multiplies per tile
/// instead of 36.
extension Winograd {
    /// Tiles per chunk for `weightGrad`: the GEMMs' K, so larger than the forward's chunks.
    nonisolated(unsafe) public static var weightGradChunkTiles = 1024

    /// Samples per chunk for `weightGrad`.
    public static func weightGradChunkSize(batch: Int, height h: Int, width w: Int) -> Int {
        samplesPerChunk(batch: batch, tilesPerSample: tiles(height: h, width: w, tile: 2), budget: weightGradChunkTiles)
    }

    /// Scratch floats `weightGrad` needs for a batch in chunks of `chunk` samples.
    public static func weightGradScratchFloats(batch: Int, chunk: Int, height h: Int, width w: Int, inChannels ci: Int,
                                               outChannels co: Int) -> Int {
        gradientScratchFloats(planes: 16, batch: batch, chunk: chunk, tilesPerSample: tiles(height: h, width: w, tile: 2),
                              inChannels: ci, outChannels: co)
    }

    /// dw `[Co, 3, 3, Ci]` += dL/dW for input x and output gradient dy (both NHWC).
    public static func weightGrad(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, batch: Int, height h: Int,
                                  width w: Int, inChannels ci: Int, outChannels co: Int,
                                  accumulateInto dw: UnsafeMutablePointer<Float>,
                                  scratch: UnsafeMutablePointer<Float>, chunk: Int) {
        let perSample = tiles(height: h, width: w, tile: 2)
        let plane = co * ci
        let sums = accumulateGradient(planes: 16, tilesPerSample: perSample, batch: batch, chunk: chunk, inChannels: ci,
                                      outChannels: co, scratch: scratch) { n0, nb, v, z, serial in
            inputTransform(x + n0 * h * w * ci, samples: nb, height: h, width: w, channels: ci, into: v, serial: serial)
            outputGradTransform(dy + n0 * h * w * co, samples: nb, height: h, width: w, channels: co, into: z, serial: serial)
        }
        // dW += G^T (sum of the partitions' dU) G, per channel pair.
        Parallel.chunks(co, work: plane * 16 * sums.count) { r in
            for o in r {
                for i in 0..<ci {
                    var u = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                             Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
                    withUnsafeMutableBytes(of: &u) { raw in
                        let up = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                        for xi in 0..<16 { up[xi] = sums.sum(at: xi * plane + o * ci + i) }
                        // Rows: t[ky][b] = sum_a G[a][ky] u[a][b] with G^T rows (1, .5, .5, 0), (0, .5, -.5, 0), (0, .5, .5, 1).
                        let d = dw + o * 9 * ci + i
                        for kyRow in 0..<3 {
                            var t = (Float(0), Float(0), Float(0), Float(0))
                            withUnsafeMutableBytes(of: &t) { traw in
                                let tp = traw.baseAddress!.assumingMemoryBound(to: Float.self)
                                for b in 0..<4 {
                                    let u0 = up[b], u1 = up[4 + b], u2 = up[8 + b], u3 = up[12 + b]
                                    switch kyRow {
                                    case 0: tp[b] = u0 + 0.5 * (u1 + u2)
                                    case 1: tp[b] = 0.5 * (u1 - u2)
                                    default: tp[b] = 0.5 * (u1 + u2) + u3
                                    }
                                }
                                d[(kyRow * 3 + 0) * ci] += tp[0] + 0.5 * (tp[1] + tp[2])
                                d[(kyRow * 3 + 1) * ci] += 0.5 * (tp[1] - tp[2])
                                d[(kyRow * 3 + 2) * ci] += 0.5 * (tp[1] + tp[2]) + tp[3]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Partial dU sums of a weight gradient: the chunks of a batch are cut into this many runs (fewer when
    /// there are fewer chunks) whatever the thread count, each run summed in order into its own dU,
    /// then the runs added in order. So dL/dW is the same bit for bit on any number of threads and
    /// in every run (threads only decide which run is computed where).
    public static let gradientPartitions = 4

    /// Scratch floats `accumulateGradient` needs: V and Z of one chunk per thread slot, and a dU per partition.
    static func gradientScratchFloats(planes: Int, batch: Int, chunk: Int, tilesPerSample: Int, inChannels ci: Int,
                                      outChannels co: Int) -> Int {
        let partitions = Swift.min(gradientPartitions, (batch + chunk - 1) / chunk)
        let slots = Swift.max(1, Swift.min(Parallel.workers, partitions))
        return slots * planes * chunk * tilesPerSample * (ci + co) + partitions * planes * co * ci
    }

    /// The chunk driver shared by the F(2x2) and F(4x4) weight gradients: dU `[planes, Co, Ci]` per partition.
    ///
    /// Per chunk of samples `transforms(n0, nb, v, z, serial)` fills V `[planes, T, Ci]` from x and
    /// Z `[planes, T, Co]` from dy; then dU[xi] += Z[xi]^T V[xi] (the tiles are the GEMMs' K). The
    /// chunks form `gradientPartitions` contiguous runs, each with its own dU: runs are shared out
    /// to threads when there are enough of them, else computed in turn with their GEMMs split by
    /// plane. `scratch` holds `gradientScratchFloats` floats; returns where the partitions' dU are.
    static func accumulateGradient(planes: Int, tilesPerSample: Int, batch: Int, chunk: Int, inChannels ci: Int,
                                   outChannels co: Int, scratch: UnsafeMutablePointer<Float>,
                                   transforms: (_ n0: Int, _ nb: Int, _ v: UnsafeMutablePointer<Float>,
                                                _ z: UnsafeMutablePointer<Float>, _ serial: Bool) -> Void) -> GradientSums {
        let chunks = (batch + chunk - 1) / chunk
        let partitions = Swift.min(gradientPartitions, chunks)
        let slots = Swift.max(1, Swift.min(Parallel.workers, partitions))
        let plane = co * ci
        let perSlot = planes * chunk * tilesPerSample * (ci + co)
        let sums = scratch + slots * perSlot
        func run(_ index: Int, slot: UnsafeMutablePointer<Float>, du: UnsafeMutablePointer<Float>, first: Bool, serial: Bool) {
            let n0 = index * chunk, nb = Swift.min(chunk, batch - n0)
            let tiles = nb * tilesPerSample
            let v = slot, z = slot + planes * chunk * tilesPerSample * ci
            transforms(n0, nb, v, z, serial)
            // The planes' GEMMs are independent: shared out by plane (one region), or one after another.
            let parts = serial ? 1 : Swift.min(Parallel.workers, planes)
            Parallel.run(parts) { part in
                for xi in stride(from: part, to: planes, by: parts) {
                    GEMM.sgemm(transA: true, m: co, n: ci, k: tiles, a: z + xi * tiles * co, lda: co,
                               b: v + xi * tiles * ci, ldb: ci, beta: first ? 0 : 1, c: du + xi * plane, ldc: ci)
                }
            }
        }
        func partition(_ p: Int, slot: Int, serial: Bool) {
            let lo = p * chunks / partitions, hi = (p + 1) * chunks / partitions
            for i in lo..<hi {
                run(i, slot: scratch + slot * perSlot, du: sums + p * planes * plane, first: i == lo, serial: serial)
            }
        }
        if slots <= 1 || partitions < 2 * slots {
            for p in 0..<partitions { partition(p, slot: 0, serial: false) }
        } else {
            Parallel.run(slots) { s in
                for p in stride(from: s, to: partitions, by: slots) { partition(p, slot: s, serial: true) }
            }
        }
        return GradientSums(first: sums, stride: planes * plane, count: partitions)
    }

    /// The per-partition dU `[planes, Co, Ci]` of `accumulateGradient`: `count` of them, `stride` floats apart.
    struct GradientSums {
        let first: UnsafeMutablePointer<Float>
        let stride: Int
        let count: Int

        /// Sum over the partitions (in order) of dU at float offset `offset` (plane offset included).
        @inline(__always) func sum(at offset: Int) -> Float {
            var s: Float = 0
            for k in 0..<count { s += first[k * stride + offset] }
            return s
        }

        /// The same for eight consecutive floats.
        @inline(__always) func sum8(at offset: Int) -> SIMD8<Float> {
            var s = SIMD8<Float>.zero
            for k in 0..<count { s += Winograd.ld(first + k * stride + offset) }
            return s
        }
    }

    /// Z `[16, T, C]` = A dY A^T per tile from dy `[n, h, w, C]` (outputs past the map read as zero).
    static func outputGradTransform(_ dy: UnsafePointer<Float>, samples n: Int, height h: Int, width w: Int, channels c: Int,
                                    into z: UnsafeMutablePointer<Float>, serial: Bool) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, tiles = n * th * tw, xs = tiles * c
        Parallel.chunks(tiles, work: serial ? 0 : tiles * c * 20) { r in
            for t in r {
                let s = t / (th * tw), ty = (t / tw) % th, tx = t % tw
                let oy = 2 * ty, ox = 2 * tx
                let src = dy + ((s * h + oy) * w + ox) * c
                let row1 = oy + 1 < h, col1 = ox + 1 < w, wc = w * c
                let out = z + t * c
                if c < 8 {
                    for k in 0..<c {
                        gradTile1(src + k, rowStride: wc, channelStride: c, row1: row1, col1: col1, into: out + k, xiStride: xs)
                    }
                    continue
                }
                var k = 0
                while k < c {
                    let k0 = Swift.min(k, c - 8)
                    gradTile8(src + k0, rowStride: wc, channelStride: c, row1: row1, col1: col1, into: out + k0, xiStride: xs)
                    k += 8
                }
            }
        }
    }

    /// One tile of Z for eight channels: A = rows (1, 0), (1, 1), (1, -1), (0, -1), rows then columns.
    @inline(__always)
    static func gradTile8(_ src: UnsafePointer<Float>, rowStride wc: Int, channelStride c: Int, row1: Bool, col1: Bool,
                          into out: UnsafeMutablePointer<Float>, xiStride xs: Int) {
        let y00 = ld(src), y01 = col1 ? ld(src + c) : .zero
        let y10 = row1 ? ld(src + wc) : .zero, y11 = row1 && col1 ? ld(src + wc + c) : .zero
        let a0 = y00, a1 = y00 + y10, a2 = y00 - y10, a3 = -y10
        let b0 = y01, b1 = y01 + y11, b2 = y01 - y11, b3 = -y11
        st(a0, out); st(a0 + b0, out + xs); st(a0 - b0, out + 2 * xs); st(-b0, out + 3 * xs)
        st(a1, out + 4 * xs); st(a1 + b1, out + 5 * xs); st(a1 - b1, out + 6 * xs); st(-b1, out + 7 * xs)
        st(a2, out + 8 * xs); st(a2 + b2, out + 9 * xs); st(a2 - b2, out + 10 * xs); st(-b2, out + 11 * xs)
        st(a3, out + 12 * xs); st(a3 + b3, out + 13 * xs); st(a3 - b3, out + 14 * xs); st(-b3, out + 15 * xs)
    }

    /// The scalar version of `gradTile8` for one channel.
    @inline(__always)
    static func gradTile1(_ src: UnsafePointer<Float>, rowStride wc: Int, channelStride c: Int, row1: Bool, col1: Bool,
                          into out: UnsafeMutablePointer<Float>, xiStride xs: Int) {
        let y00 = src[0], y01: Float = col1 ? src[c] : 0
        let y10: Float = row1 ? src[wc] : 0, y11: Float = row1 && col1 ? src[wc + c] : 0
        let a0 = y00, a1 = y00 + y10, a2 = y00 - y10, a3 = -y10
        let b0 = y01, b1 = y01 + y11, b2 = y01 - y11, b3 = -y11
        out[0] = a0; out[xs] = a0 + b0; out[2 * xs] = a0 - b0; out[3 * xs] = -b0
        out[4 * xs] = a1; out[5 * xs] = a1 + b1; out[6 * xs] = a1 - b1; out[7 * xs] = -b1
        out[8 * xs] = a2; out[9 * xs] = a2 + b2; out[10 * xs] = a2 - b2; out[11 * xs] = -b2
        out[12 * xs] = a3; out[13 * xs] = a3 + b3; out[14 * xs] = a3 - b3; out[15 * xs] = -b3
    }
}
