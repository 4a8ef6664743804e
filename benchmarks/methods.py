"""Each comparison method's time per epoch against the twin's, 5 seeds batched, measured in one run.

Every method of `COMPARISON` trains the comparison's network (784-64-64-10, batch 64, 5 seeds in one batched run,
MNIST, standard inputs) in this process with the same thread count. An epoch is one pass over `--n-train` training
images and the evaluation on the 10,000 test images. Each method's epoch is paired with an epoch of `twin/guided`
run just before or just after it (the order alternates by round), and the ratio is taken pair by pair, so that a
machine whose speed drifts moves both sides of a ratio alike. Prints the median over `--rounds` of each method's
training and evaluation seconds, and the median of its pair ratios (not the ratio of the medians printed beside it).

    python benchmarks/methods.py --data-dir ../shared/data [--rounds 4] [--n-train 60000] [--threads 1]
"""
import argparse, os, statistics, time
import torch
from ffcl_twin.comparison import COMPARISON
from ffcl_twin.data import load_split
from ffcl_twin.methods import build_method

TWIN = 'twin/guided'

def epoch(method, x, y, xt, yt, n):
    "Seconds of one epoch on the first `n` training images, and of the evaluation on the test split."
    t0 = time.perf_counter()
    for idx in method.batches(n, 64): method.train_step(x, y, idx)
    t1 = time.perf_counter()
    method.evaluate(xt, yt)
    return t1 - t0, time.perf_counter() - t1

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA', '../shared/data'))
    p.add_argument('--rounds', type=int, default=4, help='rounds (each: one paired epoch of every method; the twin goes first in every other)')
    p.add_argument('--n-train', type=int, default=60000, help='training images per timed epoch (60000: a whole epoch)')
    p.add_argument('--threads', type=int, default=1, help='threads of this process (1: least disturbed on a shared machine)')
    p.add_argument('--methods', nargs='+', default=[m for m in COMPARISON if m != TWIN])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    x, y = load_split('mnist', True, 'standard', a.data_dir, 'cpu')
    xt, yt = load_split('mnist', False, 'standard', a.data_dir, 'cpu')
    n = min(a.n_train, len(x))
    methods = {m: build_method(m, sizes=(784, 64, 64, 10), seeds=(0, 1, 2, 3, 4), lr=1e-4) for m in [TWIN, *a.methods]}
    for meth in methods.values(): epoch(meth, x, y, xt[:1000], yt[:1000], 640)     # warm-up: allocations, first calls
    times, ratios = {m: [] for m in methods}, {m: [] for m in a.methods}
    for r in range(a.rounds):
        for m in a.methods:
            order = (TWIN, m) if r % 2 == 0 else (m, TWIN)
            got = {k: epoch(methods[k], x, y, xt, yt, n) for k in order}
            for k in order: times[k].append(got[k])
            ratios[m].append(sum(got[m]) / sum(got[TWIN]))
    print(f'torch {torch.__version__}, {a.threads} thread(s), {os.cpu_count()} cores; 5 seeds, {n} training images per epoch, '
          f'{a.rounds} rounds; ratio: the median over rounds of (training + evaluation) / {TWIN}\'s, epochs run back to back')
    print('| method | training s | evaluation s | epoch s | ratio to the twin | evaluation share |\n|---|---|---|---|---|---|')
    for m, ts in times.items():
        tr, ev = statistics.median(t for t, _ in ts), statistics.median(e for _, e in ts)
        ratio = f'{statistics.median(ratios[m]):.2f}x' if m in ratios else '1 (reference)'
        print(f'| {m} | {tr:.2f} | {ev:.3f} | {tr + ev:.2f} | {ratio} | {100 * ev / (tr + ev):.0f}% |')

if __name__ == '__main__': main()
