import Foundation
@testable import LabSession

/// A small synthetic lab shared by the command tests: 96 training and 48 test images, batches of 16.
enum LabFixture {
    static let setup = """
    seed 3
    threads 2
    data synthetic train=96 test=48 batch=16
    build resnet18
    """

    /// A session with the synthetic data and a ResNet-18 named `resnet`.
    static func session() -> Session {
        let s = Session()
        let (o, sink) = s.run(setup)
        precondition(o == .ok, "fixture failed: \(o) \(sink.stdout)")
        return s
    }

    /// The error of a failed run (nil when it succeeded).
    static func error(_ s: Session, _ line: String) -> SessionError? {
        if case .failed(let e) = s.run(line).0 { return e }
        return nil
    }

    static func isPNG(_ b: MIMEBundle) -> Bool {
        guard let d = b.binary["image/png"] else { return false }
        return Array(d.prefix(4)) == [0x89, 0x50, 0x4E, 0x47]
    }

    /// The first number after `label` in `text` ("loss 2.3" -> 2.3).
    static func number(after label: String, in text: String) -> Double? {
        guard let r = text.range(of: label) else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " }
        return Double(rest.prefix { "0123456789.-+e".contains($0) })
    }
}
