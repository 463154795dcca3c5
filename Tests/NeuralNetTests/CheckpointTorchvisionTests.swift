import Foundation
import XCTest
@testable import NeuralNet
import TensorEngine

/// Full-size ResNet-18 checkpoints exchanged with torchvision, checked by hand with tools/verify_checkpoint.py
/// (full-size files are not committed, so these run only when their environment variable names a folder).
///
/// 1. `SWIFT_LAB_EXPORT_DIR=/tmp/x swift test ... --filter CheckpointTorchvisionTests` writes
///    swift_resnet18.safetensors (after one training step with Adam) and swift_resnet18_io.safetensors
///    (input NCHW, our eval logits); `verify_checkpoint.py check-swift /tmp/x` loads the first into
///    torchvision's resnet18(num_classes=10) with strict load_state_dict and compares logits.
/// 2. `verify_checkpoint.py make-torch /tmp/x` writes torch_resnet18(_io).safetensors;
///    `SWIFT_LAB_TORCH_DIR=/tmp/x swift test ...` loads it here and compares our logits with torch's.
final class CheckpointTorchvisionTests: XCTestCase {
    private func folder(_ variable: String) throws -> URL {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else {
            throw XCTSkip("set \(variable) to run this by-hand check (see tools/README.md)")
        }
        return URL(fileURLWithPath: path)
    }

    /// Two fixed 3x32x32 images, NCHW.
    static func fixedInput() -> Tensor {
        Tensor(shape: [2, 3, 32, 32], values: (0..<(2 * 3 * 32 * 32)).map { sin(Float($0) * 0.37) * 1.5 })
    }

    func testExportForTorchvision() throws {
        let dir = try folder("SWIFT_LAB_EXPORT_DIR")
        let model = ResNet18(inChannels: 3, numClasses: 10, seed: 7)
        let x = Self.fixedInput().nchwToNHWC()
        // One training step, so weights, running statistics and counters are not at their initial values.
        let adam = Adam(store: model.store, learningRate: 1e-3)
        let loss = CrossEntropyLoss()
        adam.zeroGrad()
        _ = loss.forward(model.forward(x, mode: .train), labels: [3, 8])
        model.backward(loss.gradient)
        adam.step()
        let logits = model.forward(x, mode: .eval)
        try model.saveCheckpoint(to: dir.appendingPathComponent("swift_resnet18.safetensors"))
        var io = SafetensorsWriter(metadata: ["note": "input NCHW and eval logits from swift-lab"])
        io.addF32("input", shape: [2, 3, 32, 32], values: Self.fixedInput().toArray())
        io.addF32("logits_eval", shape: [2, 10], values: logits.toArray())
        try io.write(to: dir.appendingPathComponent("swift_resnet18_io.safetensors"))
    }

    func testLoadTorchvisionCheckpoint() throws {
        let dir = try folder("SWIFT_LAB_TORCH_DIR")
        let model = ResNet18(inChannels: 3, numClasses: 10, seed: 1)
        let metadata = try model.loadCheckpoint(from: dir.appendingPathComponent("torch_resnet18.safetensors"))
        let io = try SafetensorsFile(contentsOf: dir.appendingPathComponent("torch_resnet18_io.safetensors"))
        let input = io.tensors["input"]!.shape
        let x = Tensor(shape: input, values: try io.floats("input")).nchwToNHWC()
        let logits = model.forward(x, mode: .eval).toArray()
        let torch = try io.floats("logits_eval")
        print("torchvision checkpoint (torch \(metadata["torch"] ?? "?")): logits relative L2 error \(Parity.relativeError(logits, torch))")
        Parity.assertClose(logits, torch, "logits of the torchvision-saved ResNet-18")
    }
}
