"""Runs Swift Lab and PyTorch/ipykernel side by side, alternating, and writes the comparison table.

Started by bench/compare.sh inside bench/.venv. Every measurement is a fresh process that prints
one JSON line; ours and theirs take turns (ours, theirs, ours, theirs, ...) so that a change of
load on the machine hits both sides alike. Figures are medians over the repetitions.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
RUNS = []  # every raw result, in the order it was taken


def loadavg():
    return "%.2f %.2f %.2f" % os.getloadavg()


def run_json(label, argv, env=None, timeout=3600):
    """Runs argv, returns the last JSON line of its stdout (tagged with label and the load average)."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        raise SystemExit(f"compare: {label} failed ({p.returncode}): {' '.join(argv)}")
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    r = json.loads(lines[-1])
    r.update(label=label, load1=load, wall_s=wall)
    RUNS.append(r)
    print(f"  {label:<34} {summary(r)}   (load {load:.2f})", flush=True)
    return r


def summary(r):
    keys = [("train_img_s", "train %.1f img/s"), ("infer_img_s", "infer %.1f img/s"), ("img_s", "%.0f img/s"),
            ("peak_rss_mb", "peak %.0f MiB"), ("startup_s", "start-up %.3f s"),
            ("execute_median_s", "execute %.2f ms")]
    out = []
    for k, fmt in keys:
        if k in r:
            v = r[k] * 1000 if k == "execute_median_s" else r[k]
            out.append(fmt % v)
    return ", ".join(out)


def med(rs, key):
    return statistics.median(r[key] for r in rs)


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        m = re.search(r"model name\s*:\s*(.*)", text)
        cpu = m.group(1).strip() if m else cpu
        flags = re.search(r"flags\s*:\s*(.*)", text).group(1).split()
        isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "SSE")
        cpu += f", {isa}"
    except (OSError, AttributeError):
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores, {cpu}{mem}, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swift-lab", required=True)
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each model workload per side and format")
    ap.add_argument("--steps", type=int, default=10, help="timed ResNet-18 steps per run (after 2 warm-up)")
    ap.add_argument("--plain-steps", type=int, default=4, help="timed plain-CNN steps per run (after 2 warm-up)")
    ap.add_argument("--kernel-reps", type=int, default=7, help="kernel start-ups per side")
    ap.add_argument("--executes", type=int, default=30, help="timed execute round trips per kernel start")
    ap.add_argument("--full-lab", action="store_true", help="also the 5-epoch Fashion-MNIST lab on both sides (long)")
    ap.add_argument("--full-lab-only", action="store_true", help="only the full lab, written to results/fulllab.md")
    ap.add_argument("--quick", action="store_true", help="1 repetition, 2 steps: a smoke test of the script")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    if args.quick:
        args.reps, args.steps, args.plain_steps, args.kernel_reps, args.executes = 1, 2, 1, 1, 5
    ours = os.path.abspath(args.swift_lab)
    torch_side = [PY, os.path.join(HERE, "torch_side.py"), "--threads", "2"]
    tenv = dict(os.environ, OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    load_start = loadavg()

    import torch
    import torchvision
    import ipykernel
    import jupyter_client
    versions = (f"torch {torch.__version__} (CPU, {torch.get_num_threads()} threads set to 2), torchvision "
                f"{torchvision.__version__}, ipykernel {ipykernel.__version__}, jupyter_client {jupyter_client.__version__}")
    engine = subprocess.run([ours, "bench", "--steps", "1", "--only", "loader"], capture_output=True, text=True).stdout
    engine = engine.splitlines()[0] if engine else "?"
    print(f"machine: {machine()}\nours: {engine}\ntheirs: {versions}\nload average at start: {load_start}", flush=True)

    rows = []  # (workload, ours text, theirs text, ratio, target text, met)
    rec = {}

    def fmt_ratio(x):
        return f"{x:.2f}x"

    if not args.full_lab_only:
        # ResNet-18 and the plain CNN: ours, torch NCHW, ours, torch channels_last, ... per repetition.
        for name, steps, ours_name in (("resnet18", args.steps, "resnet18-3x32x32"),
                                       ("plain10", args.plain_steps, "plain10-3x32x32")):
            print(f"== {name}: training step (Adam, cross-entropy) and inference, batch 128, 3x32x32", flush=True)
            o, t = [], {"nchw": [], "channels_last": []}
            for rep in range(args.reps):
                for fmt in ("nchw", "channels_last"):
                    o.append(run_json(f"ours {name} #{rep + 1}",
                                      [ours, "bench", "--json", "--steps", str(steps), "--only", ours_name]))
                    t[fmt].append(run_json(f"torch {name} {fmt} #{rep + 1}",
                                           torch_side + ["model", name, "--format", fmt, "--steps", str(steps)], env=tenv))
            best = max(t, key=lambda f: med(t[f], "train_img_s"))
            best_inf = max(t, key=lambda f: med(t[f], "infer_img_s"))
            rec[name] = (o, t, best, best_inf)

        print("== data loader alone: augmented CIFAR-shaped batches of 128 (crop 32 pad 4, flip, normalize)", flush=True)
        lo, lt = [], {0: [], 1: []}
        for rep in range(args.reps):
            for w in (0, 1):
                lo.append(run_json(f"ours loader #{rep + 1}", [ours, "bench", "--json", "--only", "loader"]))
                lt[w].append(run_json(f"torch DataLoader workers={w} #{rep + 1}",
                                      torch_side + ["loader", "--workers", str(w)], env=tenv))

        print("== kernels through jupyter_client: start-up to first kernel_info_reply, execute round trip", flush=True)
        kdir = tempfile.mkdtemp(prefix="swift-lab-bench-kernels-")
        try:
            subprocess.run([ours, "install-kernel", "--prefix", kdir, "--name", "swift-lab-bench"], check=True,
                           capture_output=True)
            subprocess.run([PY, "-m", "ipykernel", "install", "--prefix", kdir, "--name", "ipykernel-bench"],
                           check=True, capture_output=True)
            kenv = dict(os.environ, JUPYTER_PATH=os.path.join(kdir, "share", "jupyter"))
            ko, kt = [], []
            for rep in range(args.kernel_reps):
                ko.append(run_json(f"ours kernel #{rep + 1} (`version`)",
                                   [PY, os.path.join(HERE, "kernel_side.py"), "--kernel", "swift-lab-bench",
                                    "--code", "version", "--executes", str(args.executes)], env=kenv))
                kt.append(run_json(f"ipykernel #{rep + 1} (`1`)",
                                   [PY, os.path.join(HERE, "kernel_side.py"), "--kernel", "ipykernel-bench",
                                    "--code", "1", "--executes", str(args.executes)], env=kenv))
        finally:
            shutil.rmtree(kdir, ignore_errors=True)

        # The table.
        o, t, best, best_inf = rec["resnet18"]
        a, b = med(o, "train_img_s"), med(t[best], "train_img_s")
        rows.append(("ResNet-18 training step, img/s", f"{a:.1f}", f"{b:.1f} ({best})", a / b, ">= 1.3x", a / b >= 1.3))
        a, b = med(o, "infer_img_s"), med(t[best_inf], "infer_img_s")
        rows.append(("ResNet-18 inference, img/s", f"{a:.1f}", f"{b:.1f} ({best_inf})", a / b, ">= 1.3x", a / b >= 1.3))
        a, b = med(o, "peak_rss_mb"), med(t[best], "peak_rss_mb")
        rows.append(("peak resident memory, ResNet-18 training, MiB", f"{a:.0f}", f"{b:.0f} ({best})", a / b,
                     "<= 0.5x", a / b <= 0.5))
        po, pt, pbest, pbest_inf = rec["plain10"]
        a, b = med(po, "train_img_s"), med(pt[pbest], "train_img_s")
        rows.append(("plain CNN (depth 10, width 64) training step, img/s", f"{a:.1f}", f"{b:.1f} ({pbest})", a / b,
                     ">= 1.3x", a / b >= 1.3))
        a, b = med(po, "infer_img_s"), med(pt[pbest_inf], "infer_img_s")
        rows.append(("plain CNN inference, img/s", f"{a:.1f}", f"{b:.1f} ({pbest_inf})", a / b, "-", None))
        lbest = max(lt, key=lambda w: med(lt[w], "img_s"))
        a, b = med(lo, "img_s"), med(lt[lbest], "img_s")
        rows.append(("data loader alone, augmented img/s", f"{a:.0f}", f"{b:.0f} (num_workers={lbest})", a / b, "-", None))
        a, b = med(ko, "startup_s"), med(kt, "startup_s")
        rows.append(("kernel start-up to first kernel_info_reply, s", f"{a:.3f}", f"{b:.3f}", a / b, "<= 0.2x", a / b <= 0.2))
        a, b = med(ko, "execute_median_s") * 1000, med(kt, "execute_median_s") * 1000
        rows.append(("execute round trip of a trivial cell, ms", f"{a:.2f}", f"{b:.2f}", a / b, "<= 0.3x", a / b <= 0.3))

        details = []
        for name in ("resnet18", "plain10"):
            o, t, _, _ = rec[name]
            details.append(f"| {name} ours | {med(o, 'train_img_s'):.1f} | {med(o, 'infer_img_s'):.1f} | "
                           f"{med(o, 'peak_rss_mb'):.0f} | {len(o)} |")
            for f in t:
                details.append(f"| {name} torch {f} | {med(t[f], 'train_img_s'):.1f} | {med(t[f], 'infer_img_s'):.1f} | "
                               f"{med(t[f], 'peak_rss_mb'):.0f} | {len(t[f])} |")
        loader_details = [f"ours {med(lo, 'img_s'):.0f} img/s"] + [
            f"torch num_workers={w} {med(lt[w], 'img_s'):.0f} img/s" for w in lt]
        kernel_details = (f"ours: launch (start_kernel() returns) {med(ko, 'launch_s'):.3f} s, "
                          f"execute min {min(r['execute_min_s'] for r in ko) * 1000:.2f} ms; ipykernel: launch "
                          f"{med(kt, 'launch_s'):.3f} s, execute min {min(r['execute_min_s'] for r in kt) * 1000:.2f} ms")
    else:
        details, loader_details, kernel_details = [], [], ""

    lab_rows = []
    if args.full_lab or args.full_lab_only:
        print("== full lab: Fashion-MNIST, ResNet-18, Adam 1e-3, batch 128, 5 epochs, crop 28 pad 4 + flip", flush=True)
        fmt = rec["resnet18"][2] if "resnet18" in rec else "channels_last"
        work = tempfile.mkdtemp(prefix="swift-lab-bench-lab-")
        script = os.path.join(work, "fulllab.lab")
        with open(script, "w") as f:
            f.write("seed 0\ndata fashion-mnist batch=128\nbuild resnet18\n"
                    "optimizer adam lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8\ntrain epochs=5\nevaluate\n")
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        p = subprocess.run([ours, "run", script, "--out", os.path.join(work, "out")], capture_output=True, text=True)
        ours_wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.stderr.write(p.stdout + p.stderr)
            raise SystemExit("compare: our full lab failed")
        m = re.search(r"test accuracy of \w+: ([0-9.]+)%", p.stdout)
        ours_acc = float(m.group(1)) if m else float("nan")
        epochs = re.findall(r"^epoch \d+ .*$", p.stdout, re.M)
        RUNS.append({"label": "ours full lab", "wall_s": ours_wall, "test_acc": ours_acc, "epochs": epochs, "load1": load})
        print(f"  ours full lab: {ours_wall:.1f} s, test accuracy {ours_acc:.2f}%   (load {load:.2f})", flush=True)
        for e in epochs:
            print("    " + e, flush=True)
        shutil.rmtree(work, ignore_errors=True)
        t0 = time.perf_counter()
        r = run_json(f"torch full lab ({fmt})", torch_side + ["fulllab", "--format", fmt], env=tenv, timeout=4 * 3600)
        theirs_wall = time.perf_counter() - t0
        lab_rows.append(("full lab (Fashion-MNIST, 5 epochs), wall s", f"{ours_wall:.0f}",
                         f"{theirs_wall:.0f} ({fmt}, num_workers=0)", ours_wall / theirs_wall, "<= 0.75x",
                         ours_wall / theirs_wall <= 0.75))
        d = ours_acc - r["test_acc"]
        lab_rows.append(("full lab test accuracy, %", f"{ours_acc:.2f}", f"{r['test_acc']:.2f}", None,
                         "within 1 point", abs(d) <= 1.0))

    load_end = loadavg()
    out = [f"# Swift Lab vs PyTorch CPU / ipykernel, side by side ({stamp})", "",
           f"- machine: {machine()}",
           f"- ours: {engine}",
           f"- theirs: {versions}",
           f"- load average (1, 5, 15 min) at start: {load_start}; at end: {load_end} "
           "(other jobs share this machine; the runs alternate so both sides see the same load)",
           f"- ratio is ours/theirs; throughput medians over {args.reps * 2} of our runs and {args.reps} of theirs "
           f"per memory format ({args.steps} timed ResNet-18 steps, {args.plain_steps} plain-CNN steps, each after 2 "
           f"warm-up steps); kernels: {args.kernel_reps} starts each, {args.executes} timed executes per start", "",
           "| workload | Swift Lab | PyTorch / ipykernel | ratio | target | met? |",
           "|---|---:|---:|---:|---|---|"]
    for w, a, b, ratio, target, met in rows + lab_rows:
        out.append(f"| {w} | {a} | {b} | {fmt_ratio(ratio) if ratio is not None else '-'} | {target} | "
                   f"{'-' if met is None else ('yes' if met else '**no**')} |")
    if details:
        out += ["", "Per side and memory format (medians): training img/s, inference img/s, peak MiB, runs", "",
                "| run | train img/s | infer img/s | peak MiB | runs |", "|---|---:|---:|---:|---:|"] + details
        out += ["", "Loader: " + "; ".join(loader_details) + ".", "", "Kernels: " + kernel_details + "."]
    text = "\n".join(out) + "\n"
    name = "fulllab.md" if args.full_lab_only else "latest.md"
    with open(os.path.join(args.out, name), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, f"runs-{stamp.replace(':', '')}.jsonl"), "w") as f:
        for r in RUNS:
            f.write(json.dumps(r) + "\n")
    print()
    print(text)
    print(f"written to {os.path.join(args.out, name)}")


if __name__ == "__main__":
    main()
