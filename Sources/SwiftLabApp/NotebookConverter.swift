import Foundation

/// `swift-lab notebook FILE.lab [-o FILE.ipynb]`: converts a `.lab` script into a notebook for the kernel.
enum NotebookConverter {
    static let usage = "usage: swift-lab notebook FILE.lab [-o FILE.ipynb]"

    static func main(_ arguments: [String]) -> Int32 {
        var input: String?
        var output: String?
        var i = 0
        while i < arguments.count {
            if arguments[i] == "-o" || arguments[i] == "--output", i + 1 < arguments.count {
                output = arguments[i + 1]; i += 2; continue
            }
            if arguments[i].hasPrefix("-") || input != nil { Console.error(usage + "\n"); return 2 }
            input = arguments[i]; i += 1
        }
        guard let input, let text = try? String(contentsOfFile: input, encoding: .utf8) else {
            Console.error("swift-lab notebook: cannot read \(input ?? "(no file)")\n\(usage)\n")
            return 2
        }
        let data = convert(text)
        let dest = output ?? (input.hasSuffix(".lab") ? String(input.dropLast(4)) + ".ipynb" : input + ".ipynb")
        do { try data.write(to: URL(fileURLWithPath: dest)) } catch {
            Console.error("swift-lab notebook: cannot write \(dest)\n"); return 1
        }
        print("wrote \(dest)")
        return 0
    }

    /// The notebook for a `.lab` script, as nbformat 4.5 JSON bytes.
    static func convert(_ script: String) -> Data {
        Notebook(cells: LabScript.cells(from: script)).json()
    }
}
