#!/usr/bin/env python3
"""By-hand check that full-size ResNet-18 checkpoints cross between swift-lab and torchvision.

    python tools/verify_checkpoint.py check-swift DIR   # load DIR/swift_resnet18.safetensors into torchvision
    python tools/verify_checkpoint.py make-torch DIR    # write DIR/torch_resnet18(_io).safetensors for Swift

check-swift: strict torchvision.models.resnet18(num_classes=10).load_state_dict(load_file(...)), then
compares eval logits on the stored input with swift-lab's (relative L2 error, must be <= 1e-4).
make-torch: a seeded torchvision resnet18(num_classes=10) with non-trivial BatchNorm statistics,
saved with safetensors.torch.save_file, plus an input and float64-computed eval logits.
"""
import os
import sys

import safetensors.torch
import torch
import torchvision


def rel(a, b):
    return ((a.double() - b.double()).norm() / b.double().norm()).item()


def check_swift(d):
    sd = safetensors.torch.load_file(os.path.join(d, "swift_resnet18.safetensors"))
    io = safetensors.torch.load_file(os.path.join(d, "swift_resnet18_io.safetensors"))
    model = torchvision.models.resnet18(num_classes=10)
    result = model.load_state_dict(sd, strict=True)
    print("load_state_dict:", result, "-", len(sd), "tensors")
    model.eval()
    with torch.no_grad():
        logits = model.double()(io["input"].double())
    err = rel(logits, io["logits_eval"])
    print(f"logits relative L2 error torch(float64) vs swift-lab: {err:.3e}")
    print("num_batches_tracked:", sd["bn1.num_batches_tracked"].item(), sd["bn1.num_batches_tracked"].dtype)
    assert err <= 1e-4, "logits differ"
    print("OK")


def make_torch(d):
    torch.manual_seed(2024)
    model = torchvision.models.resnet18(num_classes=10)
    gen = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
                m.num_batches_tracked.fill_(3)
    sd = {k: v.contiguous() for k, v in model.state_dict().items()}
    safetensors.torch.save_file(sd, os.path.join(d, "torch_resnet18.safetensors"), metadata={"torch": torch.__version__})
    x = torch.randn(2, 3, 32, 32, generator=gen)
    model.eval()
    with torch.no_grad():
        logits = model.double()(x.double()).float()
    safetensors.torch.save_file({"input": x, "logits_eval": logits}, os.path.join(d, "torch_resnet18_io.safetensors"))
    print("wrote", d, "torch", torch.__version__)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("check-swift", "make-torch"):
        sys.exit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    (check_swift if sys.argv[1] == "check-swift" else make_torch)(sys.argv[2])
