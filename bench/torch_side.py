"""PyTorch side of the side-by-side benchmark: one workload per process, one JSON line out.

Run by bench/compare.py inside bench's private venv, never in CI.

  python torch_side.py model resnet18|plain10 --format nchw|channels_last [--steps N] [--batch N]
  python torch_side.py loader --workers 0|1 [--images N] [--epochs N]
  python torch_side.py fulllab --format nchw|channels_last [--epochs 5] [--workers 0]

Every figure mirrors what `swift-lab bench` measures on our side: the same shapes, the same
optimizer and loss, the same number of warm-up steps (not timed) and timed steps, and the
peak resident memory (VmHWM) of the process that did the work.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision import transforms


def peak_rss_mb():
    """VmHWM of this process in MiB (ru_maxrss as a fallback)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def plain_cnn(depth=10, width=64, in_channels=3, classes=10):
    """The lab's plain network: `depth` 3x3 convs with bias and ReLU, no BN, global pool, linear head."""
    layers = []
    c = in_channels
    for _ in range(depth):
        layers += [nn.Conv2d(c, width, 3, padding=1, bias=True), nn.ReLU(inplace=True)]
        c = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, classes)]
    return nn.Sequential(*layers)


def resnet18(in_channels=3, classes=10):
    model = torchvision.models.resnet18(weights=None, num_classes=classes)
    if in_channels != 3:
        model.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    return model


def run_model(args):
    torch.manual_seed(0)
    model = resnet18() if args.name == "resnet18" else plain_cnn()
    fmt = torch.channels_last if args.format == "channels_last" else torch.contiguous_format
    model = model.to(memory_format=fmt)
    g = torch.Generator().manual_seed(42)
    x = (torch.rand(args.batch, 3, 32, 32, generator=g) * 2 - 1).contiguous(memory_format=fmt)
    y = torch.randint(0, 10, (args.batch,), generator=g)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    model.train()
    for _ in range(args.warmup):
        train_step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        train_step()
    train_s = time.perf_counter() - t0

    model.eval()
    with torch.inference_mode():
        for _ in range(args.warmup):
            model(x)
        t0 = time.perf_counter()
        for _ in range(args.steps):
            model(x)
        infer_s = time.perf_counter() - t0
    return {
        "workload": f"{args.name}-3x32x32", "format": args.format, "batch": args.batch,
        "train_img_s": args.batch * args.steps / train_s,
        "infer_img_s": args.batch * args.steps / infer_s,
        "peak_rss_mb": peak_rss_mb(),
    }


class UInt8Images(torch.utils.data.Dataset):
    """Like torchvision.datasets.CIFAR10: HWC uint8 arrays, a PIL image per item, then the transform."""

    def __init__(self, images, labels, transform, mode=None):
        self.images, self.labels, self.transform, self.mode = images, labels, transform, mode

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        from PIL import Image
        img = Image.fromarray(self.images[i], mode=self.mode)
        return self.transform(img), int(self.labels[i])


def run_loader(args):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(args.images, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(args.images) % 10
    tf = transforms.Compose([
        transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(),
        transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    ])
    ds = UInt8Images(images, labels, tf)
    loader = torch.utils.data.DataLoader(ds, batch_size=128, shuffle=True, num_workers=args.workers,
                                         persistent_workers=args.workers > 0)
    checksum = 0.0
    for xb, _ in loader:  # one warm-up epoch (starts the worker), not timed
        checksum += float(xb[0, 0, 0, 0])
    delivered = 0
    t0 = time.perf_counter()
    for _ in range(args.epochs):
        for xb, _ in loader:
            delivered += xb.shape[0]
            checksum += float(xb[0, 0, 0, 0])
    secs = time.perf_counter() - t0
    return {"workload": "loader-3x32x32", "workers": args.workers, "img_s": delivered / secs,
            "peak_rss_mb": peak_rss_mb()}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def run_fulllab(args):
    """The lab's recipe on Fashion-MNIST: ResNet-18 (1-channel stem), Adam 1e-3, batch 128, 5 epochs."""
    start = time.perf_counter()
    torch.manual_seed(args.seed)
    root = args.fashion_dir
    xtr = read_idx(os.path.join(root, "train-images-idx3-ubyte.gz"))
    ytr = read_idx(os.path.join(root, "train-labels-idx1-ubyte.gz"))
    xte = read_idx(os.path.join(root, "t10k-images-idx3-ubyte.gz"))
    yte = read_idx(os.path.join(root, "t10k-labels-idx1-ubyte.gz"))
    train_tf = transforms.Compose([
        transforms.RandomCrop(28, padding=4), transforms.RandomHorizontalFlip(),
        transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,)),
    ])
    test_tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    train = torch.utils.data.DataLoader(UInt8Images(xtr, ytr, train_tf, mode="L"), batch_size=128,
                                        shuffle=True, num_workers=args.workers)
    test = torch.utils.data.DataLoader(UInt8Images(xte, yte, test_tf, mode="L"), batch_size=128,
                                       shuffle=False, num_workers=args.workers)
    fmt = torch.channels_last if args.format == "channels_last" else torch.contiguous_format
    model = resnet18(in_channels=1).to(memory_format=fmt)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    epochs = []
    for epoch in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        total, correct, loss_sum, batches = 0, 0, 0.0, 0
        for xb, yb in train:
            xb = xb.contiguous(memory_format=fmt)
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            batches += 1
            correct += (out.argmax(1) == yb).sum().item()
            total += yb.shape[0]
        epochs.append({"epoch": epoch + 1, "loss": loss_sum / batches, "train_acc": 100.0 * correct / total,
                       "seconds": time.perf_counter() - t0})
        print(json.dumps(epochs[-1]), file=sys.stderr, flush=True)
    model.eval()
    correct = 0
    with torch.inference_mode():
        for xb, yb in test:
            correct += (model(xb.contiguous(memory_format=fmt)).argmax(1) == yb).sum().item()
    return {"workload": "fulllab-fashion-mnist", "format": args.format, "epochs": epochs,
            "test_acc": 100.0 * correct / len(yte), "inprocess_s": time.perf_counter() - start,
            "peak_rss_mb": peak_rss_mb()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    sub = p.add_subparsers(dest="what", required=True)
    m = sub.add_parser("model")
    m.add_argument("name", choices=["resnet18", "plain10"])
    m.add_argument("--format", choices=["nchw", "channels_last"], default="nchw")
    m.add_argument("--steps", type=int, default=10)
    m.add_argument("--warmup", type=int, default=2)
    m.add_argument("--batch", type=int, default=128)
    ld = sub.add_parser("loader")
    ld.add_argument("--workers", type=int, default=0)
    ld.add_argument("--images", type=int, default=10_000)
    ld.add_argument("--epochs", type=int, default=3)
    fl = sub.add_parser("fulllab")
    fl.add_argument("--format", choices=["nchw", "channels_last"], default="nchw")
    fl.add_argument("--epochs", type=int, default=5)
    fl.add_argument("--workers", type=int, default=0)
    fl.add_argument("--seed", type=int, default=0, help="torch.manual_seed for initialization and data order")
    fl.add_argument("--fashion-dir", default="/usr/share/datasets/fashion-mnist")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    result = {"model": run_model, "loader": run_loader, "fulllab": run_fulllab}[args.what](args)
    result["torch"] = torch.__version__
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
