import Foundation
import NeuralNet
import TensorEngine

/// §3, §4, §6: building models, printing their architecture, counting parameters.
enum ModelCommands {
    static let modelArg = ArgumentSpec("model", .model, "which model (default: the last one built or chosen with 'use')")

    static let specs: [CommandSpec] = [
        CommandSpec("build", topic: "§3 The model",
                    "Build a model: torchvision's ResNet-18 or the deep plain CNN; its input channels come from the data.",
                    positional: "kind",
                    arguments: [
                        ArgumentSpec("kind", .choice(["resnet18", "plain"]), required: true, "the architecture"),
                        ArgumentSpec("name", .text, "the model's name in the session (default resnet / plain)"),
                        ArgumentSpec("depth", .int(1...100), default: "10", "plain CNN: number of 3x3 conv layers"),
                        ArgumentSpec("width", .int(1...512), default: "64", "plain CNN: filters per conv layer"),
                        ArgumentSpec("classes", .int(2...1000), "output classes (default: the data's, else 10)"),
                        ArgumentSpec("channels", .int(1...4), "input channels (default: the data's, else 3)"),
                    ], handler: build),
        CommandSpec("models", topic: "§3 The model", "List the models in the session.", recordable: false) { ctx in
            let lab = ctx.state.lab
            if lab.slots.isEmpty { ctx.print("no models yet; 'build resnet18' makes one"); return }
            ctx.print(lab.slots.map { s in
                "\(s.name == lab.current ? "*" : " ") \(s.name): \(s.model.name), \(Fmt.thousands(s.model.parameterCount)) parameters, \(s.epochsDone) epoch\(s.epochsDone == 1 ? "" : "s") trained"
            }.joined(separator: "\n"))
        },
        CommandSpec("use", topic: "§3 The model", "Make a model the one commands use by default.", positional: "model",
                    arguments: [ArgumentSpec("model", .model, required: true, "the model's name")]) { ctx in
            let s = try ctx.state.lab.requireModel(ctx.args.string("model"))
            ctx.state.lab.current = s.name
            ctx.print("using \(s.name) (\(s.model.name))")
        },
        CommandSpec("arch", topic: "§4 Architecture", "Print the architecture as a tree, for the data's input size.",
                    positional: "model", arguments: [modelArg]) { ctx in
            let s = try ctx.state.lab.requireModel(ctx.args.string("model"))
            ctx.print(s.model.architecture(input: inputCHW(ctx, s)))
        },
        CommandSpec("summary", topic: "§4 Architecture", "A table of every layer: output shape and parameter count.",
                    positional: "model", arguments: [modelArg], handler: summary),
    ]

    /// §6, listed after the residual-block commands of §5.
    static let countSpecs: [CommandSpec] = [
        CommandSpec("params", topic: "§6 Parameters", "Count the trainable parameters (11,181,642 for ResNet-18 on CIFAR-10).",
                    positional: "model", arguments: [modelArg]) { ctx in
            let s = try ctx.state.lab.requireModel(ctx.args.string("model"))
            ctx.result(MIMEBundle(plain: Fmt.thousands(s.model.parameterCount)))
        },
    ]

    /// The input size `[C, H, W]` for reports: the data's, else 32x32 with the model's channels.
    static func inputCHW(_ ctx: CommandContext, _ s: ModelSlot) -> [Int] {
        if let d = ctx.state.lab.data, d.channels == s.model.inChannels { return d.inputCHW }
        return [s.model.inChannels, 32, 32]
    }

    static func build(_ ctx: CommandContext) throws {
        let a = ctx.args
        let lab = ctx.state.lab
        let kind = a.string("kind")!
        if kind == "resnet18", let extra = ["depth", "width"].first(where: a.isGiven) {
            throw LabError("BadArgument", "build resnet18 \(extra)=: \(extra) applies to 'build plain' only; ResNet-18's layers and widths are fixed by torchvision.")
        }
        let name = a.string("name") ?? (kind == "resnet18" ? "resnet" : "plain")
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !name.isEmpty else {
            throw LabError("BadArgument", "build name='\(name)': use letters, digits, - and _.")
        }
        let channels = a.optionalInt("channels") ?? lab.data?.channels ?? 3
        let classes = a.optionalInt("classes") ?? lab.data?.train.classCount ?? 10
        let seed = ctx.state.seed &+ UInt64(truncatingIfNeeded: name.utf8.reduce(0) { $0 &* 31 &+ Int($1) })
        let model: Model
        if kind == "resnet18" {
            model = ResNet18(inChannels: channels, numClasses: classes, seed: seed)
        } else {
            model = PlainCNN(inChannels: channels, numClasses: classes, depth: a.int("depth"), width: a.int("width"), seed: seed)
        }
        let slot = ModelSlot(name: name, kind: kind, model: model)
        let replaced = lab.slot(name) != nil
        lab.slots.removeAll { $0.name == name }
        lab.slots.append(slot)
        lab.current = name
        ctx.print("\(replaced ? "rebuilt" : "built") \(name): \(model.name), \(channels) input channel\(channels == 1 ? "" : "s"), \(classes) classes, \(Fmt.thousands(model.parameterCount)) trainable parameters")
    }

    static func summary(_ ctx: CommandContext) throws {
        let s = try ctx.state.lab.requireModel(ctx.args.string("model"))
        let input = inputCHW(ctx, s)
        let rows = s.model.summary(input: input)
        let nameWidth = max(24, (rows.map { $0.name.count + 2 * $0.depth }.max() ?? 0) + 2)
        let kindWidth = max(14, (rows.map(\.kind.count).max() ?? 0) + 2)
        var lines = ["Layer".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "Kind".padding(toLength: kindWidth, withPad: " ", startingAt: 0)
                     + "Output shape".padding(toLength: 18, withPad: " ", startingAt: 0) + "Params".leftPadded(12)]
        lines.append(String(repeating: "-", count: lines[0].count))
        var html = "<table><thead><tr><th>Layer</th><th>Kind</th><th>Output shape</th><th>Params</th></tr></thead><tbody>"
        for r in rows {
            let indent = String(repeating: "  ", count: r.depth)
            lines.append((indent + r.name).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                         + r.kind.padding(toLength: kindWidth, withPad: " ", startingAt: 0)
                         + Fmt.shape(r.outputShape).padding(toLength: 18, withPad: " ", startingAt: 0)
                         + Fmt.thousands(r.parameters).leftPadded(12))
            html += "<tr><td style=\"text-align:left;padding-left:\(r.depth)em\">\(r.name)</td><td>\(r.kind)</td><td>\(Fmt.shape(r.outputShape))</td><td>\(Fmt.thousands(r.parameters))</td></tr>"
        }
        lines.append(String(repeating: "-", count: lines[0].count))
        lines.append("Input \(Fmt.shape([1] + input)); trainable parameters: \(Fmt.thousands(s.model.parameterCount))")
        html += "</tbody></table><p>Input \(Fmt.shape([1] + input)); trainable parameters: \(Fmt.thousands(s.model.parameterCount))</p>"
        ctx.display(MIMEBundle(plain: lines.joined(separator: "\n"), text: ["text/html": html], name: "summary"))
    }
}

extension String {
    /// Right-aligns in a field of `n` characters.
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
