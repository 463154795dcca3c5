import Foundation
import XCTest
@testable import LabSession

/// The whole lab on small synthetic data, several times in one session: resident memory stays
/// bounded and every run prints the same numbers.
///
/// CI runs 3 rounds; `SWIFT_LAB_SOAK_ROUNDS=N` runs N (e.g. 30 for a long soak by hand).
final class SoakRobustnessTests: XCTestCase {
    /// Growth of live memory (VmRSS after malloc_trim) allowed from the end of round 1 to the end of the last
    /// round: well below one leaked ResNet-18 (45 MB of weights). Measured: 0.6 MB over 8 rounds.
    static let growthBoundKiB = 16 * 1024
    /// Live memory never exceeds this at the end of a round (measured: about 460 MB).
    static let residentBoundKiB = 1024 * 1024

    /// Every step of the lab notebook, on synthetic data, with a checkpoint round trip.
    static func script(_ dir: String) -> String {
        """
        seed 0
        info
        data synthetic batch=16 train=96 test=48
        samples count=8 columns=4
        build resnet18
        arch
        summary
        block layer1.0
        walk layer1.0 image=0
        math
        maps layer1.0 image=0 channels=8
        params
        optimizer adam lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8
        train epochs=2 batches=3
        curve
        evaluate
        features image=0 channels=16
        save \(dir)/lab.safetensors
        load \(dir)/lab.safetensors
        build plain depth=10
        params plain
        gradients plain=plain resnet=resnet
        gradients depth=12 resnet=resnet
        """
    }

    /// The printed text with wall times removed ("0.4s", "12.3 s") so runs can be compared exactly.
    static func normalized(_ text: String) -> String {
        let timing = try! NSRegularExpression(pattern: #"[0-9]+(\.[0-9]+)? ?s\b|threads: .*"#)
        return timing.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "<t>")
            .replacingOccurrences(of: "rebuilt ", with: "built ")
    }

    func testLabRepeatsExactlyWithBoundedMemory() {
        let rounds = max(3, Int(ProcessInfo.processInfo.environment["SWIFT_LAB_SOAK_ROUNDS"] ?? "") ?? 3)
        let dir = robustnessTempDir("soak")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Session()
        XCTAssertEqual(s.run("threads 2").0, .ok)
        var firstText: String?, firstBits: UInt64?
        var rss: [Int] = []
        let start = Date()
        for round in 1 ... rounds {
            let (outcome, sink) = s.run(Self.script(dir))
            XCTAssertEqual(outcome, .ok, "round \(round): \(sink.stdout.suffix(400))")
            let text = Self.normalized(sink.text)
            let bits = SessionSnapshot(s).digest
            XCTAssertTrue(text.contains("epoch 2") && text.contains("11,181,642"), "round \(round)")
            if let firstText, let firstBits {
                XCTAssertEqual(text, firstText, "round \(round) printed different results")
                XCTAssertEqual(bits, firstBits, "round \(round) ended with different weights")
            } else {
                firstText = text
                firstBits = bits
            }
            rss.append(residentKiB())
        }
        let growth = rss.last! - rss[0]
        print("soak: \(rounds) rounds in \(String(format: "%.1f", Date().timeIntervalSince(start))) s; VmRSS KiB per round \(rss); growth \(growth) KiB")
        XCTAssertGreaterThan(rss.first!, 0)
        XCTAssertLessThan(rss.max()!, Self.residentBoundKiB, "resident memory \(rss)")
        XCTAssertLessThan(growth, Self.growthBoundKiB, "resident memory grew by \(growth) KiB over \(rounds) rounds: \(rss)")
    }
}
