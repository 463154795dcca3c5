import Datasets
import Figures
import Foundation
import TensorEngine

/// §1-§2: loading a data set and looking at it.
enum DataCommands {
    static let specs: [CommandSpec] = [
        CommandSpec("data", topic: "§1 Data", "Load a data set: CIFAR-10, Fashion-MNIST or a small synthetic one.",
                    positional: "set",
                    arguments: [
                        ArgumentSpec("set", .choice(["cifar10", "fashion-mnist", "synthetic", "auto"]), required: true,
                                     "which data set; auto = CIFAR-10 if it is under root, else Fashion-MNIST"),
                        ArgumentSpec("root", .path, default: "./data", "folder holding (or receiving) CIFAR-10"),
                        ArgumentSpec("download", .bool, default: "on", "download CIFAR-10 when it is missing"),
                        ArgumentSpec("batch", .int(1...4096), default: "128", "images per batch"),
                        ArgumentSpec("augment", .bool, default: "on", "random crop (pad 4) and flip for training"),
                        ArgumentSpec("train", .int(0...1_000_000), default: "0", "use only this many training images (0 = all; synthetic default 512)"),
                        ArgumentSpec("test", .int(0...1_000_000), default: "0", "use only this many test images (0 = all; synthetic default 256)"),
                    ], handler: load),
        CommandSpec("samples", topic: "§2 Look at the data",
                    "Show training images with their class names (2x4 grid, un-normalized).",
                    arguments: [
                        ArgumentSpec("count", .int(1...64), default: "8", "how many images"),
                        ArgumentSpec("columns", .int(1...16), default: "4", "images per row"),
                    ], handler: samples),
    ]

    static func load(_ ctx: CommandContext) throws {
        let a = ctx.args
        var kind = a.string("set")!
        let root = a.string("root")!
        var origin = ""
        if kind == "auto" {
            let fm = FileManager.default
            let found = ["cifar-10-batches-bin", "cifar-10-batches-py", "cifar-10-binary.tar.gz", "cifar-10-python.tar.gz"]
                .first { fm.fileExists(atPath: root + "/" + $0) }
            if let found {
                kind = "cifar10"
                ctx.print("data auto: CIFAR-10 found at \(root)/\(found), using it")
            } else {
                kind = "fashion-mnist"
                ctx.print("data auto: no CIFAR-10 under \(root)/ (and no network assumed), using Fashion-MNIST from \(FashionMNIST.debianRoot)")
            }
        }
        var train: LabDataset, test: LabDataset
        do {
            switch kind {
            case "cifar10":
                let progress: (DataProgress) -> Void = { p in
                    if p.done == 0 { ctx.print("\(p.phase.rawValue) \(p.file)...") }
                }
                train = try CIFAR10.load(root: root, split: .train, download: a.bool("download"), progress: progress,
                                         interrupted: { ctx.interrupted })
                test = try CIFAR10.load(root: root, split: .test, download: false)
                origin = "CIFAR-10 from \(root)"
            case "fashion-mnist":
                train = try FashionMNIST.load(split: .train)
                test = try FashionMNIST.load(split: .test)
                origin = "Fashion-MNIST from \(FashionMNIST.debianRoot)"
            default:
                let nTrain = a.int("train") > 0 ? a.int("train") : 512
                let nTest = a.int("test") > 0 ? a.int("test") : 256
                (train, test) = SyntheticDataset.make(seed: ctx.state.seed, trainCount: nTrain, testCount: nTest)
                origin = "synthetic, seed \(ctx.state.seed)"
            }
        } catch let e as LabError {
            throw e
        } catch DatasetError.interrupted(let file) {
            throw LabInterrupted(message: "download of \(file) interrupted; nothing of it was kept and the loaded data is unchanged.")
        } catch {
            throw LabError("DataError", "\(error)")
        }
        if a.int("train") > 0, kind != "synthetic" { train = train.prefix(a.int("train")) }
        if a.int("test") > 0, kind != "synthetic" { test = test.prefix(a.int("test")) }
        let d = LoadedData(kind: kind, train: train, test: test, batchSize: a.int("batch"), augment: a.bool("augment"), origin: origin)
        ctx.state.lab.data = d
        let batches = (train.count + d.batchSize - 1) / d.batchSize
        ctx.print("""
        \(origin)
          train: \(Fmt.thousands(train.count)) images, test: \(Fmt.thousands(test.count)) images, \
        \(train.height)x\(train.width), \(train.channels == 3 ? "RGB" : "grayscale") (\(train.channels) channel\(train.channels == 1 ? "" : "s"))
          classes (\(train.classCount)): \(train.classNames.joined(separator: ", "))
          batches of \(d.batchSize) (\(batches) per epoch), training set reshuffled every epoch, test set in order
          train transform: \(d.augment ? "random crop \(train.height) (zero padding 4), horizontal flip p=0.5, " : "")scale to [0,1], normalize mean 0.5 std 0.5
          test transform: scale to [0,1], normalize mean 0.5 std 0.5
        """)
    }

    /// The first `count` images of a shuffled, augmented (if on) training epoch, as the loader makes them.
    static func firstTrainingBatch(_ d: LoadedData, count: Int, seed: UInt64) -> (Tensor, [Int32]) {
        let loader = BatchLoader(dataset: d.train, batchSize: count, shuffle: true, augment: d.augment, seed: seed)
        let x = Tensor(shape: [count, d.train.height, d.train.width, d.channels])
        var labels = [Int32](repeating: 0, count: count)
        let n = labels.withUnsafeMutableBufferPointer { loader.fill(batch: 0, epoch: 0, images: x, labels: $0.baseAddress!) }
        return (x, Array(labels.prefix(n)))
    }

    static func samples(_ ctx: CommandContext) throws {
        let d = try ctx.state.lab.requireData()
        let count = min(ctx.args.int("count"), d.train.count)
        let cols = ctx.args.int("columns")
        let (x, labels) = firstTrainingBatch(d, count: count, seed: ctx.state.seed &+ 0x5A)
        let titles = labels.map { d.classNames[Int($0)] }
        let pixels = Batches.displayCHW(x)
        let rows = (count + cols - 1) / cols
        let fig = LabFigures.sampleGrid(images: pixels, count: count, channels: d.channels, height: d.train.height,
                                        width: d.train.width, titles: titles, rows: rows, columns: cols,
                                        title: "Training samples", name: "samples")
        ctx.display(FigureBundle.make(fig))
    }
}
