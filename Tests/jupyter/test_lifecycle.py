"""Kernel lifecycle through jupyter_client: interrupts during training, shutdown, restart, forged messages, ipc."""
import os
import signal
import time
import unittest
from queue import Empty

import zmq
from jupyter_client.session import Session

from kernel_helpers import (LONG_TRAINING, TRAIN_SETUP, collect_outputs, run_cell, shell_reply,
                            start_kernel, stop_kernel)


class InterruptTests(unittest.TestCase):
    """An interrupt stops training at the next batch; the model survives it."""

    def setUp(self):
        self.km, self.kc = start_kernel()
        reply, _ = run_cell(self.kc, TRAIN_SETUP, timeout=120)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])

    def tearDown(self):
        stop_kernel(self.km, self.kc)

    def _interrupt_training(self, interrupt):
        msg_id = self.kc.execute(LONG_TRAINING)
        # Wait until training shows progress: its first output after execute_input.
        deadline = time.monotonic() + 120
        started = False
        while not started and time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except Empty:
                continue
            started = (msg["parent_header"].get("msg_id") == msg_id
                       and msg["msg_type"] in ("stream", "display_data", "update_display_data"))
        self.assertTrue(started, "training produced no output")
        asked = time.monotonic()
        interrupt()
        reply = shell_reply(self.kc, msg_id, timeout=60)
        self.assertLess(time.monotonic() - asked, 30, "training did not stop promptly")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        collect_outputs(self.kc, msg_id)
        # The session keeps its model: it still answers `params`.
        after, outputs = run_cell(self.kc, "params")
        self.assertEqual(after["content"]["status"], "ok", after["content"])
        self.assertTrue(any(m["msg_type"] == "execute_result" for m in outputs))

    def test_interrupt_request_message(self):
        """KernelManager.interrupt_kernel sends interrupt_request on control (interrupt_mode message)."""
        self.assertEqual(self.km.kernel_spec.interrupt_mode, "message")
        self._interrupt_training(self.km.interrupt_kernel)

    def test_sigint(self):
        """SIGINT to the kernel process interrupts the cell instead of killing the kernel."""
        pid = self.km.provisioner.process.pid
        self._interrupt_training(lambda: os.kill(pid, signal.SIGINT))
        self.assertTrue(self.km.is_alive())


class ShutdownRestartTests(unittest.TestCase):
    def test_shutdown_request_ends_the_process(self):
        km, kc = start_kernel()
        try:
            msg_id = kc.shutdown()
            reply = kc.get_control_msg(timeout=10)
            self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
            self.assertEqual(reply["content"], {"status": "ok", "restart": False})
            deadline = time.monotonic() + 10
            while km.is_alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertFalse(km.is_alive(), "kernel still running 10 s after shutdown_request")
            self.assertEqual(km.provisioner.process.returncode, 0)
        finally:
            kc.stop_channels()
            if km.is_alive():
                km.shutdown_kernel(now=True)

    def test_restart_gives_a_fresh_kernel(self):
        km, kc = start_kernel()
        try:
            first, _ = run_cell(kc, "version")
            second, _ = run_cell(kc, "version")
            self.assertEqual(second["content"]["execution_count"], first["content"]["execution_count"] + 1)
            old_pid = km.provisioner.process.pid
            started = time.monotonic()
            km.restart_kernel(now=False)
            self.assertLess(time.monotonic() - started, 10, "restart waited for a kill")
            self.assertNotEqual(km.provisioner.process.pid, old_pid)
            kc.wait_for_ready(timeout=30)
            again, _ = run_cell(kc, "version")
            self.assertEqual(again["content"]["status"], "ok")
            self.assertEqual(again["content"]["execution_count"], 1)
        finally:
            stop_kernel(km, kc)


class ForgedMessageTests(unittest.TestCase):
    """A message signed with the wrong key, or not signed, is dropped and never executed."""

    def setUp(self):
        self.km, self.kc = start_kernel()

    def tearDown(self):
        stop_kernel(self.km, self.kc)

    def _send_raw(self, session, code):
        info = self.km.get_connection_info()
        context = zmq.Context.instance()
        socket = context.socket(zmq.DEALER)
        socket.linger = 0
        socket.connect(f"{info['transport']}://{info['ip']}:{info['shell_port']}")
        msg = session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                              "user_expressions": {}, "allow_stdin": False,
                                              "stop_on_error": True})
        session.send(socket, msg)
        got_reply = socket.poll(2000) != 0
        socket.close()
        return got_reply

    def _assert_not_executed(self, marker):
        msg_id = self.kc.history(hist_access_type="tail", n=100, output=False, raw=True)
        history = shell_reply(self.kc, msg_id)["content"]["history"]
        self.assertFalse(any(marker in entry[2] for entry in history), history)
        reply, _ = run_cell(self.kc, "version")
        self.assertEqual(reply["content"]["execution_count"], 1, "a forged cell advanced the count")

    def test_wrong_key(self):
        wrong = Session(key=b"not-the-kernel-key", signature_scheme="hmac-sha256")
        self.assertFalse(self._send_raw(wrong, "echo forged-wrong-key"))
        self._assert_not_executed("forged-wrong-key")

    def test_no_signature(self):
        unsigned = Session(key=b"")
        self.assertFalse(self._send_raw(unsigned, "echo forged-unsigned"))
        self._assert_not_executed("forged-unsigned")


class IPCTransportTests(unittest.TestCase):
    def test_ipc_kernel_answers(self):
        km, kc = start_kernel(transport="ipc")
        try:
            self.assertEqual(km.transport, "ipc")
            reply, _ = run_cell(kc, "version")
            self.assertEqual(reply["content"]["status"], "ok")
            msg_id = kc.is_complete("echo a \\")
            self.assertEqual(shell_reply(kc, msg_id)["content"]["status"], "incomplete")
        finally:
            stop_kernel(km, kc)


if __name__ == "__main__":
    unittest.main()
