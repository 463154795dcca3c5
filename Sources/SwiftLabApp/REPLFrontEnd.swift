import Foundation

/// Front end stub, replaced by its owner.
enum REPLFrontEnd {
    static func main(_ arguments: [String]) -> Int32 {
        FileHandle.standardError.write(Data("swift-lab: not built yet\n".utf8))
        return 1
    }
}
