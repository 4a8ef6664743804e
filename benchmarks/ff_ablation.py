"""Forward-Forward at loeweX/Forward-Forward's recipe (`ff/reference`), and with each of its options set back to the default in turn.

    python benchmarks/ff_ablation.py [--epochs 3] [--seeds 42 1 2] [--data-dir D]

The fidelity entry's network, batch and rate (`REFERENCES`, `ffcl_twin.comparison`), on the reference's 50,000 training
images; the seeds batched in one run per row. Printed: one row per configuration, the test accuracy (`acc`: the head's
under the recipe, goodness where `predict` is set back) after the last epoch, per seed, and the mean, and its difference
from the whole recipe's mean.
"""
import argparse, os, statistics, sys
from pathlib import Path


def run(options, epochs, seeds, data_dir):
    "Test accuracy after the last epoch, per seed, of `ff` with `options` at the fidelity entry's configuration."
    from ffcl_twin.comparison import REFERENCES
    from ffcl_twin.config import Config
    from ffcl_twin.train import train
    cfg = dict(next(r for r in REFERENCES if r['method'] == 'ff')['config'], options=options)
    rows = train(Config(method='ff', dataset='mnist', epochs=epochs, seeds=tuple(seeds), data_dir=data_dir, device='cpu', **cfg))   # the entry trains on the reference's 50,000 images
    return [next(r['test_acc'] for r in rows if r['seed'] == s and r['epoch'] == epochs) for s in seeds]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--seeds', type=int, nargs='+', default=[42, 1, 2])
    ap.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA'), help='folder holding MNIST/raw/')
    a = ap.parse_args()
    if not a.data_dir or not (Path(a.data_dir)/'MNIST'/'raw').is_dir(): sys.exit('ff_ablation.py: pass --data-dir, the folder that holds MNIST/raw/')
    from ffcl_twin.ff import ForwardForward
    ref, defaults = ForwardForward.REFERENCE, {k: d for k, (d, _, _) in ForwardForward.options.items()}
    rows = [('the whole recipe (ff/reference)', dict(ref))] + [(f'{k} {defaults[k]} (not {v})', {**ref, k: defaults[k]}) for k, v in ref.items()]
    print(f"| configuration | {' | '.join(f'seed {s}' for s in a.seeds)} | mean | vs recipe |\n|---|{'---|' * (len(a.seeds) + 2)}", flush=True)
    base = None
    for name, opts in rows:
        accs = run(opts, a.epochs, a.seeds, a.data_dir)
        m = statistics.mean(accs); base = m if base is None else base
        print(f"| {name} | {' | '.join(f'{100*x:.2f}%' for x in accs)} | {100*m:.2f}% | {100*(m - base):+.2f} |", flush=True)


if __name__ == '__main__':
    main()
