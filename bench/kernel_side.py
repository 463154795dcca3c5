"""Kernel start-up and execute round trip, through jupyter_client, for one kernelspec.

  python kernel_side.py --kernel NAME --code CODE [--executes N]

JUPYTER_PATH must make NAME findable. One start per process run: the time from
KernelManager.start_kernel() to the first kernel_info_reply on the shell channel,
then the median of N execute round trips (execute_request sent -> execute_reply
received) of CODE after 3 untimed ones. One JSON line out.
"""
import argparse
import json
import statistics
import time

from jupyter_client.manager import KernelManager


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", required=True)
    p.add_argument("--code", required=True)
    p.add_argument("--executes", type=int, default=30)
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()

    km = KernelManager(kernel_name=args.kernel)
    t0 = time.perf_counter()
    km.start_kernel()
    launched = time.perf_counter() - t0
    kc = km.client()
    kc.start_channels()
    # Ask for kernel_info until the first reply arrives (a request sent before the
    # kernel has bound its sockets waits in ZeroMQ's queue; re-ask once a second anyway).
    startup = None
    asked = []
    next_ask = 0.0
    while startup is None:
        now = time.perf_counter()
        if now - t0 > args.timeout:
            raise SystemExit(f"{args.kernel}: no kernel_info_reply within {args.timeout} s")
        if now >= next_ask:
            asked.append(kc.kernel_info())
            next_ask = now + 1.0
        try:
            msg = kc.get_shell_msg(timeout=0.005)
        except Exception:
            continue
        if msg["msg_type"] == "kernel_info_reply" and msg["parent_header"].get("msg_id") in asked:
            startup = time.perf_counter() - t0
            info = msg["content"]

    def round_trip():
        s = time.perf_counter()
        mid = kc.execute(args.code, silent=False, store_history=True)
        while True:
            msg = kc.get_shell_msg(timeout=args.timeout)
            if msg["msg_type"] == "execute_reply" and msg["parent_header"].get("msg_id") == mid:
                elapsed = time.perf_counter() - s
                if msg["content"].get("status") != "ok":
                    raise SystemExit(f"{args.kernel}: cell failed: {msg['content']}")
                return elapsed

    for _ in range(3):
        round_trip()
    trips = [round_trip() for _ in range(args.executes)]
    # Drain IOPub so the kernel is not blocked, then shut down (not timed).
    while True:
        try:
            kc.get_iopub_msg(timeout=0.05)
        except Exception:
            break
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    print(json.dumps({
        "kernel": args.kernel,
        "implementation": info.get("implementation"),
        "startup_s": startup,
        "launch_s": launched,
        "execute_median_s": statistics.median(trips),
        "execute_min_s": min(trips),
        "executes": len(trips),
    }), flush=True)


if __name__ == "__main__":
    main()
