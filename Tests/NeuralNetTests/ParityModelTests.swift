import Foundation
import XCTest
@testable import NeuralNet
import TensorEngine

/// Forward, loss, backward and BatchNorm statistics against PyTorch, on fixtures made by
/// tools/make_fixtures.py (weights loaded through our safetensors loader, which tests it too).
final class ParityModelTests: XCTestCase {
    /// Runs the fixture's eval pass, train pass, loss and backward on `model` and compares everything.
    /// `backwardToInput` runs the model's backward and returns dL/dx (NHWC).
    private func checkAgainstFixture(_ model: Model, data: SafetensorsFile, backwardToInput: (Tensor) -> Tensor) throws {
        let shape = data.tensors["input"]!.shape  // [N, C, H, W]
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let x = Tensor(shape: shape, values: try data.floats("input")).nchwToNHWC()
        let labels = try data.int64s("labels")

        let logitsEval = model.forward(x, mode: .eval).toArray()
        Parity.assertClose(logitsEval, try data.floats("logits_eval"), "eval logits")

        model.store.zeroGrad()
        let logits = model.forward(x, mode: .train)
        Parity.assertClose(logits.toArray(), try data.floats("logits_train"), "train logits")
        let criterion = CrossEntropyLoss()
        let loss = criterion.forward(logits, labels: labels)
        let torchLoss = try data.floats("loss")[0]
        XCTAssertEqual(loss, torchLoss, accuracy: 1e-4 * abs(torchLoss), "loss")

        let dx = backwardToInput(criterion.gradient)
        XCTAssertEqual(dx.shape, [n, h, w, c])
        Parity.assertClose(dx.nhwcToNCHW().toArray(), try data.floats("grad_input"), "input gradient")

        var checked = 0
        for entry in model.stateDict {
            switch entry.value {
            case .parameter(let p):
                Parity.assertClose(Tensor.torchLayout(of: p, gradient: true).toArray(),
                                   try data.floats("grad." + entry.name), "gradient of \(entry.name)")
            case .buffer(let t):
                Parity.assertClose(t.toArray(), try data.floats("after_train." + entry.name), "\(entry.name) after a train step")
            case .counter(let counter):
                XCTAssertEqual(counter.value, try data.int64s("after_train." + entry.name)[0], entry.name)
            }
            checked += 1
        }
        XCTAssertEqual(checked, model.stateDict.count)
    }

    /// Width-4 ResNet-18 (torchvision topology and names): identity blocks (layer1.*, layerK.1) and
    /// downsample blocks (layer2.0, layer3.0, layer4.0), BN in eval and train mode, on two 3x32x32 images.
    func testResNet18Width4MatchesPyTorch() throws {
        let model = ResNet18(inChannels: 3, numClasses: 10, width: 4, seed: 5)
        let metadata = try model.loadCheckpoint(from: Parity.url("resnet_w4_state.safetensors"))
        XCTAssertTrue(metadata["torch"]?.hasPrefix("2.") == true, "fixture records its torch version")
        XCTAssertNotNil(model.blocks.first { $0.0 == "layer2.0" }?.1.downsample, "layer2.0 has a downsample shortcut")
        XCTAssertNil(model.blocks.first { $0.0 == "layer1.0" }?.1.downsample, "layer1.0 is an identity block")
        let data = try Parity.file("resnet_w4_data.safetensors")
        try checkAgainstFixture(model, data: data) { dLogits in
            // The model's backward skips dL/dx of the image; run the same chain with it switched on.
            model.conv1.needsInputGrad = true
            defer { model.conv1.needsInputGrad = false }
            var d = model.avgpool.backward(model.flatten.backward(model.fc.backward(dLogits)))
            for layer in model.layers.reversed() { for b in layer.reversed() { d = b.backward(d) } }
            return model.conv1.backward(model.bn1.backward(model.maxpool.backward(d)))
        }
    }

    /// Plain CNN, depth 3, width 8, on two 3x16x16 images.
    func testPlainCNNMatchesPyTorch() throws {
        let model = PlainCNN(inChannels: 3, numClasses: 10, depth: 3, width: 8, seed: 5)
        try model.loadCheckpoint(from: Parity.url("plain_d3_w8_state.safetensors"))
        let data = try Parity.file("plain_d3_w8_data.safetensors")
        try checkAgainstFixture(model, data: data) { dLogits in
            model.convs[0].needsInputGrad = true
            defer { model.convs[0].needsInputGrad = false }
            var d = model.avgpool.backward(model.flatten.backward(model.fc.backward(dLogits)))
            for conv in model.convs.reversed() { d = conv.backward(d) }
            return d
        }
    }

    /// Our gradients fed to our Adam give torch's weights after one Adam step (end-to-end training step).
    func testResNet18Width4TrainingStepMatchesTorchAdamOnTorchGradients() throws {
        let model = ResNet18(inChannels: 3, numClasses: 10, width: 4, seed: 5)
        try model.loadCheckpoint(from: Parity.url("resnet_w4_state.safetensors"))
        let data = try Parity.file("resnet_w4_data.safetensors")
        let before = model.namedParameters.map { Tensor.torchLayout(of: $0.1).toArray() }
        // Torch's gradients, through the engine layout, stepped by our Adam, must equal the same step in float math.
        for (name, p) in model.namedParameters {
            let g = try data.floats("grad." + name)
            g.withUnsafeBufferPointer {
                TorchLayout.fromTorch($0.baseAddress!, layout: p.layout, engineShape: p.grad.shape, into: p.grad.data)
            }
        }
        Adam(store: model.store, learningRate: 0.01).step()
        for ((name, p), old) in zip(model.namedParameters, before) {
            let g = try data.floats("grad." + name)
            let new = Tensor.torchLayout(of: p).toArray()
            // One Adam step from zero state moves each weight by lr * g / (|g| + eps).
            let expected = zip(old, g).map { $0 - Float(0.01) * ($1 / (abs($1) + 1e-8)) }
            Parity.assertClose(zip(new, old).map { $0 - $1 }, zip(expected, old).map { $0 - $1 }, "Adam update of \(name)",
                               tolerance: 1e-5)
        }
    }
}
