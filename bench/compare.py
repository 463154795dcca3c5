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
RUNS_FILE = []  # the open runs-*.jsonl, once main has made it


def record(r):
    """Keeps a result (the meta record goes to the file only) and appends it to the runs file at once."""
    if r.get("label") != "meta":
        RUNS.append(r)
    if RUNS_FILE:
        RUNS_FILE[0].write(json.dumps(r) + "\n")
        RUNS_FILE[0].flush()


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
    record(r)
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


def group(runs, prefix):
    """The runs whose label, without its trailing ' #k', equals prefix."""
    return [r for r in runs if re.sub(r" #\d+.*$", "", r["label"]) == prefix]


def render(runs, meta):
    """The Markdown report for `runs` (what main measured, or a runs file read back)."""
    rows = []  # (workload, ours, theirs, ratio of medians, ratio of bests, target, met)

    def add(work, o, t, key, unit_fmt, target, better_high, theirs_note="", scale=1.0):
        if not o or not t:
            return
        a, b = med(o, key) * scale, med(t, key) * scale
        pick = max if better_high else min
        ab, bb = pick(r[key] for r in o) * scale, pick(r[key] for r in t) * scale
        ratio, best_ratio = a / b, ab / bb
        met = None
        if target:
            op, x = target.split()
            met = ratio >= float(x.rstrip("x")) if op == ">=" else ratio <= float(x.rstrip("x"))
        rows.append((work, unit_fmt % a, (unit_fmt % b) + theirs_note, ratio, best_ratio, target or "-", met))

    details = []
    fmts = ("nchw", "channels_last")
    for name, title, tgt_train, tgt_infer in (("resnet18", "ResNet-18", ">= 1.3x", ">= 1.3x"),
                                              ("plain10", "plain CNN (depth 10, width 64)", ">= 1.3x", None)):
        o = group(runs, f"ours {name}")
        t = {f: group(runs, f"torch {name} {f}") for f in fmts}
        t = {f: v for f, v in t.items() if v}
        if not o or not t:
            continue
        bt = max(t, key=lambda f: med(t[f], "train_img_s"))
        bi = max(t, key=lambda f: med(t[f], "infer_img_s"))
        add(f"{title} training step, img/s", o, t[bt], "train_img_s", "%.1f", tgt_train, True, f" ({bt})")
        add(f"{title} inference, img/s", o, t[bi], "infer_img_s", "%.1f", tgt_infer, True, f" ({bi})")
        if name == "resnet18":
            add("peak resident memory, ResNet-18 training + inference run, MiB", o, t[bt], "peak_rss_mb", "%.0f",
                "<= 0.5x", False, f" ({bt})")
        details.append(f"| {name} ours | {med(o, 'train_img_s'):.1f} | {max(r['train_img_s'] for r in o):.1f} | "
                       f"{med(o, 'infer_img_s'):.1f} | {max(r['infer_img_s'] for r in o):.1f} | "
                       f"{med(o, 'peak_rss_mb'):.0f} | {len(o)} |")
        for f in t:
            v = t[f]
            details.append(f"| {name} torch {f} | {med(v, 'train_img_s'):.1f} | {max(r['train_img_s'] for r in v):.1f} | "
                           f"{med(v, 'infer_img_s'):.1f} | {max(r['infer_img_s'] for r in v):.1f} | "
                           f"{med(v, 'peak_rss_mb'):.0f} | {len(v)} |")

    lo = group(runs, "ours loader")
    lt = {w: group(runs, f"torch DataLoader workers={w}") for w in (0, 1)}
    lt = {w: v for w, v in lt.items() if v}
    loader_details = []
    if lo and lt:
        lb = max(lt, key=lambda w: med(lt[w], "img_s"))
        add("data loader alone, augmented img/s", lo, lt[lb], "img_s", "%.0f", None, True, f" (num_workers={lb})")
        loader_details = [f"ours {med(lo, 'img_s'):.0f} img/s"] + [
            f"torch num_workers={w} {med(lt[w], 'img_s'):.0f} img/s" for w in lt]

    ko, kt = group(runs, "ours kernel"), group(runs, "ipykernel")
    kernel_details = ""
    if ko and kt:
        add("kernel start-up to first kernel_info_reply, s", ko, kt, "startup_s", "%.3f", "<= 0.2x", False)
        add("execute round trip of a trivial cell, ms", ko, kt, "execute_median_s", "%.2f", "<= 0.3x", False, scale=1000)
        if all("launch_s" in r and "execute_min_s" in r for r in ko + kt):
            kernel_details = (f"jupyter_client's own launch (start_kernel() returning) takes {med(ko, 'launch_s'):.3f} s "
                              f"for ours and {med(kt, 'launch_s'):.3f} s for ipykernel; fastest execute round trip "
                              f"{min(r['execute_min_s'] for r in ko) * 1000:.2f} ms (ours) and "
                              f"{min(r['execute_min_s'] for r in kt) * 1000:.2f} ms (ipykernel)")

    fo, ft = group(runs, "ours full lab"), [r for r in runs if r["label"].startswith("torch full lab")]
    lab_details = []
    if fo and ft:
        note = f" ({ft[0].get('format', '?')}, num_workers=0)"
        add("full lab (Fashion-MNIST, 5 epochs, data preparation included), wall s", fo, ft, "wall_s", "%.0f",
            "<= 0.75x", False, note)
        a, b = fo[-1]["test_acc"], ft[-1]["test_acc"]
        rows.append(("full lab test accuracy, %", f"{a:.2f}", f"{b:.2f}", None, None, "within 1 point", abs(a - b) <= 1.0))
        lab_details = ["ours: " + "; ".join(fo[-1].get("epochs", [])),
                       "PyTorch: " + "; ".join(f"epoch {e['epoch']} loss {e['loss']:.4f} train accuracy "
                                              f"{e['train_acc']:.2f}% {e['seconds']:.0f}s" for e in ft[-1]["epochs"])]

    loads = [r["load1"] for r in runs if "load1" in r]
    out = [f"# Swift Lab vs PyTorch CPU / ipykernel, side by side ({meta['stamp']})", "",
           f"- machine: {meta['machine']}",
           f"- ours: {meta['engine']} (commit {meta.get('commit', '?')})",
           f"- theirs: {meta['versions']}",
           f"- load average (1, 5, 15 min) at start: {meta['load_start']}; at end: {meta.get('load_end', '?')}; "
           f"1-min load when each run started: {min(loads):.2f} to {max(loads):.2f} (median {statistics.median(loads):.2f}) "
           "-- other jobs (compilers) share these 2 cores; the runs alternate so both sides see the same load"
           if loads else "",
           f"- {meta['method']}",
           "- ratio = ours/theirs of the medians; 'best ratio' = ours/theirs of each side's best run (less sensitive "
           "to a busy machine); 'met?' judges the ratio of medians", "",
           "| workload | Swift Lab | PyTorch / ipykernel | ratio | best ratio | target | met? |",
           "|---|---:|---:|---:|---:|---|---|"]
    for w, a, b, ratio, best_ratio, target, met in rows:
        fr = (lambda x: "-" if x is None else f"{x:.2f}x")
        out.append(f"| {w} | {a} | {b} | {fr(ratio)} | {fr(best_ratio)} | {target} | "
                   f"{'-' if met is None else ('yes' if met else '**no**')} |")
    if details:
        out += ["", "Per side and memory format: training and inference img/s (median, best), peak MiB (median), runs", "",
                "| run | train median | train best | infer median | infer best | peak MiB | runs |",
                "|---|---:|---:|---:|---:|---:|---:|"] + details
    if loader_details:
        out += ["", "Loader: " + "; ".join(loader_details) + "."]
    if kernel_details:
        out += ["", "Kernels: " + kernel_details + "."]
    if lab_details:
        out += ["", "Full lab epochs:", ""] + ["- " + d for d in lab_details]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swift-lab", help="the release binary (required unless --from-runs)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each model workload per side and format")
    ap.add_argument("--steps", type=int, default=10, help="timed ResNet-18 steps per run (after 2 warm-up)")
    ap.add_argument("--plain-steps", type=int, default=4, help="timed plain-CNN steps per run (after 2 warm-up)")
    ap.add_argument("--kernel-reps", type=int, default=7, help="kernel start-ups per side")
    ap.add_argument("--executes", type=int, default=30, help="timed execute round trips per kernel start")
    ap.add_argument("--full-lab", action="store_true", help="also the 5-epoch Fashion-MNIST lab on both sides (long)")
    ap.add_argument("--full-lab-only", action="store_true", help="only the full lab, written to results/fulllab.md")
    ap.add_argument("--lab-seed", type=int, default=0, help="seed of the full lab on both sides (a second seed shows the spread)")
    ap.add_argument("--quick", action="store_true", help="1 repetition, 2 steps: a smoke test of the script")
    ap.add_argument("--only", default="resnet18,plain10,loader,kernels",
                    help="comma-separated subset of resnet18, plain10, loader, kernels (default: all)")
    ap.add_argument("--from-runs", help="re-render the table from a results/runs-*.jsonl file; measures nothing")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.from_runs:
        with open(args.from_runs) as f:
            records = [json.loads(l) for l in f if l.strip()]
        meta = next(r for r in records if r.get("label") == "meta")
        text = render([r for r in records if r.get("label") != "meta"], meta)
        with open(os.path.join(args.out, "latest.md"), "w") as f:
            f.write(text)
        print(text)
        return
    if not args.swift_lab:
        ap.error("--swift-lab is required")
    if args.quick:
        args.reps, args.steps, args.plain_steps, args.kernel_reps, args.executes = 1, 2, 1, 1, 5
    ours = os.path.abspath(args.swift_lab)
    torch_side = [PY, os.path.join(HERE, "torch_side.py"), "--threads", "2"]
    tenv = dict(os.environ, OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    import torch
    import torchvision
    import ipykernel
    import jupyter_client
    versions = (f"torch {torch.__version__} (CPU, torch.set_num_threads(2)), torchvision "
                f"{torchvision.__version__}, ipykernel {ipykernel.__version__}, jupyter_client {jupyter_client.__version__}")
    engine = subprocess.run([ours, "bench", "--steps", "1", "--only", "loader"], capture_output=True, text=True).stdout
    engine = engine.splitlines()[0] if engine else "?"
    commit = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip() or "?"
    meta = {"label": "meta", "stamp": stamp, "machine": machine(), "engine": engine, "versions": versions,
            "commit": commit, "load_start": loadavg(),
            "method": (f"medians over {args.reps * 2} of our runs and {args.reps} of theirs per memory format, each a fresh "
                       f"process ({args.steps} timed ResNet-18 steps, {args.plain_steps} timed plain-CNN steps, each after "
                       f"2 warm-up steps; loader: 1 warm-up and 3 timed epochs of 10,000 images); kernels: "
                       f"{args.kernel_reps} starts each, median of {args.executes} timed executes per start")}
    print(f"machine: {meta['machine']}\nours: {engine} ({commit})\ntheirs: {versions}\n"
          f"load average at start: {meta['load_start']}", flush=True)
    runs_path = os.path.join(args.out, f"runs-{stamp.replace(':', '')}.jsonl")
    RUNS_FILE.append(open(runs_path, "w"))

    if not args.full_lab_only:
        # ResNet-18 and the plain CNN: ours, torch NCHW, ours, torch channels_last, ... per repetition.
        only = set(args.only.split(","))
        for name, steps, ours_name in (("resnet18", args.steps, "resnet18-3x32x32"),
                                       ("plain10", args.plain_steps, "plain10-3x32x32")):
            if name not in only:
                continue
            print(f"== {name}: training step (Adam, cross-entropy) and inference, batch 128, 3x32x32", flush=True)
            for rep in range(args.reps):
                for fmt in ("nchw", "channels_last"):
                    run_json(f"ours {name} #{rep + 1}",
                             [ours, "bench", "--json", "--steps", str(steps), "--only", ours_name])
                    run_json(f"torch {name} {fmt} #{rep + 1}",
                             torch_side + ["model", name, "--format", fmt, "--steps", str(steps)], env=tenv)

        print("== data loader alone: augmented CIFAR-shaped batches of 128 (crop 32 pad 4, flip, normalize)", flush=True)
        for rep in range(args.reps if "loader" in only else 0):
            for w in (0, 1):
                run_json(f"ours loader #{rep + 1}", [ours, "bench", "--json", "--only", "loader"])
                run_json(f"torch DataLoader workers={w} #{rep + 1}", torch_side + ["loader", "--workers", str(w)], env=tenv)

        print("== kernels through jupyter_client: start-up to first kernel_info_reply, execute round trip", flush=True)
        kdir = tempfile.mkdtemp(prefix="swift-lab-bench-kernels-")
        try:
            subprocess.run([ours, "install-kernel", "--prefix", kdir, "--name", "swift-lab-bench"], check=True,
                           capture_output=True)
            subprocess.run([PY, "-m", "ipykernel", "install", "--prefix", kdir, "--name", "ipykernel-bench"],
                           check=True, capture_output=True)
            kenv = dict(os.environ, JUPYTER_PATH=os.path.join(kdir, "share", "jupyter"))
            for rep in range(args.kernel_reps if "kernels" in only else 0):
                run_json(f"ours kernel #{rep + 1} (`version`)",
                         [PY, os.path.join(HERE, "kernel_side.py"), "--kernel", "swift-lab-bench",
                          "--code", "version", "--executes", str(args.executes)], env=kenv)
                run_json(f"ipykernel #{rep + 1} (`1`)",
                         [PY, os.path.join(HERE, "kernel_side.py"), "--kernel", "ipykernel-bench",
                          "--code", "1", "--executes", str(args.executes)], env=kenv)
        finally:
            shutil.rmtree(kdir, ignore_errors=True)

    if args.full_lab or args.full_lab_only:
        print("== full lab: Fashion-MNIST, ResNet-18, Adam 1e-3, batch 128, 5 epochs, crop 28 pad 4 + flip", flush=True)
        t = {f: group(RUNS, f"torch resnet18 {f}") for f in ("nchw", "channels_last")}
        fmt = max(t, key=lambda f: med(t[f], "train_img_s")) if all(t.values()) else "channels_last"
        work = tempfile.mkdtemp(prefix="swift-lab-bench-lab-")
        script = os.path.join(work, "fulllab.lab")
        with open(script, "w") as f:
            f.write(f"seed {args.lab_seed}\ndata fashion-mnist batch=128\nbuild resnet18\n"
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
        record({"label": "ours full lab", "wall_s": ours_wall, "test_acc": ours_acc, "epochs": epochs, "load1": load})
        print(f"  ours full lab: {ours_wall:.1f} s, test accuracy {ours_acc:.2f}%   (load {load:.2f})", flush=True)
        for e in epochs:
            print("    " + e, flush=True)
        shutil.rmtree(work, ignore_errors=True)
        run_json(f"torch full lab ({fmt})", torch_side + ["fulllab", "--format", fmt, "--seed", str(args.lab_seed)],
                 env=tenv, timeout=4 * 3600)

    meta["load_end"] = loadavg()
    record(meta)
    text = render(RUNS, meta)
    name = ("fulllab.md" if args.lab_seed == 0 else f"fulllab-seed{args.lab_seed}.md") if args.full_lab_only else "latest.md"
    with open(os.path.join(args.out, name), "w") as f:
        f.write(text)
    print()
    print(text)
    print(f"written to {os.path.join(args.out, name)}; every run in {runs_path}")


if __name__ == "__main__":
    main()
