import Figures
import Foundation

/// A tiny figure for checking that a front end shows images (the kernel's display_data sample).
enum DemoCommands {
    static let specs: [CommandSpec] = [
        CommandSpec("demo-figure", topic: "Language", "Show a small test figure (a 32x32 viridis ramp) to check image display.",
                    recordable: false) { ctx in
            var img = RGBImage(width: 32, height: 32)
            for y in 0..<32 {
                for x in 0..<32 { img.setPixel(x, y, ColorMap.viridis.color(Float(x + y) / 62)) }
            }
            ctx.display(FigureBundle.make(Figure(plain: "demo figure: a 32x32 viridis ramp from dark purple (top left) to yellow (bottom right)",
                                                 image: img, name: "demo-figure")))
        },
    ]
}
