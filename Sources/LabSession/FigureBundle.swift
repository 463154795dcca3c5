import Figures
import Foundation

/// Converts the figures library's `Figure` into the session's MIME bundle.
enum FigureBundle {
    /// text/plain always; image/png, image/svg+xml, text/html as present; a terminal rendering of rasters.
    static func make(_ f: Figure) -> MIMEBundle {
        var b = MIMEBundle(plain: f.plain, name: f.name)
        if let png = f.png { b.binary["image/png"] = png }
        if let svg = f.svg { b.text["image/svg+xml"] = svg }
        if let html = f.html { b.text["text/html"] = html }
        if let img = f.image { b.terminal = TerminalImage.render(img) }
        return b
    }
}
