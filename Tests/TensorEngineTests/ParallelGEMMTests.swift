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

    /// Every element of C is one dot product on one thread, so the split result is bit-identical
    /// to the single-threaded one (a run's numbers do not depend on the thread count).
    func testSplitGEMMIsBitIdenticalToOneThread() {
        let (m, n, k) = (300, 70, 90)
        let a = random(m * k, seed: 4), b = random(n * k, seed: 5)
        let one = Tensor(shape: [m * n]), two = Tensor(shape: [m * n])
        splitting(workers: 1) {
            GEMM.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: one.data, ldc: n)
        }
        splitting(workers: 2) {
            GEMM.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: two.data, ldc: n)
        }
        XCTAssertEqual(one.toArray(), two.toArray())
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
