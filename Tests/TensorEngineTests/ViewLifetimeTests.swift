import XCTest
@testable import TensorEngine

/// A parameter view keeps its store's memory alive after the store itself is gone.
final class ViewLifetimeTests: XCTestCase {
    func testParameterOutlivesItsStore() {
        var parameter: Parameter?
        do {
            let store = ParameterStore()
            _ = store.reserve(shape: [3, 4])
            _ = store.reserve(shape: [5])
            store.seal()
            store.parameters[1].value.fill(2.5)
            store.parameters[1].grad.fill(-1)
            parameter = store.parameters[1]
        }
        // The store is released here; the view must still read its own values.
        XCTAssertEqual(parameter!.value.toArray(), [Float](repeating: 2.5, count: 5))
        XCTAssertEqual(parameter!.grad.toArray(), [Float](repeating: -1, count: 5))
        XCTAssertEqual(parameter!.offset, 12)
    }
}
