"""jupyter_kernel_test's protocol suite for the Swift Lab kernel, with every sample it supports filled in.

Relies on these lab commands: `echo TEXT` (stdout), `warn TEXT` (stderr), `version`
(execute_result "swift-lab 0.1.0"), `demo-figure` (display_data with a PNG), `clear`
(clear_output), `nosuchcommand` (error UnknownCommand), `help`/`train` (completion, inspect).
"""
import unittest

import jupyter_kernel_test


class SwiftLabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "swift-lab"
    language_name = "swift-lab"
    file_extension = ".lab"

    code_hello_world = "echo hello, world"
    code_stderr = "warn something"

    completion_samples = [
        {"text": "tra", "matches": {"train"}},
        {"text": "hel", "matches": {"help"}},
    ]
    complete_code_samples = ["version", "echo hello, world", "# only a comment", "echo a\necho b"]
    incomplete_code_samples = ["echo hello, \\", "echo a\necho b \\"]

    code_execute_result = [{"code": "version", "result": "swift-lab 0.1.0"}]
    code_display_data = [
        {"code": "demo-figure", "mime": "image/png"},
        {"code": "data synthetic\nsamples count=4", "mime": "image/png"},
    ]

    code_history_pattern = "vers*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "train"
    code_clear_output = "clear"
    code_generate_error = "nosuchcommand"

    def test_error_names_the_command(self):
        """The error for an unknown command says UnknownCommand and shows the failing line."""
        self.flush_channels()
        reply, output_msgs = self.execute_helper("nosuchcommand")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "UnknownCommand")
        self.assertTrue(any("nosuchcommand" in line for line in reply["content"]["traceback"]))
        self.assertEqual(output_msgs[0]["content"]["ename"], "UnknownCommand")

    def test_kernel_info_details(self):
        """kernel_info carries protocol 5.3, the language facts and a banner."""
        self.flush_channels()
        self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=10)
        content = reply["content"]
        self.assertEqual(content["protocol_version"], "5.3")
        self.assertEqual(content["implementation"], "swift-lab")
        info = content["language_info"]
        self.assertEqual(info["name"], "swift-lab")
        self.assertEqual(info["version"], "0.1.0")
        self.assertEqual(info["file_extension"], ".lab")
        self.assertIn("mimetype", info)
        self.assertIn("codemirror_mode", info)
        self.assertIn("Swift Lab", content["banner"])
        links = {link["text"]: link["url"] for link in content["help_links"]}
        self.assertIn("torchvision ResNet-18", links)
        self.assertTrue(all(url.startswith("https://") for url in links.values()))

    def test_comm_info_is_empty(self):
        self.flush_channels()
        msg_id = self.kc.comm_info()
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"], {"status": "ok", "comms": {}})


if __name__ == "__main__":
    unittest.main()
