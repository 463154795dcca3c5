import Foundation

/// The lab's pieces held by a session: data, named models, optimizer, training history.
final class LabPieces {
    /// Names of the models built so far, in the order they were built.
    var modelNames: [String] { [] }
    /// Block and layer paths of the current model (`layer1.0`), for completion.
    var layerPaths: [String] { [] }
}
