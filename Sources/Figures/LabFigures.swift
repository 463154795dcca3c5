import Foundation

/// The lab's figures, one call each, ready to become MIME bundles (LAB.md §2, §5, §7-§10).
public enum LabFigures {
    /// Training images in a titled grid (§2); values already un-normalized to [0, 1].
    // images: [N, C, H, W], C = 1 or 3; titles: one per image (class names)
    public static func sampleGrid(images: UnsafePointer<Float>, count: Int, channels: Int, height: Int, width: Int,
                                  titles: [String], rows: Int = 2, columns: Int = 4,
                                  title: String? = nil, name: String = "samples") -> Figure {
        let n = min(count, rows * columns)
        let tiles = ImageGrid.imageTiles(images, count: n, channels: channels, height: height, width: width, titles: titles)
        let grid = ImageGrid(tiles: tiles, rows: rows, columns: columns, title: title)
        let image = grid.render()
        var plain = "Image grid" + (title.map { " '\($0)'" } ?? "")
        plain += ": \(n) images \(height)x\(width) \(channels == 1 ? "grayscale" : "RGB") in \(rows) rows x \(columns) columns"
        if !titles.isEmpty { plain += ": " + titles.prefix(n).joined(separator: ", ") }
        return Figure(plain: plain, image: image, name: name)
    }

    /// Array form of `sampleGrid`.
    // images: [N, C, H, W]
    public static func sampleGrid(images: [Float], count: Int, channels: Int, height: Int, width: Int,
                                  titles: [String], rows: Int = 2, columns: Int = 4,
                                  title: String? = nil, name: String = "samples") -> Figure {
        precondition(images.count >= count * channels * height * width, "image buffer too small")
        return images.withUnsafeBufferPointer {
            sampleGrid(images: $0.baseAddress!, count: count, channels: channels, height: height, width: width,
                       titles: titles, rows: rows, columns: columns, title: title, name: name)
        }
    }

    /// The first `rows * columns` channels of one sample's feature maps as heat maps (§5, §9),
    /// tiles titled "channel 0", "channel 1", ...; each tile scaled to its own range.
    // maps: [C, H, W] (pass the start of sample n in an NCHW tensor)
    public static func featureMaps(_ maps: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                   rows: Int, columns: Int, title: String, name: String = "feature-maps",
                                   colorMap: ColorMap = .viridis) -> Figure {
        let n = min(channels, rows * columns)
        let titles = (0..<n).map { "channel \($0)" }
        let tiles = ImageGrid.heatMapTiles(maps, count: n, height: height, width: width, titles: titles, colorMap: colorMap)
        let image = ImageGrid(tiles: tiles, rows: rows, columns: columns, title: title).render()
        var plain = "Heat-map grid '\(title)': channels 0-\(n - 1) of \(channels), each \(height)x\(width), "
        plain += "\(colorMap.rawValue), each channel scaled to its own range"
        for c in 0..<n {
            let buf = UnsafeBufferPointer(start: maps + c * height * width, count: height * width)
            let r = ValueRange.of(buf)
            let mean = buf.reduce(0, +) / Float(max(1, buf.count))
            plain += "\n  channel \(c): min \(NumberText.short(Double(r.min))), mean \(NumberText.short(Double(mean))), max \(NumberText.short(Double(r.max)))"
        }
        return Figure(plain: plain, image: image, name: name)
    }

    /// Array form of `featureMaps`.
    // maps: [C, H, W]
    public static func featureMaps(_ maps: [Float], channels: Int, height: Int, width: Int,
                                   rows: Int, columns: Int, title: String, name: String = "feature-maps",
                                   colorMap: ColorMap = .viridis) -> Figure {
        precondition(maps.count >= channels * height * width, "feature-map buffer too small")
        return maps.withUnsafeBufferPointer {
            featureMaps($0.baseAddress!, channels: channels, height: height, width: width, rows: rows,
                        columns: columns, title: title, name: name, colorMap: colorMap)
        }
    }

    /// Loss and accuracy per epoch side by side (§7): left, training (and test) loss; right,
    /// accuracy in percent. `testAccuracy` may be shorter or empty.
    public static func trainingCurves(loss: [Double], trainAccuracy: [Double], testAccuracy: [Double] = [],
                                      testLoss: [Double] = [], xLabel: String = "epoch",
                                      name: String = "training-curves") -> Figure {
        var lossSeries = [LineChart.Series(name: "train loss", y: loss)]
        if !testLoss.isEmpty { lossSeries.append(.init(name: "test loss", y: testLoss)) }
        var accSeries = [LineChart.Series(name: "train accuracy", y: trainAccuracy)]
        if !testAccuracy.isEmpty { accSeries.append(.init(name: "test accuracy", y: testAccuracy)) }
        var lossChart = LineChart(title: "Training loss", xLabel: xLabel, yLabel: "cross-entropy loss", series: lossSeries)
        var accChart = LineChart(title: "Accuracy", xLabel: xLabel, yLabel: "accuracy (%)", series: accSeries)
        lossChart.width = 480
        accChart.width = 480
        lossChart.height = 360
        accChart.height = 360
        let svg = SVGLayout.sideBySide([lossChart.svg(), accChart.svg()])
        var figure = Figure(plain: lossChart.summary() + "\n" + accChart.summary(), svg: svg, name: name)
        figure.charts = [lossChart, accChart]
        return figure
    }

    /// Mean |gradient| per layer from input to output, one series per network, log y axis (§10).
    /// `layerNames` (optional) label the x ticks of the longest series; `pointNames` (optional,
    /// one list per series) name each point's layer in its tooltip and in the text summary.
    public static func gradientChart(series: [(name: String, values: [Double])],
                                     title: String = "Mean |gradient| per layer",
                                     layerNames: [String]? = nil, pointNames: [[String]]? = nil,
                                     name: String = "gradients") -> Figure {
        let lines = series.enumerated().map { i, s in
            LineChart.Series(name: s.name, y: s.values, pointNames: pointNames?[i])
        }
        let chart = LineChart(title: title, xLabel: "layer (input \u{2192} output)", yLabel: "mean |gradient|",
                              series: lines, logY: true, xNames: layerNames)
        return chart.figure(name: name)
    }

    /// Per-class accuracy as bars in percent (§8); `accuracy` holds fractions in [0, 1].
    public static func perClassAccuracy(classNames: [String], accuracy: [Double],
                                        title: String = "Test accuracy per class", name: String = "per-class-accuracy") -> Figure {
        let chart = BarChart(title: title, yLabel: "accuracy (%)", categories: classNames,
                             values: accuracy.map { ($0 * 1000).rounded() / 10 }, yLower: 0, yUpper: 100, unit: "%")
        return chart.figure(name: name)
    }

    /// The confusion matrix as an HTML table (`heatMap` false) or a viridis PNG (§8).
    // counts: [true class][predicted class]
    public static func confusionMatrix(classNames: [String], counts: [[Int]], heatMap: Bool = false,
                                       title: String = "Confusion matrix", name: String = "confusion-matrix") -> Figure {
        let m = ConfusionMatrix(classNames: classNames, counts: counts, title: title)
        return heatMap ? m.heatMapFigure(name: name) : m.tableFigure(name: name)
    }
}

/// Places finished SVG documents next to each other in one document.
public enum SVGLayout {
    /// The documents left to right, top-aligned, each kept at its own size.
    public static func sideBySide(_ documents: [String]) -> String {
        var x = 0, height = 0
        var inner = [String]()
        for doc in documents {
            let (w, h) = size(of: doc)
            var body = doc
            if let r = body.range(of: "?>\n") { body.removeSubrange(body.startIndex..<r.upperBound) }
            body = body.replacingOccurrences(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" ", with: "<svg x=\"\(x)\" y=\"0\" ")
            inner.append(body.trimmingCharacters(in: .whitespacesAndNewlines))
            x += w
            height = max(height, h)
        }
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(x)\" height=\"\(height)\" viewBox=\"0 0 \(x) \(height)\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(x)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        return s + inner.joined(separator: "\n") + "\n</svg>\n"
    }

    /// width and height attributes of the root element.
    static func size(of doc: String) -> (Int, Int) {
        func attr(_ name: String) -> Int {
            guard let r = doc.range(of: " \(name)=\"") else { return 0 }
            let rest = doc[r.upperBound...]
            return Int(rest.prefix { $0.isNumber }) ?? 0
        }
        return (attr("width"), attr("height"))
    }
}
