"""A peer's own public code, run unchanged, beside this package's method at the recipe that mirrors it, for the same epochs.

    python benchmarks/side_by_side.py --reference-dir DIR local_heads [--epochs 3] [--seeds 1 2 3] [--data-dir D]

DIR is a checkout of the peer's repository (anokland/local-loss for `local_heads`); nothing of it is copied here.
Its script runs in a temporary copy of DIR on the CPU, reading the MNIST raw files of `--data-dir` through links
(no download), once per seed; the test error it prints after each epoch is read from its output. Then this
package trains the peer's fidelity entry (`REFERENCES`, `ffcl_twin.comparison`) for the same epochs, the same
number of seeds batched in one run. Printed: each epoch's test accuracy of both, per seed, and their means.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile
from pathlib import Path

# peer -> its fidelity entry, the command in its checkout (seed and epochs appended), where it reads MNIST, its test line
PEERS = {
    'local_heads': dict(
        entry='Local supervised heads', data='../data/MNIST/MNIST/raw',      # torchvision's MNIST('../data/MNIST'), run from the checkout
        command=['train.py', '--model', 'mlp', '--dataset', 'MNIST', '--dropout', '0.1', '--lr', '5e-4', '--num-layers', '3',
                 '--lr-decay-milestones', '50', '75', '89', '94', '--loss-sup', 'pred', '--no-cuda'],   # run_experiments.sh:3
        seed='--seed', epochs='--epochs', test=re.compile(r'Test loss_global=\S+ error=([\d.]+)%')),
}


def theirs(peer, ref_dir, epochs, seed, data_dir):
    "Test accuracy after each epoch of the peer's own code, run unchanged in a temporary copy of its checkout."
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)/'work'
        shutil.copytree(ref_dir, work, ignore=shutil.ignore_patterns('.git'))
        raw = (work/peer['data']).resolve(); raw.mkdir(parents=True)
        for f in (Path(data_dir)/'MNIST'/'raw').iterdir(): (raw/f.name).symlink_to(f.resolve())
        argv = [sys.executable, *peer['command'], peer['seed'], str(seed), peer['epochs'], str(epochs)]
        p = subprocess.run(argv, cwd=work, capture_output=True, text=True)
        if p.returncode: sys.exit(f'side_by_side.py: the reference run failed (exit {p.returncode}):\n{p.stderr[-2000:]}')
    errors = [float(e) for e in peer['test'].findall(p.stdout.replace(',', ''))]
    if len(errors) != epochs: sys.exit(f'side_by_side.py: expected {epochs} test lines in the reference\'s output, found {len(errors)}')
    return [1 - e / 100 for e in errors]


def ours(peer, epochs, seeds, data_dir):
    "Test accuracy after each epoch, per seed, of this package at the peer's fidelity entry."
    from ffcl_twin.comparison import REFERENCES
    from ffcl_twin.config import Config
    from ffcl_twin.train import train
    ref = next(r for r in REFERENCES if r['peer'] == peer['entry'])
    rows = train(Config(method=ref['method'], dataset='mnist', epochs=epochs, seeds=tuple(seeds), data_dir=data_dir, device='cpu', **ref['config']))
    return [[r['test_acc'] for r in rows if r['seed'] == s] for s in seeds]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('peer', choices=sorted(PEERS))
    ap.add_argument('--reference-dir', required=True, help="a checkout of the peer's repository")
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3])
    ap.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA'), help='folder holding MNIST/raw/')
    a = ap.parse_args()
    if not a.data_dir or not (Path(a.data_dir)/'MNIST'/'raw').is_dir(): sys.exit('side_by_side.py: pass --data-dir, the folder that holds MNIST/raw/')
    if not Path(a.reference_dir).is_dir(): sys.exit(f'side_by_side.py: no folder {a.reference_dir}: pass a checkout of the peer\'s repository')
    peer = PEERS[a.peer]
    them = [theirs(peer, a.reference_dir, a.epochs, s, a.data_dir) for s in a.seeds]
    us = ours(peer, a.epochs, a.seeds, a.data_dir)
    for who, accs in (('reference code', them), ('ffcl_twin', us)):
        for s, acc in zip(a.seeds, accs): print(f'{who:14s} seed {s}: ' + ', '.join(f'{100*x:.2f}%' for x in acc))
        print(f'{who:14s} mean:   ' + ', '.join(f'{100*statistics.mean(col):.2f}%' for col in zip(*accs)))
    print(f'difference after epoch {a.epochs} (ffcl_twin - reference): '
          f'{100*(statistics.mean(x[-1] for x in us) - statistics.mean(x[-1] for x in them)):+.2f} points')


if __name__ == '__main__':
    main()
