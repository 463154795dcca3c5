import Foundation

extension Winograd {
    /// The chunk driver shared by `Winograd.conv` (16 planes) and `Winograd4.conv` (36 planes).
    ///
    /// Per chunk of `chunk` samples: `input(n0, nb, v, serial)` fills V `[planes, T, Ci]`,
    /// `planes` GEMMs give M[xi] `[T, Co]` = V[xi] x U[xi]^T with u `[planes, Co, Ci]`, and
    /// `output(n0, nb, m, serial)` reads M `[planes, T, Co]` (T = nb * tilesPerSample). With
    /// enough chunks each worker runs whole chunks on its own slice of `scratch` (one region,
    /// single-threaded steps); otherwise chunks run in turn with each step split, the GEMMs
    /// shared out by plane in one region. `scratch` holds `planes * chunkTiles * (Ci + Co)`
    /// floats per worker.
    static func convolve(planes: Int, tilesPerSample: Int, batch: Int, chunk: Int, inChannels ci: Int, outChannels co: Int,
                         u: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                         input: (_ n0: Int, _ nb: Int, _ v: UnsafeMutablePointer<Float>, _ serial: Bool) -> Void,
                         output: (_ n0: Int, _ nb: Int, _ m: UnsafePointer<Float>, _ serial: Bool) -> Void) {
        let chunks = (batch + chunk - 1) / chunk
        let workers = Swift.min(Parallel.workers, chunks)
        func run(_ index: Int, scratch: UnsafeMutablePointer<Float>, serial: Bool) {
            let n0 = index * chunk, nb = Swift.min(chunk, batch - n0)
            let tiles = nb * tilesPerSample
            let v = scratch, m = scratch + planes * tiles * ci
            input(n0, nb, v, serial)
            let parts = serial ? 1 : Swift.min(Parallel.workers, planes)
            Parallel.run(parts) { part in
                for xi in stride(from: part, to: planes, by: parts) {
                    GEMM.sgemm(transB: true, m: tiles, n: co, k: ci, a: v + xi * tiles * ci, lda: ci,
                               b: u + xi * co * ci, ldb: ci, c: m + xi * tiles * co, ldc: co)
                }
            }
            output(n0, nb, m, serial)
        }
        if workers <= 1 || chunks < 2 * workers {
            for i in 0..<chunks { run(i, scratch: scratch, serial: false) }
            return
        }
        let perWorker = planes * chunk * tilesPerSample * (ci + co)
        let next = ChunkCounter()
        Parallel.run(workers) { wid in
            while true {
                let i = next.take()
                if i >= chunks { break }
                run(i, scratch: scratch + wid * perWorker, serial: true)
            }
        }
    }

    /// The `size` x `size` patch of one sample's map `[h, w, c]` at (y0, x0): a pointer into the map
    /// when the patch lies inside it (rows `w * c` apart), else a copy zero-padded outside the map
    /// in `pad` (`size * size * c` floats, rows `size * c` apart).
    @inline(__always)
    static func patch(_ base: UnsafePointer<Float>, y0: Int, x0: Int, size: Int, height h: Int, width w: Int, channels c: Int,
                      pad: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, Int) {
        if y0 >= 0 && x0 >= 0 && y0 + size <= h && x0 + size <= w { return (base + (y0 * w + x0) * c, w * c) }
        pad.initialize(repeating: 0, count: size * size * c)
        for i in 0..<size where y0 + i >= 0 && y0 + i < h {
            for j in 0..<size where x0 + j >= 0 && x0 + j < w {
                (pad + (i * size + j) * c).update(from: base + ((y0 + i) * w + x0 + j) * c, count: c)
            }
        }
        return (UnsafePointer(pad), size * c)
    }

    /// Calls `body(t, src, rowStride)` for every tile t of x `[n, h, w, c]` cut into `tile` x `tile`
    /// output tiles, with src the tile's `(tile + 2)`-wide input patch (see `patch`), split across
    /// the workers unless `serial`. `work` estimates the floats touched, to decide whether to split.
    static func forEachInputPatch(_ x: UnsafePointer<Float>, samples n: Int, height h: Int, width w: Int, channels c: Int,
                                  tile: Int, serial: Bool, work: Int,
                                  _ body: (_ t: Int, _ src: UnsafePointer<Float>, _ rowStride: Int) -> Void) {
        let size = tile + 2
        let th = (h + tile - 1) / tile, tw = (w + tile - 1) / tile
        Parallel.chunks(n * th * tw, work: serial ? 0 : work) { r in
            // A zero-padded copy of one patch for border tiles.
            let pad = UnsafeMutablePointer<Float>.allocate(capacity: size * size * c)
            defer { pad.deallocate() }
            for t in r {
                let s = t / (th * tw), ty = (t / tw) % th, tx = t % tw
                let (src, rowStride) = patch(x + s * h * w * c, y0: tile * ty - 1, x0: tile * tx - 1, size: size,
                                             height: h, width: w, channels: c, pad: pad)
                body(t, src, rowStride)
            }
        }
    }
}
