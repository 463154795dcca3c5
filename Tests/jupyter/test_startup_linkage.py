"""What keeps the kernel's start-up fast, checked on the binary itself (no timing).

The kernel must bind its ports before jupyter_client first connects (~11 ms after spawning it), or
the client waits ZeroMQ's 100 ms reconnect interval. That holds because the product links the Swift
runtime and Foundation statically and loads libcurl only for a download (README "Kernel start-up").
"""
import os
import subprocess
import unittest

BIN = os.environ.get("SWIFT_LAB_BIN", "")


@unittest.skipUnless(BIN and os.access(BIN, os.X_OK), "run through run.sh (SWIFT_LAB_BIN unset)")
class StartupLinkageTests(unittest.TestCase):
    def libraries(self):
        out = subprocess.run(["ldd", BIN], capture_output=True, text=True, timeout=30, check=True).stdout
        return [line.split()[0] for line in out.splitlines() if line.strip()]

    def test_no_shared_swift_runtime_or_foundation(self):
        libs = self.libraries()
        swift = [l for l in libs if l.startswith(("libswift", "libFoundation", "lib_Foundation", "libdispatch"))]
        self.assertEqual(swift, [], f"the product should link the Swift runtime statically (--static-swift-stdlib): {libs}")

    def test_libcurl_is_not_loaded_at_start(self):
        libs = self.libraries()
        # libcurl and the libraries only it brings (Kerberos comes with ZeroMQ's GSSAPI support, so not that).
        only_curl = ("libcurl", "libldap", "libgnutls", "libssh2", "libnghttp2", "librtmp", "libpsl", "libidn2")
        self.assertEqual([l for l in libs if l.startswith(only_curl)], [], libs)
        self.assertLess(len(libs), 35, f"{len(libs)} shared libraries at start: {libs}")

    def test_kernelspec_keeps_openblas_from_starting_threads(self):
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "kernelspec", "kernel.json")) as f:
            self.assertIn('"OPENBLAS_NUM_THREADS": "1"', f.read())
