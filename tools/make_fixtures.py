#!/usr/bin/env python3
"""Make the PyTorch parity fixtures in Tests/NeuralNetTests/Fixtures.

Run by hand, never in CI (it needs PyTorch; see tools/README.md):

    /work/venvs/torch/bin/python tools/make_fixtures.py

Everything is seeded, so rerunning with the same torch version gives the same
files. References for forward and backward are computed in float64 and stored as
float32 (see record()). Tensors are stored in PyTorch layouts (NCHW activations, OIHW conv
weights); the Swift tests convert to the engine's NHWC / OHWI.

Files (names are state-dict names; prefixes group the rest):
  resnet_w4_state.safetensors   state dict of a width-4 ResNet-18 (torchvision
                                topology and names), saved by safetensors.torch
  resnet_w4_data.safetensors    input [2,3,48,48], labels (I64), logits_eval,
                                logits_train, loss [], grad_input, grad.<param>,
                                after_train.<bn buffer> (running stats and
                                num_batches_tracked after the train forward)
  plain_d3_w8_state.safetensors / plain_d3_w8_data.safetensors
                                the plain CNN (depth 3, width 8) on [2,3,16,16],
                                same fields, plus <opt>.<param>: the parameters
                                after optimizer steps from the stored weights,
                                every step using the stored gradients grad.*
                                (adam, sgd: one step; adam_wd3, sgd_m3,
                                sgd_nesterov_wd3, sgd_plain_wd2: several steps;
                                hyperparameters in the file's metadata)
  torchvision_resnet18_keys.json
                                torchvision resnet18(num_classes=10) state-dict
                                names, order, shapes and dtypes
"""
import copy
import json
import os
import sys

import safetensors
import safetensors.torch
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "NeuralNetTests", "Fixtures")
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    """torchvision.models.resnet.BasicBlock, with the same attribute names."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18(nn.Module):
    """torchvision's ResNet-18 (same topology, names, init) with a configurable base width."""

    def __init__(self, in_channels=3, num_classes=10, width=64):
        super().__init__()
        w = width
        self.conv1 = nn.Conv2d(in_channels, w, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = nn.Sequential(BasicBlock(w, w), BasicBlock(w, w))
        self.layer2 = nn.Sequential(BasicBlock(w, 2 * w, 2), BasicBlock(2 * w, 2 * w))
        self.layer3 = nn.Sequential(BasicBlock(2 * w, 4 * w, 2), BasicBlock(4 * w, 4 * w))
        self.layer4 = nn.Sequential(BasicBlock(4 * w, 8 * w, 2), BasicBlock(8 * w, 8 * w))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8 * w, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class PlainCNN(nn.Module):
    """LAB.md section 10's plain network: depth x (conv3x3 + bias, ReLU), average pool, fc."""

    def __init__(self, in_channels=3, num_classes=10, depth=10, width=64):
        super().__init__()
        layers = []
        for i in range(depth):
            layers += [nn.Conv2d(in_channels if i == 0 else width, width, 3, padding=1), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))


def check_resnet_mirrors_torchvision():
    """Our ResNet18(width=64) has torchvision resnet18's exact state-dict names, order and shapes."""
    ours = ResNet18(3, 10, 64).state_dict()
    theirs = torchvision.models.resnet18(num_classes=10).state_dict()
    assert [(k, tuple(v.shape)) for k, v in ours.items()] == [(k, tuple(v.shape)) for k, v in theirs.items()]
    return theirs


def randomize_batchnorm(model, gen):
    """Non-trivial BN affine parameters and running statistics, so eval mode tests something."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
                m.num_batches_tracked.fill_(5)


def step_copy(model, grads, make_opt, steps):
    """Parameters after `steps` optimizer steps from the model's weights, each step using `grads`."""
    params = {k: p.detach().clone().requires_grad_(True) for k, p in model.named_parameters()}
    opt = make_opt(list(params.values()))
    for _ in range(steps):
        for k, p in params.items():
            p.grad = grads[k].clone()
        opt.step()
    return {k: p.detach().clone() for k, p in params.items()}


def record(model, name, x, labels, optimizers, meta):
    """Runs eval and train passes, backward and optimizer steps; writes <name>_state / <name>_data.

    The forward/backward references are computed in float64 from the float32
    weights and input (both exact in float64) and rounded to float32, so they
    carry no float32 rounding of their own. The optimizer steps run in
    float32, from the stored float32 weights and gradients, as torch.optim
    does in a float32 model.
    """
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    safetensors.torch.save_file(state, os.path.join(OUT, f"{name}_state.safetensors"), metadata=meta)
    data = {"input": x, "labels": labels}
    ref = copy.deepcopy(model).double()
    ref.eval()
    with torch.no_grad():
        data["logits_eval"] = ref(x.double()).float()
    ref.train()
    xg = x.double().requires_grad_(True)
    logits = ref(xg)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    data["logits_train"] = logits.detach().float()
    data["loss"] = loss.detach().float().reshape([])
    data["grad_input"] = xg.grad.detach().float()
    grads = {k: p.grad.detach().float() for k, p in ref.named_parameters()}
    for k, g in grads.items():
        data[f"grad.{k}"] = g
    for k, v in ref.state_dict().items():
        if "running_" in k:
            data[f"after_train.{k}"] = v.detach().float()
        elif "num_batches_tracked" in k:
            data[f"after_train.{k}"] = v.detach().clone()
    for prefix, (make_opt, steps) in optimizers.items():
        for k, v in step_copy(model, grads, make_opt, steps).items():
            data[f"{prefix}.{k}"] = v
    data = {k: v.contiguous() for k, v in data.items()}
    safetensors.torch.save_file(data, os.path.join(OUT, f"{name}_data.safetensors"), metadata=meta)


def main():
    os.makedirs(OUT, exist_ok=True)
    base_meta = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "safetensors": safetensors.__version__,
        "python": sys.version.split()[0],
        "made_by": "tools/make_fixtures.py",
    }

    theirs = check_resnet_mirrors_torchvision()
    keys = [{"name": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")} for k, v in theirs.items()]
    tv = torchvision.models.resnet18(num_classes=10)
    with open(os.path.join(OUT, "torchvision_resnet18_keys.json"), "w") as f:
        json.dump({"model": "torchvision.models.resnet18(num_classes=10)", **base_meta,
                   "trainable_parameters": sum(p.numel() for p in tv.parameters() if p.requires_grad),
                   "entries": keys}, f, indent=0)
        f.write("\n")

    # Width-4 ResNet-18: layer2.0 / layer3.0 / layer4.0 have downsample shortcuts, the rest identity.
    torch.manual_seed(1234)
    gen = torch.Generator().manual_seed(99)
    resnet = ResNet18(3, 10, 4)
    randomize_batchnorm(resnet, gen)
    # 48x48, not 32x32: at 32x32 layer4 is 1x1, so its BatchNorm normalizes 2 values per channel,
    # whose gradient is pure cancellation (float32 torch is 1e-3 off float64 there). At 48x48 layer4 is 2x2.
    x = torch.randn(2, 3, 48, 48, generator=gen)
    labels = torch.tensor([3, 7], dtype=torch.int64)
    meta = dict(base_meta, model="ResNet18(in_channels=3, num_classes=10, width=4)", seed="1234/99",
                optimizers="none stored here (elementwise; the plain CNN's fixture covers them)")
    record(resnet, "resnet_w4", x, labels, {}, meta)

    # Plain CNN, depth 3, width 8: carries the optimizer variants (several steps with the same gradients).
    torch.manual_seed(4321)
    gen = torch.Generator().manual_seed(77)
    plain = PlainCNN(3, 10, depth=3, width=8)
    x = torch.randn(2, 3, 16, 16, generator=gen)
    labels = torch.tensor([1, 9], dtype=torch.int64)
    meta = dict(base_meta, model="PlainCNN(in_channels=3, num_classes=10, depth=3, width=8)", seed="4321/77",
                adam="lr=0.01, 1 step", sgd="lr=0.1 momentum=0.9, 1 step",
                adam_wd3="lr=0.01 betas=(0.8,0.99) eps=1e-6 weight_decay=0.1, 3 steps",
                sgd_m3="lr=0.1 momentum=0.9 dampening=0.1, 3 steps",
                sgd_nesterov_wd3="lr=0.05 momentum=0.8 nesterov=True weight_decay=0.01, 3 steps",
                sgd_plain_wd2="lr=0.1 momentum=0 weight_decay=0.05, 2 steps")
    record(plain, "plain_d3_w8", x, labels, {
        "adam": (lambda ps: torch.optim.Adam(ps, lr=0.01), 1),
        "sgd": (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), 1),
        "adam_wd3": (lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), 3),
        "sgd_m3": (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1), 3),
        "sgd_nesterov_wd3": (lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01), 3),
        "sgd_plain_wd2": (lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.05), 2),
    }, meta)

    total = 0
    for f in sorted(os.listdir(OUT)):
        size = os.path.getsize(os.path.join(OUT, f))
        total += size
        print(f"{size:9d}  {f}")
    print(f"{total:9d}  total bytes")


if __name__ == "__main__":
    main()
