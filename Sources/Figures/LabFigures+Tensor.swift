import TensorEngine

/// `LabFigures` entry points that read a `Tensor` directly.
extension LabFigures {
    /// A sample grid from a batch tensor in [0, 1].
    // images: Tensor [N, C, H, W], C = 1 or 3
    public static func sampleGrid(_ images: Tensor, titles: [String], rows: Int = 2, columns: Int = 4,
                                  title: String? = nil, name: String = "samples") -> Figure {
        precondition(images.shape.count == 4, "expected [N, C, H, W], got \(images.shape)")
        let s = images.shape
        return sampleGrid(images: images.data, count: min(s[0], rows * columns), channels: s[1], height: s[2],
                          width: s[3], titles: titles, rows: rows, columns: columns, title: title, name: name)
    }

    /// Heat maps of the first `rows * columns` channels of sample `sample`.
    // maps: Tensor [N, C, H, W] or [C, H, W]
    public static func featureMaps(_ maps: Tensor, sample: Int = 0, rows: Int, columns: Int, title: String,
                                   name: String = "feature-maps", colorMap: ColorMap = .viridis) -> Figure {
        let s = maps.shape
        precondition(s.count == 4 || s.count == 3, "expected [N, C, H, W] or [C, H, W], got \(s)")
        let chw = Array(s.suffix(3))
        let offset = s.count == 4 ? sample * chw[0] * chw[1] * chw[2] : 0
        precondition(s.count == 3 || sample < s[0], "sample \(sample) out of range for \(s)")
        return featureMaps(UnsafePointer(maps.data + offset), channels: chw[0], height: chw[1], width: chw[2],
                           rows: rows, columns: columns, title: title, name: name, colorMap: colorMap)
    }
}
