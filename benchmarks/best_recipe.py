#!/usr/bin/env python3
"""Each method at its best recipe on the comparison's network (784-64-64-10, MNIST, standard inputs, batch 64, 30
epochs): the recipe options of its reference code (or, for SCFF and FFCL, the option that changes what it learns),
chosen on held-out images as the comparison chooses learning rates.

For each method with such options, the recipe trains on seed 0 with the last 5,000 training images held out, at two
learning rates; its best held-out accuracy is set beside the plain method's best in the comparison's own choice
(`paper_figures/comparison_lr_selection.csv`, the same images and epochs). Where the recipe does better, it trains on
the comparison's 5 seeds and is probed as the comparison probes (`ffcl_twin.comparison._compare_run`); the plain
method's 5-seed row is read from `paper_figures/comparison_runs.csv`.

Usage: python benchmarks/best_recipe.py [--data-dir DIR] [--out paper_figures/best_recipe.csv] [--store DIR] [--only METHOD ...]
(one thread; about an hour on a 2-core CPU). With --store each run's result is kept in DIR and a rerun skips it
(two processes with disjoint --only lists can share it); a run that diverges counts as held-out accuracy 0.
Prints one line per run and a markdown table."""
import argparse, csv, os, statistics, sys, time
from pathlib import Path
from ffcl_twin.callbacks import ThreadsCB
from ffcl_twin.comparison import _val_run, _compare_run, run_jobs
from ffcl_twin.core import UserError
from ffcl_twin.config import SEEDS

ROOT = Path(__file__).resolve().parents[1]
# method -> the recipe: the method name (a variant) and its options, and the two learning rates tried (around its
# reference's own rate, or the comparison's choice for it where the reference's optimiser is Adam)
RECIPES = {
    'local_supervised': ('local_supervised/reference', {}, (3e-4, 1e-3)),   # Adam, as the comparison
    'ff': ('ff/reference', {}, (1e-3, 1e-2)),                               # SGD with momentum: the reference's 1e-3, and 10x
    'ffcl': ('ffcl', dict(margin='0.5'), (1e-4, 3e-4)),
    'scff': ('scff', dict(shift='2'), (1e-3, 3e-3)),
    'pepita': ('pepita/reference', {}, (1e-2, 1e-1)),                       # momentum with the rate inside: the reference's 0.1, and /10
    'drtp': ('drtp/reference', {}, (1e-4, 1e-3)),                           # Nesterov: the reference's 1e-4, and 10x
}

def held_out(name, opts, lr, data_dir):
    "One recipe's held-out accuracy (seed 0, the last 5,000 training images, 30 epochs); 0 where training diverges."
    try: return _val_run('mnist', name, lr, 30, (0,), 5000, data_dir, dict(options=opts, device='cpu'))
    except UserError as e: return dict(val_acc=0., lr=lr, alerts='diverged: ' + str(e).split(' (')[0].split(': lower')[0])

def five_seeds(name, opts, lr, data_dir): return _compare_run('mnist', name, lr, 30, SEEDS, data_dir, dict(options=opts, device='cpu'))

def label(name, opts): return name + ''.join(f' {k}={v}' for k, v in opts.items())

def plain_best(method):
    "The plain method's best held-out accuracy and its learning rate, from the comparison's own choice (MNIST)."
    rows = [r for r in csv.DictReader(open(ROOT/'paper_figures'/'comparison_lr_selection.csv')) if (r['dataset'], r['method']) == ('mnist', method)]
    r = max(rows, key=lambda r: float(r['val_acc']))
    return float(r['val_acc']), float(r['lr'])

def plain_rows(method):
    return [r for r in csv.DictReader(open(ROOT/'paper_figures'/'comparison_runs.csv')) if (r['dataset'], r['method']) == ('mnist', method)]

def mean_std(rows, k):
    xs = [float(r[k]) for r in rows]
    return f'{100*statistics.fmean(xs):.1f} ± {100*statistics.stdev(xs):.1f}'

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA'))
    ap.add_argument('--out', default=str(ROOT/'paper_figures'/'best_recipe.csv'))
    ap.add_argument('--store', default=None, help='a folder: each run\'s result is kept there, and a rerun skips it')
    ap.add_argument('--only', nargs='+', default=list(RECIPES), choices=list(RECIPES), help='these methods only (no table)')
    a = ap.parse_args()
    ThreadsCB.default = 1
    store, sel = a.store and Path(a.store), []
    for method in a.only:
        (name, opts, lrs), (base, base_lr) = RECIPES[method], plain_best(method)
        runs = run_jobs(held_out, [(name, opts, lr, a.data_dir) for lr in lrs], store=store)
        for lr, r in zip(lrs, runs):
            sel.append(dict(kind='held-out', method=method, recipe=label(name, opts), lr=lr, seeds=1, test_acc=r['val_acc'], probe_h1='', probe_h2='',
                            plain_val_acc=base, plain_lr=base_lr, note=r.get('alerts', '-')))
            print(f"held-out {label(name, opts)} lr {lr:g}: {r['val_acc']:.4f} (plain {method} {base:.4f} at lr {base_lr:g}) {r.get('alerts', '')}", flush=True)
        lr, acc = max(((lr, r['val_acc']) for lr, r in zip(lrs, runs)), key=lambda t: t[1])
        if acc > base:
            rows = run_jobs(five_seeds, [(name, opts, lr, a.data_dir)], store=store)[0]
            for r in rows: sel.append(dict(kind='5 seeds', method=method, recipe=label(name, opts), lr=lr, seeds=len(SEEDS), test_acc=r['test_acc'],
                                           probe_h1=r['probe_h1'], probe_h2=r['probe_h2'], plain_val_acc='', plain_lr='', note=r['alerts']))
            print(f"5 seeds {label(name, opts)} lr {lr:g}: test {statistics.fmean(r['test_acc'] for r in rows):.4f}", flush=True)
    if a.only != list(RECIPES): sys.exit()
    with open(a.out, 'w', newline='') as f: w = csv.DictWriter(f, list(sel[0])); w.writeheader(); w.writerows(sel)
    print('\n| method | equal terms: test acc | probe h1 | probe h2 | best recipe | lr | test acc | probe h1 | probe h2 |\n|---|---|---|---|---|---|---|---|---|')
    for method in RECIPES:
        p, mine = plain_rows(method), [r for r in sel if r['kind'] == '5 seeds' and r['method'] == method]
        ours = (f"{mine[0]['recipe']} | {mine[0]['lr']:g} | {mean_std(mine, 'test_acc')} | {mean_std(mine, 'probe_h1')} | {mean_std(mine, 'probe_h2')}"
                if mine else 'the plain method (the recipe did not do better on held-out images) | | | |')
        print(f"| {method} | {mean_std(p, 'test_acc')} | {mean_std(p, 'probe_h1')} | {mean_std(p, 'probe_h2')} | {ours} |")
