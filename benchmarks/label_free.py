#!/usr/bin/env python3
"""The label-free goal: converged linear probes of hidden layers that never see a label, on the paper's
784-64-64-10 network (MNIST, standard inputs, full training set), with the comparison's own protocol
(`ffcl_twin.comparison`: `train` with a `ProbeCB`, a softmax probe fitted to convergence on each frozen
hidden layer). SCFF at three learning rates, and two variants of it that test its choices: ReLU passed on
instead of its "triangle" activation, and Forward-Forward's single threshold (2) in every layer.

Usage: python benchmarks/label_free.py [--epochs 10] [--seed 0] [--data-dir DIR]     (one thread; about 20 s a run on a 2-core CPU)
Prints one line per run and a markdown table; benchmarks/README.md records the output."""
import argparse, os, sys, time
import torch
from ffcl_twin.methods import METHODS
from ffcl_twin.scff import SCFF
from ffcl_twin.comparison import _compare_run
from ffcl_twin.callbacks import ThreadsCB

class SCFFReLU(SCFF):
    "SCFF, but each hidden layer passes on ReLU(z) instead of the triangle ReLU(z − mean z)."
    key = 'scff_relu'
    def _act(self, z): return z.relu()

class SCFFOneThreshold(SCFF):
    "SCFF with Forward-Forward's choice: θ⁺ = θ⁻ = 2 in every layer, no goodness penalty."
    key = 'scff_theta2'
    thresholds, lamda = ((2., 2.), (2., 2.)), (0., 0.)

for cls in (SCFFReLU, SCFFOneThreshold): METHODS.paths[cls.key] = f'{__name__}:{cls.__name__}'   # this script's variants

RUNS = [('scff', 1e-3), ('scff', 3e-3), ('scff', 1e-2), ('scff_relu', 3e-3), ('scff_theta2', 3e-3)]

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--epochs', type=int, default=10); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA'))
    a = ap.parse_args()
    torch.set_num_threads(1); ThreadsCB.default = 1
    table = ['| method | lr | probe h1 | probe h2 | output test acc | probes converged | seconds |', '|---|---|---|---|---|---|---|']
    for m, lr in RUNS:
        t = time.time()
        r, = _compare_run('mnist', m, lr, a.epochs, (a.seed,), a.data_dir, dict(device='cpu'))
        s = time.time() - t
        print(f"{m} lr {lr:g}: probe h1 {r['probe_h1']:.4f} h2 {r['probe_h2']:.4f} test acc {r['test_acc']:.4f} converged {r['probe_converged']} ({s:.0f} s)", flush=True)
        table.append(f"| {m} | {lr:g} | {100*r['probe_h1']:.1f} | {100*r['probe_h2']:.1f} | {100*r['test_acc']:.1f} | {r['probe_converged']} | {s:.0f} |")
    print(f'\nMNIST, 784-64-64-10, standard inputs, {a.epochs} epochs, seed {a.seed}, one CPU thread ({sys.platform}):\n')
    print('\n'.join(table))
