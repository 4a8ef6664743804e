#!/usr/bin/env python3
"""The label-free goal: converged linear probes of hidden layers that never see a label, on the paper's
784-64-64-10 network (MNIST, standard inputs, full training set), with the comparison's own protocol
(`ffcl_twin.comparison`: `train` with a `ProbeCB`, a softmax probe fitted to convergence on each frozen
hidden layer). SCFF at three learning rates, and two variants of it that test its choices: ReLU passed on
instead of its "triangle" activation, and Forward-Forward's single threshold (2) in every layer.

With --goal, the label-free goal: SCFF's recipes (as here; two shifted views per pair; the reference's whole recipe)
at two learning rates, each trained on seed 0 with the last 5,000 training images held out and its layer-2 probe
scored on them; the best, on 5 seeds, its probes scored on the test split.

Usage: python benchmarks/label_free.py [--epochs 10] [--seed 0] [--data-dir DIR]     (one thread; about 20 s a run on a 2-core CPU)
       python benchmarks/label_free.py --goal [--epochs 30] [--out paper_figures/label_free.csv]   (one thread; about 15 min)
Prints one line per run and a markdown table; benchmarks/README.md records the output."""
import argparse, csv, os, sys, time
import torch
from ffcl_twin.methods import METHODS
from ffcl_twin.scff import SCFF
from ffcl_twin.comparison import _compare_run
from ffcl_twin.callbacks import ThreadsCB
from ffcl_twin.config import Config
from ffcl_twin.probes import ProbeCB
from ffcl_twin.train import train

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

# --- the goal: layer 2's probe at least 93% (the raw pixels: 92.6%), recipe and rate chosen on held-out images, 5 seeds ---
GOAL = [('scff', {}, 1e-3), ('scff', {}, 3e-3), ('scff', dict(shift='2'), 1e-3), ('scff', dict(shift='2'), 3e-3),
        ('scff/reference', {}, 1e-3), ('scff/reference', {}, 3e-3)]

def _label(method, options): return method + ''.join(f' {k}={v}' for k, v in options.items())

def probe_run(method, options, lr, epochs, seeds, data_dir, val=None):
    "Train one recipe (MNIST, standard inputs, the comparison's network and batch) and probe its hidden layers: scored on the last `val` training images when given, else on the test split."
    cfg = Config(method=method, options=options, scaling='standard', lr=lr, epochs=epochs, seeds=tuple(seeds), val=val, data_dir=data_dir, device='cpu')
    probe, t = ProbeCB(), time.time()
    rows = train(cfg, cbs=[probe], threads=1)
    acc = probe.result['acc'][:, 0]                          # (S, hidden layers): one network per seed
    last = [r['test_acc'] for r in rows if r['epoch'] == epochs]
    return dict(recipe=_label(method, options), lr=lr, seeds=len(seeds), split='held-out' if val else 'test', probe_h1=acc[:, 0].mean().item(),
                probe_h2=acc[:, 1].mean().item(), probe_h2_std=acc[:, 1].std().item() if len(seeds) > 1 else 0., output_acc=sum(last) / len(last),
                converged=bool(probe.result['converged'].all()), seconds=time.time() - t)

def goal(epochs, data_dir, val=5000, seeds=(0, 1, 2, 3, 4)):
    "Each candidate of `GOAL` on seed 0 with `val` training images held out; the best layer-2 probe there, on `seeds` scored on the test split."
    sel = []
    for m, o, lr in GOAL:
        sel.append(probe_run(m, o, lr, epochs, (0,), data_dir, val))
        print(f"held-out: {sel[-1]['recipe']} lr {lr:g}: probe h1 {sel[-1]['probe_h1']:.4f} h2 {sel[-1]['probe_h2']:.4f} ({sel[-1]['seconds']:.0f} s)", flush=True)
    m, o, lr = GOAL[max(range(len(sel)), key=lambda i: sel[i]['probe_h2'])]
    final = probe_run(m, o, lr, epochs, seeds, data_dir)
    print(f"chosen: {final['recipe']} lr {lr:g}; test, {len(seeds)} seeds: probe h2 {final['probe_h2']:.4f} ± {final['probe_h2_std']:.4f}", flush=True)
    return sel + [final]

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--epochs', type=int, default=10); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA'))
    ap.add_argument('--goal', action='store_true', help='the label-free goal (30 epochs unless --epochs says otherwise)')
    ap.add_argument('--out', default='paper_figures/label_free.csv', help='with --goal: where its rows go')
    a = ap.parse_args()
    torch.set_num_threads(1); ThreadsCB.default = 1
    if a.goal:
        rows = goal(a.epochs if '--epochs' in sys.argv else 30, a.data_dir)
        with open(a.out, 'w', newline='') as f: w = csv.DictWriter(f, list(rows[0])); w.writeheader(); w.writerows(rows)
        print('\n| recipe | lr | seeds | probes scored on | probe h1 | probe h2 | output acc | converged | seconds |\n|---|---|---|---|---|---|---|---|---|')
        for r in rows: print(f"| {r['recipe']} | {r['lr']:g} | {r['seeds']} | {r['split']} | {100*r['probe_h1']:.1f} | {100*r['probe_h2']:.1f} ± {100*r['probe_h2_std']:.1f} | "
                             f"{100*r['output_acc']:.1f} | {r['converged']} | {r['seconds']:.0f} |")
        sys.exit()
    table = ['| method | lr | probe h1 | probe h2 | output test acc | probes converged | seconds |', '|---|---|---|---|---|---|---|']
    for m, lr in RUNS:
        t = time.time()
        r, = _compare_run('mnist', m, lr, a.epochs, (a.seed,), a.data_dir, dict(device='cpu'))
        s = time.time() - t
        print(f"{m} lr {lr:g}: probe h1 {r['probe_h1']:.4f} h2 {r['probe_h2']:.4f} test acc {r['test_acc']:.4f} converged {r['probe_converged']} ({s:.0f} s)", flush=True)
        table.append(f"| {m} | {lr:g} | {100*r['probe_h1']:.1f} | {100*r['probe_h2']:.1f} | {100*r['test_acc']:.1f} | {r['probe_converged']} | {s:.0f} |")
    print(f'\nMNIST, 784-64-64-10, standard inputs, {a.epochs} epochs, seed {a.seed}, one CPU thread ({sys.platform}):\n')
    print('\n'.join(table))
