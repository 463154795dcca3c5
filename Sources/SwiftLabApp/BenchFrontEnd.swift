import Datasets
import Foundation
import NeuralNet
import TensorEngine

/// `swift-lab bench [--json] [--steps N] [--threads N] [--batch N] [--profile] [--only WORKLOAD]`: engine throughput.
///
/// Prints training-step and inference images/s for ResNet-18 and the plain
/// CNN at 3x32x32 (batch 128 unless told), plus peak resident memory; with
/// `--json` one JSON object per workload per line. `--only loader` measures
/// the batch loader alone (augmented CIFAR-shaped batches of 128, not part of
/// the default set).
enum BenchFrontEnd {
    static let usage = "usage: swift-lab bench [--json] [--steps N] [--threads N] [--batch N] [--profile] [--only resnet18-3x32x32|plain10-3x32x32|loader]"

    static func main(_ arguments: [String]) -> Int32 {
        var json = false, steps = 10, batch = 128
        var threads: Int?
        var only: [Benchmark.Workload] = Benchmark.Workload.allCases
        var loader = false, profile = false
        var i = 0
        func value() -> Int? {
            i += 1
            return i < arguments.count ? Int(arguments[i]).flatMap { $0 > 0 ? $0 : nil } : nil
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--json": json = true
            case "--profile": profile = true
            case "--steps": guard let v = value() else { return fail("--steps needs a positive integer") }; steps = v
            case "--batch": guard let v = value() else { return fail("--batch needs a positive integer") }; batch = v
            case "--threads": guard let v = value() else { return fail("--threads needs a positive integer") }; threads = v
            case "--only":
                i += 1
                if i < arguments.count, arguments[i] == "loader" {
                    loader = true
                    only = []
                    break
                }
                guard i < arguments.count, let w = Benchmark.Workload(rawValue: arguments[i]) else {
                    return fail("--only takes one of: " + (Benchmark.Workload.allCases.map(\.rawValue) + ["loader"]).joined(separator: ", "))
                }
                only = [w]
            case "-h", "--help":
                print(usage)
                return 0
            default:
                return fail("unknown option '\(arguments[i])'")
            }
            i += 1
        }
        if let threads {
            EngineInfo.setThreads(threads)
        }
        if profile {
            print("engine: \(EngineInfo.summary)")
            print("ResNet-18, batch \(batch), ms per step by layer call (mean of \(steps) steps)")
            func pad(_ s: String) -> String { s.padding(toLength: 22, withPad: " ", startingAt: 0) }
            print(pad("layer") + "      eval train fwd  backward")
            var sum = (0.0, 0.0, 0.0)
            for r in Benchmark.profileResNet18(batch: batch, steps: steps) {
                print(pad(r.name) + String(format: " %9.2f %9.2f %9.2f", r.evalMs, r.trainForwardMs, r.backwardMs))
                sum = (sum.0 + r.evalMs, sum.1 + r.trainForwardMs, sum.2 + r.backwardMs)
            }
            print(pad("total") + String(format: " %9.2f %9.2f %9.2f", sum.0, sum.1, sum.2))
            return 0
        }
        if !json {
            print("engine: \(EngineInfo.summary)")
            print("batch \(batch), \(steps) timed steps after 2 warm-up steps")
        }
        for w in only {
            let r = Benchmark.run(w, batch: batch, steps: steps)
            if json {
                print(r.json)
            } else {
                print(String(format: "%-18@ train %8.1f img/s   infer %8.1f img/s   peak RSS %7.1f MiB   CPU/step train %7.1f ms infer %7.1f ms",
                             r.workload, r.trainImagesPerSecond, r.inferImagesPerSecond, r.peakRSSMegabytes, r.trainCPUms, r.inferCPUms))
            }
            fflush(nil)
        }
        if loader {
            // 10,000 random 32x32x3 images, batch 128, crop 32 pad 4 + flip + normalize; 1 warm-up and 3 timed epochs.
            let rate = LoaderBenchmark.run()
            if json {
                print(String(format: "{\"workload\": \"loader-3x32x32\", \"batch\": 128, \"img_s\": %.1f, \"peak_rss_mb\": %.1f}",
                             rate, Benchmark.peakRSSMegabytes()))
            } else {
                print(String(format: "%-18@ %8.1f img/s (augmented batches of 128)", "loader-3x32x32", rate))
            }
            fflush(nil)
        }
        return 0
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("swift-lab bench: \(message)\n\(usage)\n".utf8))
        return 2
    }
}
