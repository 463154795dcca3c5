import XCTest
@testable import JupyterKernel

/// HMAC-SHA256 against RFC 4231, and the signer's verification rules.
final class HMACSignerTests: XCTestCase {
    private func hmac(_ key: [UInt8], _ data: [UInt8]) -> String {
        HMACSigner.hex(HMACSigner.hmacSHA256(key: key, parts: [Data(data)]))
    }

    func testRFC4231Case1() {
        XCTAssertEqual(hmac([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8)),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    func testRFC4231Case2() {
        XCTAssertEqual(hmac(Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testRFC4231Case3() {
        XCTAssertEqual(hmac([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50)),
                       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
    }

    func testRFC4231Case4() {
        XCTAssertEqual(hmac(Array(1...25), [UInt8](repeating: 0xcd, count: 50)),
                       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
    }

    func testRFC4231Case6() {
        XCTAssertEqual(hmac([UInt8](repeating: 0xaa, count: 131),
                            Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testRFC4231Case7() {
        let data = "This is a test using a larger than block-size key and a larger than block-size data. "
            + "The key needs to be hashed before being used by the HMAC algorithm."
        XCTAssertEqual(hmac([UInt8](repeating: 0xaa, count: 131), Array(data.utf8)),
                       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    func testPartsAreConcatenated() {
        let whole = HMACSigner.hmacSHA256(key: Array("Jefe".utf8), parts: [Data("what do ya want for nothing?".utf8)])
        let split = HMACSigner.hmacSHA256(key: Array("Jefe".utf8),
                                          parts: [Data("what do ".utf8), Data(), Data("ya want for nothing?".utf8)])
        XCTAssertEqual(whole, split)
        XCTAssertEqual(whole.count, 32)
    }

    func testVerifyAcceptsOwnSignatureAndRejectsOthers() throws {
        let signer = try HMACSigner(key: "secret")
        let frames = [Data("{}".utf8), Data("{}".utf8), Data("{}".utf8), Data("{\"code\":\"x\"}".utf8)]
        let signature = signer.sign(frames)
        XCTAssertEqual(signature.count, 64)
        XCTAssertTrue(signer.verify(signature: signature, frames: frames))
        XCTAssertTrue(signer.verify(signature: signature.uppercased(), frames: frames))
        var tampered = frames
        tampered[3] = Data("{\"code\":\"y\"}".utf8)
        XCTAssertFalse(signer.verify(signature: signature, frames: tampered))
        XCTAssertFalse(signer.verify(signature: "", frames: frames))
        XCTAssertFalse(signer.verify(signature: String(signature.dropLast()), frames: frames))
        let other = try HMACSigner(key: "wrong")
        XCTAssertFalse(signer.verify(signature: other.sign(frames), frames: frames))
    }

    func testEmptyKeyDisablesSigning() throws {
        let signer = try HMACSigner(key: "")
        XCTAssertFalse(signer.isEnabled)
        XCTAssertEqual(signer.sign([Data("{}".utf8)]), "")
        XCTAssertTrue(signer.verify(signature: "anything", frames: []))
    }

    func testUnknownSchemeIsRefused() {
        XCTAssertThrowsError(try HMACSigner(key: "k", scheme: "hmac-md5"))
        XCTAssertNoThrow(try HMACSigner(key: "", scheme: "hmac-md5"))
    }
}
