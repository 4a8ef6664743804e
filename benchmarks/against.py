"""Whole paper runs of the working tree against another revision's package, interleaved pair by pair.

    python benchmarks/against.py REV [--epochs 6] [--pairs 5] [--seeds 1] [--n-train N] [--threads T] [--compile on] [--data-dir D]

`REV`'s package is taken with `git archive REV ffcl_twin` into a temporary folder; each run is a child
`python -m ffcl_twin train --preset paper --epochs N` (with `--seeds S`, seeds 0 to S-1 as one batched run) started in a neutral folder, its package picked by
PYTHONPATH (the working tree's `ffcl_twin/`, or REV's). The two alternate (this tree first in odd pairs, REV
first in even ones), and each pair's ratio (this tree's wall seconds ÷ REV's) is printed, then their median.
Also run by `python benchmarks/speed.py --against REV`.
"""
import argparse, io, os, statistics, subprocess, sys, tarfile, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def archive(rev, dest):
    "Extract REV's `ffcl_twin/` into dest; returns the commit it names."
    commit = subprocess.run(['git', 'rev-parse', '--short', rev], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    tar = subprocess.run(['git', 'archive', rev, 'ffcl_twin'], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t: t.extractall(dest, filter='data')
    return commit


def one_run(pkg_parent, args, out):
    "Wall seconds of one whole `ffcl_twin train` process using the package under pkg_parent."
    env = {**os.environ, 'PYTHONPATH': str(pkg_parent)}
    if args.data_dir: env['FFCL_TWIN_DATA'] = args.data_dir
    argv = [sys.executable, '-m', 'ffcl_twin', 'train', '--preset', 'paper', '--epochs', str(args.epochs),
            '--device', 'cpu', '--out', str(out)]
    if args.n_train: argv += ['--n-train', str(args.n_train)]
    if args.seeds > 1: argv += ['--seeds', *map(str, range(args.seeds))]
    if args.threads: argv += ['--threads', str(args.threads)]
    if args.compile: argv += ['--compile', args.compile]
    t = time.perf_counter()
    p = subprocess.run(argv, cwd=out.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    if p.returncode not in (0,): sys.exit(f'against.py: a run failed (exit {p.returncode}):\n{p.stderr[-2000:]}')
    return wall


def which(pkg_parent):
    "The file the child's `import ffcl_twin` finds (to check PYTHONPATH picks the intended package)."
    return subprocess.run([sys.executable, '-c', 'import ffcl_twin; print(ffcl_twin.__file__)'], cwd=tempfile.gettempdir(),
                          env={**os.environ, 'PYTHONPATH': str(pkg_parent)}, capture_output=True, text=True, check=True).stdout.strip()


def against(rev, epochs=6, pairs=5, n_train=None, threads=None, data_dir=None, compile=None, seeds=1):
    data_dir = data_dir and str(Path(data_dir).resolve())        # the runs start in other folders
    args = argparse.Namespace(epochs=epochs, pairs=pairs, n_train=n_train, threads=threads, data_dir=data_dir, compile=compile, seeds=seeds)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d); (d/'rev').mkdir(); (d/'runs').mkdir()
        commit = archive(rev, d/'rev')
        for pkg, want in ((ROOT, ROOT/'ffcl_twin'), (d/'rev', d/'rev'/'ffcl_twin')):
            got = Path(which(pkg)).parent
            assert got == want, f'PYTHONPATH={pkg} imports {got}, not {want}'
        print(f"whole runs: ffcl_twin train --preset paper --epochs {epochs}" + (f' --n-train {n_train}' if n_train else '')
              + (f" --seeds {' '.join(map(str, range(seeds)))}" if seeds > 1 else '')
              + (f' --threads {threads}' if threads else '')
              + (f' --compile {compile}' if compile else '') + f'; this tree vs {rev} ({commit}), {pairs} interleaved pairs')
        for name, pkg in (('tree', ROOT), ('rev', d/'rev')): one_run(pkg, args, d/'runs'/f'warm-{name}')  # warm-up: caches
        ratios = []
        for i in range(pairs):
            order = [('tree', ROOT), ('rev', d/'rev')]
            if i % 2: order.reverse()
            s = {}
            for name, pkg in order: s[name] = one_run(pkg, args, d/'runs'/f'{name}{i}')
            ratios.append(s['tree'] / s['rev'])
            print(f"pair {i+1}: this tree {s['tree']:.2f} s, {commit} {s['rev']:.2f} s, ratio {ratios[-1]:.3f}", flush=True)
        print(f'median pair ratio (this tree / {commit}): {statistics.median(ratios):.3f} '
              f'(min {min(ratios):.3f}, max {max(ratios):.3f})')
        return ratios


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('rev', help='the revision to compare against (any git name: a hash, HEAD, main~3)')
    p.add_argument('--epochs', type=int, default=6)
    p.add_argument('--pairs', type=int, default=5)
    p.add_argument('--seeds', type=int, default=1, help='seeds 0 to SEEDS-1 in each run, batched (default 1)')
    p.add_argument('--n-train', type=int)
    p.add_argument('--threads', type=int, help='passed to both runs (default: their own default)')
    p.add_argument('--compile', choices=('on', 'off'), help='passed to both runs (REV must have the option)')
    p.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA'))
    a = p.parse_args()
    if a.seeds < 1: p.error('--seeds counts seeds: 1 or more')
    against(a.rev, a.epochs, a.pairs, a.n_train, a.threads, a.data_dir, a.compile, a.seeds)


if __name__ == '__main__': main()
