import Foundation

/// dL/dW of a 3x3 stride-1 pad-1 convolution in the Winograd F(4x4, 3x3) domain.
///
/// x `[N, H, W, Ci]`, dy `[N, H, W, Co]` -> dw `[Co, 3, 3, Ci]` (accumulated).
/// Per tile: V = B^T d B (as forward, 6x6), Z = A dY A^T from the tile's 4x4
/// output gradients; dU[xi] `[Co, Ci]` = sum over tiles of Z[xi]^T V[xi] (36
/// GEMMs with the tiles as K, shared with F(2x2) through
/// `Winograd.accumulateGradient`), and dW = G^T dU G per channel pair, eight
/// input channels at a time. 36 multiplies per 16 outputs instead of 64.
extension Winograd4 {
    /// Tiles per chunk for `weightGrad` (the GEMMs' K).
    nonisolated(unsafe) public static var weightGradChunkTiles = 256

    /// Samples per chunk for `weightGrad`.
    public static func weightGradChunkSize(batch: Int, height h: Int, width w: Int) -> Int {
        Winograd.samplesPerChunk(batch: batch, tilesPerSample: Winograd.tiles(height: h, width: w, tile: 4),
                                 budget: weightGradChunkTiles)
    }

    /// Scratch floats `weightGrad` needs for a batch in chunks of `chunk` samples.
    public static func weightGradScratchFloats(batch: Int, chunk: Int, height h: Int, width w: Int, inChannels ci: Int,
                                               outChannels co: Int) -> Int {
        Winograd.gradientScratchFloats(planes: 36, batch: batch, chunk: chunk, tilesPerSample: Winograd.tiles(height: h, width: w, tile: 4),
                                       inChannels: ci, outChannels: co)
    }

    /// dw `[Co, 3, 3, Ci]` += dL/dW for input x and output gradient dy (both NHWC), Ci and Co at least 8.
    public static func weightGrad(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, batch: Int, height h: Int,
                                  width w: Int, inChannels ci: Int, outChannels co: Int,
                                  accumulateInto dw: UnsafeMutablePointer<Float>,
                                  scratch: UnsafeMutablePointer<Float>, chunk: Int) {
        precondition(supports(inChannels: ci, outChannels: co), "Winograd4 needs at least 8 channels each way")
        let perSample = Winograd.tiles(height: h, width: w, tile: 4)
        let plane = co * ci
        let sums = Winograd.accumulateGradient(planes: 36, tilesPerSample: perSample, batch: batch, chunk: chunk,
                                               inChannels: ci, outChannels: co, scratch: scratch) { n0, nb, v, z, serial in
            inputTransform(x + n0 * h * w * ci, samples: nb, height: h, width: w, channels: ci, into: v, serial: serial)
            outputGradTransform(dy + n0 * h * w * co, samples: nb, height: h, width: w, channels: co, into: z, serial: serial)
        }
        // dW += G^T (sum of the partitions' dU) G, per output channel and eight input channels.
        Parallel.chunks(co, work: plane * 36 * sums.count) { r in
            withUnsafeTemporaryAllocation(of: V8.self, capacity: 36 + 18) { buffer in
                let u = buffer.baseAddress!, t = u + 36
                for o in r {
                    var k = 0
                    while k < ci {
                        let k0 = Swift.min(k, ci - 8)
                        for xi in 0..<36 { u[xi] = sums.sum8(at: xi * plane + o * ci + k0) }
                        // T (3x6) = G^T down each column of dU, then dW (3x3) = T G along each row.
                        for j in 0..<6 {
                            let g = gtColumn(u[j], u[6 + j], u[12 + j], u[18 + j], u[24 + j], u[30 + j])
                            t[j] = g.0; t[6 + j] = g.1; t[12 + j] = g.2
                        }
                        let d = dw + o * 9 * ci + k0
                        // Lanes below `fresh` were added by the previous (overlapping) window.
                        let fresh = k - k0
                        func add(_ value: V8, _ p: UnsafeMutablePointer<Float>) {
                            if fresh == 0 {
                                st(ld(p) + value, p)
                            } else {
                                for lane in fresh..<8 { p[lane] += value[lane] }
                            }
                        }
                        for ky in 0..<3 {
                            let q = t + 6 * ky
                            let g = gtColumn(q[0], q[1], q[2], q[3], q[4], q[5])
                            let p = d + ky * 3 * ci
                            add(g.0, p); add(g.1, p + ci); add(g.2, p + 2 * ci)
                        }
                        k += 8
                    }
                }
            }
        }
    }

    /// G^T applied to six values: columns of G, (1/4, -1/6, -1/6, 1/24, 1/24, 0),
    /// (0, -1/6, 1/6, 1/12, -1/12, 0) and (0, -1/6, -1/6, 1/6, 1/6, 1).
    @inline(__always)
    static func gtColumn(_ u0: V8, _ u1: V8, _ u2: V8, _ u3: V8, _ u4: V8, _ u5: V8) -> (V8, V8, V8) {
        let sixth = V8(repeating: 1.0 / 6), twelfth = V8(repeating: 1.0 / 12), quarter = V8(repeating: 0.25)
        let s12 = u1 + u2, s34 = u3 + u4
        return (quarter * u0 - s12 * sixth + s34 * (sixth * quarter),
                (u2 - u1) * sixth + (u3 - u4) * twelfth,
                (s34 - s12) * sixth + u5)
    }

    /// A applied to four values (the transpose of A^T): (y0, y0+y1+y2+y3, y0-y1+y2-y3,
    /// y0+2y1+4y2+8y3, y0-2y1+4y2-8y3, y3).
    @inline(__always)
    static func aColumn(_ y0: V8, _ y1: V8, _ y2: V8, _ y3: V8) -> (V8, V8, V8, V8, V8, V8) {
        let even = y0 + y2, odd = y1 + y3
        let even4 = y0 + 4 * y2, odd8 = 2 * y1 + 8 * y3
        return (y0, even + odd, even - odd, even4 + odd8, even4 - odd8, y3)
    }

    /// Z `[36, T, C]` = A dY A^T per tile from dy `[n, h, w, C]` (outputs past the map read as zero).
    static func outputGradTransform(_ dy: UnsafePointer<Float>, samples n: Int, height h: Int, width w: Int, channels c: Int,
                                    into z: UnsafeMutablePointer<Float>, serial: Bool) {
        let th = (h + 3) / 4, tw = (w + 3) / 4, tiles = n * th * tw, xs = tiles * c
        Parallel.chunks(tiles, work: serial ? 0 : tiles * c * 60) { r in
            withUnsafeTemporaryAllocation(of: V8.self, capacity: 24) { sb in
                let s = sb.baseAddress!
                for t in r {
                    let sample = t / (th * tw), ty = (t / tw) % th, tx = t % tw
                    let oy = 4 * ty, ox = 4 * tx
                    let rows = Swift.min(4, h - oy), cols = Swift.min(4, w - ox)
                    let src = dy + ((sample * h + oy) * w + ox) * c
                    var k = 0
                    while k < c {
                        let k0 = Swift.min(k, c - 8)
                        // S (6x4) = A down each column of the tile's dY (zero past the map).
                        for col in 0..<4 {
                            var y = (V8.zero, V8.zero, V8.zero, V8.zero)
                            if col < cols {
                                let p = src + col * c + k0
                                y.0 = ld(p)
                                if rows > 1 { y.1 = ld(p + w * c) }
                                if rows > 2 { y.2 = ld(p + 2 * w * c) }
                                if rows > 3 { y.3 = ld(p + 3 * w * c) }
                            }
                            let a = aColumn(y.0, y.1, y.2, y.3)
                            s[col] = a.0; s[4 + col] = a.1; s[8 + col] = a.2
                            s[12 + col] = a.3; s[16 + col] = a.4; s[20 + col] = a.5
                        }
                        // Z (6x6) = S A^T: A along each row of S.
                        let out = z + t * c + k0
                        for i in 0..<6 {
                            let q = s + 4 * i
                            let a = aColumn(q[0], q[1], q[2], q[3])
                            let o = out + 6 * i * xs
                            st(a.0, o); st(a.1, o + xs); st(a.2, o + 2 * xs); st(a.3, o + 3 * xs); st(a.4, o + 4 * xs); st(a.5, o + 5 * xs)
                        }
                        k += 8
                    }
                }
            }
        }
    }
}
