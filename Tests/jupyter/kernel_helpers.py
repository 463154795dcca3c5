"""Shared helpers for the Swift Lab kernel's Python tests: start a kernel, run a cell, collect its outputs."""
import time
from queue import Empty

from jupyter_client.manager import KernelManager

KERNEL_NAME = "swift-lab"
TIMEOUT = 30

# Lab commands that prepare a training run on the synthetic data set (no download). A small plain CNN
# keeps each batch short even in a debug build, so the interrupt is seen within a batch.
TRAIN_SETUP = "data synthetic batch=16\nbuild plain depth=3 width=16\noptimizer adam lr=0.001"
LONG_TRAINING = "train epochs=1000"


def start_kernel(**kwargs):
    """A started KernelManager and a ready BlockingKernelClient for the swift-lab kernel."""
    km = KernelManager(kernel_name=KERNEL_NAME, **kwargs)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc


def stop_kernel(km, kc):
    kc.stop_channels()
    if km.is_alive():
        km.shutdown_kernel(now=False)


def collect_outputs(kc, msg_id, timeout=TIMEOUT):
    """iopub messages whose parent is msg_id, up to its idle status."""
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
    raise AssertionError(f"no idle status for {msg_id} within {timeout} s: {[m['msg_type'] for m in messages]}")


def shell_reply(kc, msg_id, timeout=TIMEOUT):
    """The shell reply whose parent is msg_id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_shell_msg(timeout=0.2)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    raise AssertionError(f"no shell reply to {msg_id} within {timeout} s")


def run_cell(kc, code, timeout=TIMEOUT, **kwargs):
    """Executes code; returns (execute_reply, iopub messages)."""
    msg_id = kc.execute(code, **kwargs)
    reply = shell_reply(kc, msg_id, timeout)
    return reply, collect_outputs(kc, msg_id, timeout)
