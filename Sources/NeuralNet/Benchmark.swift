import Foundation
import TensorEngine

/// Training-step and inference throughput of the engine on the lab's two networks.
///
/// A training step is zero-grad, forward in train mode, mean cross-entropy,
/// backward and the lab's Adam update (lr 1e-3, betas 0.9/0.999, eps 1e-8)
/// over the model's contiguous parameter block; inference is an eval-mode
/// forward. Inputs are seeded synthetic NHWC batches `[batch, 32, 32, 3]`.
public enum Benchmark {
    /// The workloads `swift-lab bench` measures.
    public enum Workload: String, CaseIterable, Sendable {
        case resnet18 = "resnet18-3x32x32"
        case plain10 = "plain10-3x32x32"

        func makeModel() -> Model {
            switch self {
            case .resnet18: return ResNet18(inChannels: 3, numClasses: 10, width: 64, seed: 0)
            case .plain10: return PlainCNN(inChannels: 3, numClasses: 10, depth: 10, width: 64, seed: 0)
            }
        }
    }

    /// One workload's figures.
    public struct Result: Sendable {
        public let workload: String
        public let batch: Int
        public let trainImagesPerSecond: Double
        public let inferImagesPerSecond: Double
        /// Peak resident set of the process so far (VmHWM), in MiB.
        public let peakRSSMegabytes: Double
        /// Process CPU time per training step and per inference pass, in milliseconds (all threads).
        public let trainCPUms: Double, inferCPUms: Double

        /// One JSON line: {"workload": ..., "batch": ..., "train_img_s": ..., "infer_img_s": ..., "peak_rss_mb": ...,
        /// "train_cpu_ms": ..., "infer_cpu_ms": ...}.
        public var json: String {
            String(format: "{\"workload\": \"%@\", \"batch\": %d, \"train_img_s\": %.1f, \"infer_img_s\": %.1f, \"peak_rss_mb\": %.1f, \"train_cpu_ms\": %.1f, \"infer_cpu_ms\": %.1f}",
                   workload, batch, trainImagesPerSecond, inferImagesPerSecond, peakRSSMegabytes, trainCPUms, inferCPUms)
        }
    }

    /// Measures `workload` over `steps` timed steps after `warmup` untimed ones.
    public static func run(_ workload: Workload, batch: Int = 128, steps: Int = 10, warmup: Int = 2) -> Result {
        let model = workload.makeModel()
        var rng = SeededRandom(seed: 42)
        let x = Tensor(shape: [batch, 32, 32, 3])
        for i in 0..<x.count { x.data[i] = rng.uniform(-1, 1) }
        let labels = (0..<batch).map { _ in rng.int(below: 10) }
        let loss = CrossEntropyLoss()
        let adam = Adam(store: model.store)

        func trainStep() {
            model.store.zeroGrad()
            _ = loss.forward(model.forward(x, mode: .train), labels: labels)
            model.backward(loss.gradient)
            adam.step()
        }
        for _ in 0..<warmup { trainStep() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let c0 = cpuSeconds()
        for _ in 0..<steps { trainStep() }
        let train = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let trainCPU = (cpuSeconds() - c0) / Double(steps)

        // Inference as `evaluate` runs it: eval-mode forwards with the weights frozen, so derived
        // weights (Winograd transforms, unrolled matrices) are built on the first pass only.
        let (infer, inferCPU) = model.store.withFrozenValues { () -> (Double, Double) in
            for _ in 0..<warmup { _ = model.forward(x, mode: .eval) }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let c0 = cpuSeconds()
            for _ in 0..<steps { _ = model.forward(x, mode: .eval) }
            return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, (cpuSeconds() - c0) / Double(steps))
        }
        return Result(workload: workload.rawValue, batch: batch,
                      trainImagesPerSecond: Double(batch * steps) / train,
                      inferImagesPerSecond: Double(batch * steps) / infer,
                      peakRSSMegabytes: peakRSSMegabytes(),
                      trainCPUms: trainCPU * 1000, inferCPUms: inferCPU * 1000)
    }

    /// CPU time used by this process so far (all threads), in seconds.
    public static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Peak resident memory of this process in MiB (VmHWM from /proc/self/status; 0 if unavailable).
    public static func peakRSSMegabytes() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
}
