"""`swift-lab install-kernel`: where the kernelspec goes and what it holds."""
import json
import os
import subprocess
import tempfile
import unittest

from jupyter_client.kernelspec import KernelSpecManager

BIN = os.environ.get("SWIFT_LAB_BIN", "")


@unittest.skipUnless(BIN and os.access(BIN, os.X_OK), "run through run.sh (SWIFT_LAB_BIN unset)")
class InstallKernelTests(unittest.TestCase):
    def install(self, *args, env=None):
        result = subprocess.run([BIN, "install-kernel", *args], capture_output=True, text=True, timeout=30,
                                env={**os.environ, **(env or {})})
        return result

    def test_prefix_writes_kernelspec_with_absolute_binary(self):
        with tempfile.TemporaryDirectory() as prefix:
            result = self.install("--prefix", prefix, "--name", "lab-test")
            self.assertEqual(result.returncode, 0, result.stderr)
            target = os.path.join(prefix, "share", "jupyter", "kernels", "lab-test")
            self.assertIn(target, result.stdout)
            with open(os.path.join(target, "kernel.json")) as f:
                spec = json.load(f)
            self.assertEqual(spec["argv"][1:], ["kernel", "-f", "{connection_file}"])
            self.assertEqual(os.path.realpath(spec["argv"][0]), os.path.realpath(BIN))
            self.assertTrue(os.path.isabs(spec["argv"][0]))
            self.assertEqual(spec["display_name"], "Swift Lab")
            self.assertEqual(spec["language"], "swift-lab")
            self.assertEqual(spec["interrupt_mode"], "message")
            self.assertEqual(spec["env"], {"OPENBLAS_NUM_THREADS": "1"})
            for size in (32, 64):
                with open(os.path.join(target, f"logo-{size}x{size}.png"), "rb") as f:
                    png = f.read()
                self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
                self.assertEqual(int.from_bytes(png[16:20], "big"), size)  # IHDR width
            # jupyter_client finds it there.
            ksm = KernelSpecManager(kernel_dirs=[os.path.join(prefix, "share", "jupyter", "kernels")])
            self.assertEqual(ksm.get_kernel_spec("lab-test").display_name, "Swift Lab")

    def test_user_install_goes_under_home(self):
        with tempfile.TemporaryDirectory() as home:
            env = {"HOME": home, "JUPYTER_DATA_DIR": ""}
            result = self.install("--user", "--display-name", "Lab (test)", env=env)
            self.assertEqual(result.returncode, 0, result.stderr)
            path = os.path.join(home, ".local", "share", "jupyter", "kernels", "swift-lab", "kernel.json")
            with open(path) as f:
                self.assertEqual(json.load(f)["display_name"], "Lab (test)")

    def test_bad_arguments_are_refused(self):
        self.assertEqual(self.install("--name", "bad/name").returncode, 2)
        self.assertEqual(self.install("--user", "--prefix", "/tmp/x").returncode, 2)
        self.assertEqual(self.install("--frobnicate").returncode, 2)


if __name__ == "__main__":
    unittest.main()
