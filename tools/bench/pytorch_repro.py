#!/usr/bin/python3
"""An independent PyTorch run of tacit-repro's configuration, for comparison.

One run of the "subliminal learning" MNIST experiment (Cloud et al. 2025,
Figure 10) with the same configuration as one run of tacit's `tacit-repro`:
an MLP 784 -> 256 -> 256 -> 13 (10 digit logits + 3 auxiliary logits), a
reference at init, a teacher trained on MNIST, and four students distilled
from the teacher's logits on uniform noise images (aux-only or all logits,
same or different init). It is used only to compare wall time and accuracy
with tacit; it is not part of the build or the tests, and it does not try to
match tacit's random streams, so the accuracies agree only statistically.
Unlike tacit-repro it does not compute the per-epoch displacement cosines.

Needs Debian's python3-torch (torch 1.13, CPU; brings python3-numpy):
    apt-get install -y python3-torch
    /usr/bin/python3 tools/bench/pytorch_repro.py --data data/mnist --threads 1
Debian's torch does its matrix products in whatever libblas.so.3 the system
selects; with only libblas3 (the reference BLAS) it is many times slower.
For a fair comparison install libopenblas0-pthread (or point LD_LIBRARY_PATH
at its openblas-pthread directory); the "blas" line of the output says which
library was loaded.
"""
import argparse
import json
import math
import os
import resource
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="data/mnist", help="directory of the MNIST IDX files")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch.set_num_threads and the BLAS's thread count (default 1)")
    parser.add_argument("--epochs-teacher", type=int, default=5)
    parser.add_argument("--epochs-student", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="FILE",
                        help="also write the figures as JSON (tools/bench/runs reads it)")
    return parser.parse_args()


# Before numpy and torch load the BLAS, which reads its thread count at load.
ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

DIGITS, AUX, HIDDEN, BATCH, LR = 10, 3, 256, 1024, 3e-4


def read_idx(path):
    """An uncompressed IDX file as a numpy array (big-endian header)."""
    with open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(data, prefix):
    images = read_idx(os.path.join(data, prefix + "-images-idx3-ubyte"))
    labels = read_idx(os.path.join(data, prefix + "-labels-idx1-ubyte"))
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32))
    return x.div_(255).sub_(0.5).div_(0.5), torch.from_numpy(labels.astype(np.int64))


def new_model():
    """784 -> 256 -> 256 -> 13; weights N(0, 1/fan_in), biases 0."""
    model = nn.Sequential(nn.Linear(784, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN),
                          nn.ReLU(), nn.Linear(HIDDEN, DIGITS + AUX))
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.Linear):
                layer.weight.normal_(0.0, 1.0 / math.sqrt(layer.in_features))
                layer.bias.zero_()
    return model


def copy_of(model):
    clone = new_model()
    clone.load_state_dict(model.state_dict())
    return clone


@torch.no_grad()
def accuracy(model, x, y):
    predictions = torch.cat([model(x[i:i + BATCH])[:, :DIGITS].argmax(1)
                             for i in range(0, len(x), BATCH)])
    return (predictions == y).double().mean().item()


def train(model, x, epochs, generator, loss_fn):
    """Adam, batches of BATCH in a fresh shuffle each epoch; loss_fn(logits, idx)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for i in range(0, len(x), BATCH):
            idx = order[i:i + BATCH]
            loss = loss_fn(model(x[idx]), idx)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()


def distill(init, noise, targets, cols, epochs, seed):
    """A student from a copy of init: KL(softmax(teacher) || softmax(student)) on cols."""
    student = copy_of(init)
    target_log = F.log_softmax(targets[:, cols], dim=1)

    def loss_fn(logits, idx):
        return F.kl_div(F.log_softmax(logits[:, cols], dim=1), target_log[idx],
                        reduction="batchmean", log_target=True)

    # The same seed for all four students: they see the same image order.
    train(student, noise, epochs, torch.Generator().manual_seed(seed), loss_fn)
    return student


def blas_libraries():
    """The BLAS shared libraries mapped into this process."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower()}
    return ", ".join(sorted(p for p in paths if p.startswith("/"))) or "none found"


def main(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    times, results = {}, {}
    start = last = time.perf_counter()

    def phase(name):
        nonlocal last
        now = time.perf_counter()
        times[name], last = now - last, now

    train_x, train_y = load_split(args.data, "train")
    test_x, test_y = load_split(args.data, "t10k")
    phase("load")

    init, other_init = new_model(), new_model()
    results["reference"] = accuracy(init, test_x, test_y)
    phase("reference")

    teacher = copy_of(init)
    train(teacher, train_x, args.epochs_teacher, torch.Generator().manual_seed(args.seed + 1),
          lambda logits, idx: F.cross_entropy(logits[:, :DIGITS], train_y[idx]))
    results["teacher"] = accuracy(teacher, test_x, test_y)
    phase("teacher")

    noise = torch.rand(len(train_x), train_x.shape[1]).mul_(2).sub_(1)  # [-1, 1)
    with torch.no_grad():
        targets = torch.cat([teacher(noise[i:i + BATCH]) for i in range(0, len(noise), BATCH)])
    phase("targets")

    aux, every = slice(DIGITS, DIGITS + AUX), slice(0, DIGITS + AUX)
    for name, start_from, cols in [("aux same", init, aux), ("all same", init, every),
                                   ("aux cross", other_init, aux),
                                   ("all cross", other_init, every)]:
        student = distill(start_from, noise, targets, cols, args.epochs_student, args.seed + 2)
        results[name] = accuracy(student, test_x, test_y)
        phase(name)
    total = time.perf_counter() - start

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"epochs teacher {args.epochs_teacher} student {args.epochs_student}")
    print(f"blas {blas_libraries()}")
    print(f"{'model':<10} {'accuracy':>8}")
    for name, acc in results.items():
        print(f"{name:<10} {acc:>8.4f}")
    print(f"{'phase':<10} {'seconds':>8}")
    for name, seconds in times.items():
        print(f"{name:<10} {seconds:>8.2f}")
    print(f"{'total':<10} {total:>8.2f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is in KiB
    print(f"peak RSS   {peak_mb:>8.1f} MB")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"program": "pytorch_repro", "torch": torch.__version__,
                       "threads": torch.get_num_threads(), "blas": blas_libraries(),
                       "epochs_teacher": args.epochs_teacher,
                       "epochs_student": args.epochs_student, "seed": args.seed,
                       "accuracy": results, "phase_seconds": times,
                       "total_seconds": total, "peak_rss_mb": peak_mb}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main(ARGS)
