"""Drives `swift-lab repl` through a pseudo-terminal: completion, history, Ctrl-C, Ctrl-D, recording.

Usage: python3 repl_pty_driver.py SWIFT_LAB_BINARY WORKDIR. Prints OK and exits 0 when every check passes;
otherwise exits 1 with what was expected and the last output seen. Standard library only.
"""
import os
import pty
import select
import signal
import sys
import time

binary, work = sys.argv[1], sys.argv[2]
history = os.path.join(work, "history")
record = os.path.join(work, "session.lab")


class Repl:
    def __init__(self, block_sigint=False):
        env = dict(os.environ, TERM="xterm-256color", SWIFT_LAB_HISTORY=history)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if block_sigint:
                # A launcher that blocks SIGINT (some CI runners do): the mask survives exec.
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            os.execve(binary, [binary, "repl", "--record", record], env)
        self.buf = b""

    def expect(self, pattern, timeout=120):
        pattern = pattern.encode() if isinstance(pattern, str) else pattern
        end = time.time() + timeout
        while pattern not in self.buf:
            left = end - time.time()
            r, _, _ = select.select([self.fd], [], [], max(0, left))
            if not r:
                fail(f"timeout waiting for {pattern!r}", self.buf)
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                fail(f"repl ended while waiting for {pattern!r}", self.buf)
            if not data:
                fail(f"repl closed while waiting for {pattern!r}", self.buf)
            self.buf += data
        i = self.buf.index(pattern) + len(pattern)
        seen, self.buf = self.buf[:i], self.buf[i:]
        return seen.decode(errors="replace")

    def send(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def wait_exit(self, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.2)
                if r:
                    self.buf += os.read(self.fd, 65536)
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        fail("repl did not exit", self.buf)


def fail(msg, buf=b""):
    # One line, so that a log excerpt showing only the failing line still shows what was on screen.
    print("FAIL:", msg, "| last output:", repr(buf[-1500:].decode(errors="replace")))
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


r = Repl(block_sigint=True)
r.expect("lab> ")
# Tab completion of a command, then of an argument name.
r.send("tra\t")
r.expect("train ")
r.send("\x15")  # kill the line
r.send("seed va\t")
r.expect("value=")
r.send("\x15")
# File names complete where a command takes a path.
os.makedirs(os.path.join(work, "ckpts"), exist_ok=True)
r.send(f"save {work}/ckp\t")
r.expect("ckpts/")
r.send("\x15")
# A plain command.
r.send("echo hello\r")
r.expect("hello\r\n")
r.expect("lab> ")
# Ctrl-C at the prompt drops the typed line.
r.send("echo partial")
r.expect("partial")
r.send("\x03")
r.expect("lab> ")
r.send("echo after\r")
out = r.expect("lab> ")
check("after" in out and "partialecho" not in out and "partial after" not in out, f"Ctrl-C did not clear the line: {out!r}")
# An error keeps the prompt.
r.send("trian\r")
out = r.expect("lab> ")
check("Did you mean 'train'?" in out, f"no suggestion: {out!r}")
# Training interrupted by Ctrl-C, model kept.
r.send("data synthetic train=4096 test=16 batch=16\r")
r.expect("lab> ")
r.send("build resnet18\r")
r.expect("lab> ")
r.send("train epochs=50\r")
r.expect("batches")
time.sleep(1.0)
r.send("\x03")
out = r.expect("lab> ", timeout=120)
check("training interrupted in epoch 1" in out, f"no interrupt report: {out!r}")
r.send("params\r")
out = r.expect("lab> ")
check("11,181,642" in out, f"model lost after interrupt: {out!r}")
# Ctrl-D exits cleanly.
r.send("\x04")
code = r.wait_exit()
check(code == 0, f"exit status {code}")

hist = open(history).read()
for line in ["echo hello", "echo after", "train epochs=50", "params"]:
    check(line in hist, f"history lacks {line!r}: {hist!r}")
rec = [l for l in open(record).read().splitlines() if l and not l.startswith("# swift-lab")]
check(rec == ["echo hello", "echo after", "data synthetic train=4096 test=16 batch=16", "build resnet18",
              "# interrupted: train epochs=50", "params"], f"recorded script: {rec!r}")

# History survives into a new run: Up recalls the last line.
r = Repl()
r.expect("lab> ")
r.send("\x1b[A")
r.expect("params")
r.send("\x15")
r.send("\x04")
check(r.wait_exit() == 0, "second run did not exit cleanly")
print("OK")
