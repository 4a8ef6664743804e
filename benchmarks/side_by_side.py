"""A peer's own public code, run unchanged, beside this package's method at the recipe that mirrors it, for the same epochs.

    python benchmarks/side_by_side.py --reference-dir DIR PEER [--epochs 3] [--seeds 1 2 3] [--data-dir D]

PEER is `local_heads` (DIR a checkout of anokland/local-loss) or `ff` (loeweX/Forward-Forward, which needs hydra-core
and omegaconf importable); nothing of theirs is copied here. Its script runs in a temporary copy of DIR on the CPU,
reading the MNIST raw files of `--data-dir` through links (no download), once per seed; the test accuracy it prints
(after each epoch, or once at the end) is read from its output. Then this package trains the peer's fidelity entry
(`REFERENCES`, `ffcl_twin.comparison`) at the variant that mirrors the reference's recipe, on the same training
images, for the same epochs, the same number of seeds batched in one run. Printed: the test accuracies of both, per
seed, and their means.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile
from pathlib import Path

# peer -> its fidelity entry, the command in its checkout, how seed and epochs are passed, where it reads MNIST, its
# test line and what it holds (error in %, or accuracy as a fraction), and for ours: the variant, how many training images
PEERS = {
    'local_heads': dict(
        entry='Local supervised heads', data='../data/MNIST/MNIST/raw',      # torchvision's MNIST('../data/MNIST'), run from the checkout
        command=['train.py', '--model', 'mlp', '--dataset', 'MNIST', '--dropout', '0.1', '--lr', '5e-4', '--num-layers', '3',
                 '--lr-decay-milestones', '50', '75', '89', '94', '--loss-sup', 'pred', '--no-cuda'],   # run_experiments.sh:3
        seed=['--seed', '{}'], epochs=['--epochs', '{}'], test=re.compile(r'Test loss_global=\S+ error=([\d.]+)%'), reads='error', per_epoch=True),
    'ff': dict(
        entry='Forward-Forward', data='datasets/MNIST/raw',      # torchvision's MNIST('datasets') from the original cwd: src/utils.py:77-90
        command=['main.py', 'device=cpu', 'training.final_test=True'],   # config.yaml as it is; test once at the end: main.py:89-94
        seed=['seed={}'], epochs=['training.epochs={}'], test=re.compile(r'^test\s.*?classification_accuracy: ([\d.]+)', re.M),
        reads='accuracy', per_epoch=False, variant='ff/reference', n_train=50000),   # trains on images 0-49,999: src/utils.py:92-93
}


def theirs(peer, ref_dir, epochs, seed, data_dir):
    "Test accuracy after each epoch of the peer's own code, run unchanged in a temporary copy of its checkout."
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)/'work'
        shutil.copytree(ref_dir, work, ignore=shutil.ignore_patterns('.git'))
        raw = (work/peer['data']).resolve(); raw.mkdir(parents=True)
        for f in (Path(data_dir)/'MNIST'/'raw').iterdir(): (raw/f.name).symlink_to(f.resolve())
        argv = [sys.executable, *peer['command'], *(a.format(seed) for a in peer['seed']), *(a.format(epochs) for a in peer['epochs'])]
        p = subprocess.run(argv, cwd=work, capture_output=True, text=True)
        if p.returncode: sys.exit(f'side_by_side.py: the reference run failed (exit {p.returncode}):\n{p.stderr[-2000:]}')
    found = [float(e) for e in peer['test'].findall(p.stdout.replace(',', ''))]
    if len(found) != (epochs if peer['per_epoch'] else 1):
        sys.exit(f"side_by_side.py: expected {epochs if peer['per_epoch'] else 1} test lines in the reference's output, found {len(found)}")
    return [1 - e / 100 for e in found] if peer['reads'] == 'error' else found


def ours(peer, epochs, seeds, data_dir):
    "Test accuracy after each epoch, per seed, of this package at the peer's fidelity entry."
    from ffcl_twin.comparison import REFERENCES
    from ffcl_twin.config import Config
    from ffcl_twin.train import train
    ref = next(r for r in REFERENCES if r['peer'] == peer['entry'])
    cfg = dict(ref['config'], method=peer.get('variant', ref['method']), n_train=peer.get('n_train'))
    if 'variant' in peer: cfg.pop('options', None)                  # the variant sets the reference's options
    rows = train(Config(dataset='mnist', epochs=epochs, seeds=tuple(seeds), data_dir=data_dir, device='cpu', **cfg))
    accs = [[r['test_acc'] for r in rows if r['seed'] == s] for s in seeds]
    return accs if peer['per_epoch'] else [a[-1:] for a in accs]


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
