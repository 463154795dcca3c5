import Foundation
import XCTest
@testable import TensorEngine

/// The engine's own GEMM split (rows or columns of C across workers) and its parallel regions.
final class ParallelGEMMTests: XCTestCase {
    func random(_ n: Int, seed: UInt64) -> Tensor { KernelTests.randomTensor(n, seed: seed) }

    /// Runs `body` with `workers` engine threads and every product large enough to split.
    func splitting(workers: Int, _ body: () -> Void) {
        let (savedWorkers, savedMin) = (Parallel.workers, GEMM.parallelMinimumMACs)
        Parallel.workers = workers
        GEMM.parallelMinimumMACs = 1
        defer { Parallel.workers = savedWorkers; GEMM.parallelMinimumMACs = savedMin }
        body()
    }

    /// Split products match the plain-loop reference for every transposition, for tall C (split by
    /// rows) and wide C (split by columns), with padded leading dimensions and beta = 1.
    func testSplitGEMMMatchesReferenceForEveryShapeAndTransposition() {
        for workers in [2, 3] {
            for (m, n, k) in [(211, 37, 45), (35, 190, 29), (64, 64, 16)] {
                let pad = 3
                let a = random((m + pad) * (k + pad), seed: 1), b = random((k + pad) * (n + pad), seed: 2)
                for ta in [false, true] {
                    for tb in [false, true] {
                        let ldc = n + pad
                        let c1 = random(m * ldc, seed: 3), c2 = c1.copy()
                        let lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad
                        splitting(workers: workers) {
                            GEMM.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda,
                                       b: b.data, ldb: ldb, beta: 1, c: c1.data, ldc: ldc)
                        }
                        GEMM.referenceSgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda,
                                            b: b.data, ldb: ldb, beta: 1, c: c2.data, ldc: ldc)
                        var worst: Float = 0
                        for i in 0..<m * ldc { worst = max(worst, abs(c1[i] - c2[i])) }
                        XCTAssertLessThan(worst, 1e-4, "m \(m) n \(n) k \(k) transA \(ta) transB \(tb) workers \(workers)")
                    }
                }
            }
        }
    }

    /// The blocks of C depend on the shape alone, so a product is bit-identical on 1, 2, 3, 4 and 8
    /// threads and from inside a region (blocks in turn), for shapes of the engine's convolutions
    /// and ones whose last block is small (OpenBLAS may take another kernel for those).
    func testSplitGEMMIsBitIdenticalOnAnyThreadCount() {
        let shapes: [(Bool, Bool, Int, Int, Int)] = [
            (false, true, 300, 70, 90), (false, true, 8192, 64, 147), (true, false, 64, 147, 8192),
            (false, false, 128, 2048, 512), (true, false, 10, 512, 128), (false, true, 2048, 128, 128),
            (false, true, 1000, 33, 64),
        ]
        for (ta, tb, m, n, k) in shapes {
            let a = random(m * k, seed: 4), b = random(n * k, seed: 5)
            func product(workers: Int, inRegion: Bool = false) -> [Float] {
                let c = Tensor(shape: [m * n])
                splitting(workers: workers) {
                    let call = {
                        GEMM.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a.data, lda: ta ? m : k,
                                   b: b.data, ldb: tb ? k : n, c: c.data, ldc: n)
                    }
                    if inRegion { Parallel.run(2) { p in if p == 0 { call() } } } else { call() }
                }
                return c.toArray()
            }
            let one = product(workers: 1)
            for workers in [2, 3, 4, 8] {
                XCTAssertEqual(product(workers: workers), one, "m \(m) n \(n) k \(k) on \(workers) threads")
            }
            XCTAssertEqual(product(workers: 2, inRegion: true), one, "m \(m) n \(n) k \(k) inside a region")
        }
        // Blocks: a power of two, at least 64 long, multiples of 16 when that keeps them even.
        XCTAssertTrue(GEMM.blocking(m: 2048, n: 300, k: 700) == (true, 256, 8))
        XCTAssertTrue(GEMM.blocking(m: 128, n: 1024, k: 2048) == (false, 128, 8), "the layer3 unrolled product, by columns")
        XCTAssertTrue(GEMM.blocking(m: 64, n: 147, k: 6912) == (false, 80, 2), "the stem's dW: 147 columns make 2 blocks")
        XCTAssertEqual(GEMM.blocking(m: 300, n: 70, k: 90).blocks, 1, "under 2 x parallelMinimumMACs: one block")
        XCTAssertEqual(GEMM.blocking(m: 8, n: 8, k: 8).blocks, 1)
    }

    /// BLAS itself runs on one thread once the engine has made a product.
    func testBLASIsSingleThreaded() {
        let a = random(4, seed: 6), c = Tensor(shape: [4])
        GEMM.sgemm(m: 2, n: 2, k: 2, a: a.data, lda: 2, b: a.data, ldb: 2, c: c.data, ldc: 2)
        XCTAssertEqual(EngineInfo.blasThreads, 1)
    }

    /// A region runs every part once; inside a region, nested work runs serially on the same thread.
    func testRegionsRunEveryPartAndNestSerially() {
        let saved = Parallel.workers
        Parallel.workers = 2
        defer { Parallel.workers = saved }
        XCTAssertFalse(Parallel.insideRegion)
        let lock = NSLock()
        var seen: [Int] = []
        var nestedOnSameThread = true
        Parallel.run(4) { p in
            XCTAssertTrue(Parallel.insideRegion)
            let me = pthread_self()
            Parallel.chunks(8, work: 1 << 30) { r in
                if pthread_equal(me, pthread_self()) == 0 { lock.lock(); nestedOnSameThread = false; lock.unlock() }
                XCTAssertEqual(r, 0..<8, "nested chunks run whole")
            }
            lock.lock(); seen.append(p); lock.unlock()
        }
        XCTAssertEqual(seen.sorted(), [0, 1, 2, 3])
        XCTAssertTrue(nestedOnSameThread)
        XCTAssertFalse(Parallel.insideRegion, "the flag is cleared on the calling thread")
    }
}
