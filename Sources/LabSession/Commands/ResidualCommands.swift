import Figures
import Foundation
import NeuralNet
import TensorEngine

/// §5: one residual block, its walk-through, its math and its feature maps.
enum ResidualCommands {
    static let pathArg = ArgumentSpec("block", .layer, default: "layer1.0", "the block's path, layer1.0 ... layer4.1")
    static let imageArg = ArgumentSpec("image", .int(0...1_000_000), default: "0", "which test image")

    static let specs: [CommandSpec] = [
        CommandSpec("block", topic: "§5 Inside a residual block", "Print one BasicBlock's structure.",
                    positional: "block", arguments: [pathArg, ModelCommands.modelArg]) { ctx in
            let (_, net) = try ctx.state.lab.requireResNet(ctx.args.string("model"))
            let path = ctx.args.string("block")!
            let b = try lookup(net, path)
            ctx.print("\(path): " + b.structure + "\n  parameters: \(Fmt.thousands(b.parameterCount))")
        },
        CommandSpec("walk", topic: "§5 Inside a residual block",
                    "Run one test image through the stem and a block step by step; print the shapes.",
                    positional: "block", arguments: [pathArg, imageArg, ModelCommands.modelArg]) { ctx in
            let t = try trace(ctx)
            let path = ctx.args.string("block")!
            func line(_ label: String, _ x: Tensor) -> String {
                label.padding(toLength: 24, withPad: " ", startingAt: 0) + Fmt.shape(x.shape) + String(format: "   mean %+.4f  std %.4f", stats(x).mean, stats(x).std)
            }
            ctx.print("""
            test image \(ctx.args.int("image")) through the stem (conv1, bn1, relu, maxpool; eval mode), then \(path):
            \(line("input x", t.input))
            \(line("F(x)", t.residual))
            \(line(t.hasDownsample ? "shortcut downsample(x)" : "shortcut (identity x)", t.shortcut))
            \(line("F(x) + shortcut", t.sum))
            \(line("output ReLU(sum)", t.output))
            """)
        },
        CommandSpec("math", topic: "§5 Inside a residual block", "Print the math of a residual block in plain text.") { ctx in
            ctx.print(mathText)
        },
        CommandSpec("maps", topic: "§5 Inside a residual block",
                    "Show the first channels of the shortcut, F(x) and F(x) + x as viridis heat maps.",
                    positional: "block",
                    arguments: [pathArg, imageArg, ArgumentSpec("channels", .int(1...64), default: "8", "how many channels (2x4 grid for 8)"),
                                ModelCommands.modelArg]) { ctx in
            let t = try trace(ctx)
            let n = min(ctx.args.int("channels"), t.sum.shape[1])
            for (title, x, name) in [("Identity (x)", t.shortcut, "identity"), ("F(x)", t.residual, "residual"), ("F(x) + x", t.sum, "sum")] {
                ctx.display(heatGrid(x, channels: n, title: title, name: "maps-" + name))
            }
        },
    ]

    static let mathText = """
    A residual block computes
      F(x)   = BN(conv3x3(ReLU(BN(conv3x3(x)))))      the residual branch: conv -> BN -> ReLU -> conv -> BN
      s(x)   = x, or downsample(x) = BN(conv1x1(x))   the shortcut carries x (downsampled when stride or width change)
      y      = F(x) + s(x)
      output = ReLU(y)
    The block learns the residual F(x) = H(x) - x instead of the whole mapping H(x).
    If the block is not needed, F(x) can shrink to zero and x passes through unchanged.
    Backward: dL/dx = dL/dy * (dF/dx + 1); the +1 from the shortcut never vanishes.
    """

    static func lookup(_ net: ResNet18, _ path: String) throws -> BasicBlock {
        do { return try net.block(path) } catch {
            throw LabError("BadArgument", "no block '\(path)'; blocks are layer1.0 ... layer4.1.\(Suggest.hint(path, in: net.blocks.map(\.0)))")
        }
    }

    /// The trace of the chosen block on the chosen test image.
    static func trace(_ ctx: CommandContext) throws -> BlockTrace {
        let (_, net) = try ctx.state.lab.requireResNet(ctx.args.string("model"))
        let d = try ctx.state.lab.requireData()
        let path = ctx.args.string("block")!
        _ = try lookup(net, path)
        let x = try testImage(ctx, d, net: net)
        return try net.trace(block: path, input: x)
    }

    /// Test image `image=` as a normalized NHWC batch of one, checked against the model's channels.
    static func testImage(_ ctx: CommandContext, _ d: LoadedData, net: Model) throws -> Tensor {
        let i = ctx.args.int("image")
        guard i < d.test.count else {
            throw LabError("BadArgument", "image=\(i): the test set has \(d.test.count) images (0...\(d.test.count - 1)).")
        }
        guard d.channels == net.inChannels else {
            throw LabError("WrongModel", "\(net.name) takes \(net.inChannels)-channel images but the data has \(d.channels); rebuild it with 'build resnet18'.")
        }
        return Batches.testImage(d, index: i)
    }

    static func stats(_ x: Tensor) -> (mean: Double, std: Double) {
        var s = 0.0, s2 = 0.0
        for i in 0..<x.count { let v = Double(x.data[i]); s += v; s2 += v * v }
        let m = s / Double(max(x.count, 1))
        return (m, (max(0, s2 / Double(max(x.count, 1)) - m * m)).squareRoot())
    }

    /// The first `channels` planes of an NCHW `[1, C, H, W]` tensor as viridis heat maps, 4 per row (2x4 for 8).
    static func heatGrid(_ x: Tensor, channels: Int, title: String, name: String) -> MIMEBundle {
        let cols = min(4, channels)
        let rows = (channels + cols - 1) / cols
        let fig = LabFigures.featureMaps(x.data, channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                         rows: rows, columns: cols, title: title, name: name)
        return FigureBundle.make(fig)
    }
}
