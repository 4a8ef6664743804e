"""Solo vs two concurrent default runs on one machine: median epoch seconds of `ffcl_twin train --preset paper`.

Two runs that each keep every core's OpenMP threads spinning slow each other down by orders of magnitude
on a small machine; ffcl_twin's runs share the cores instead (`ThreadsCB`, `--threads`). This script starts
one run alone, then two at once (default options, the same seed), and prints each run's median epoch time
(epochs after the first) and the slowdown against the solo run. Usage:

    python benchmarks/concurrent_runs.py --data-dir ../shared/data [--epochs 6] [--threads N]  # N: pass --threads N to each run
"""
import argparse, csv, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

def start(out, a):
    cmd = [sys.executable, '-m', 'ffcl_twin', 'train', '--preset', 'paper', '--out', str(out), '--epochs', str(a.epochs),
           '--data-dir', a.data_dir, '--device', 'cpu'] + (['--threads', str(a.threads)] if a.threads else [])
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

def epoch_seconds(out):
    with open(Path(out)/'metrics.csv') as f: rows = list(csv.DictReader(f))
    per_epoch = {int(r['epoch']): float(r['epoch_seconds']) for r in rows}
    return [per_epoch[e] for e in sorted(per_epoch)]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data-dir', required=True); p.add_argument('--epochs', type=int, default=6); p.add_argument('--threads', type=int)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        procs = [start(Path(d)/'solo', a)]
        assert procs[0].wait() == 0, procs[0].stderr.read()
        solo = epoch_seconds(Path(d)/'solo')
        procs = [start(Path(d)/f'run{i}', a) for i in (1, 2)]
        for q in procs: assert q.wait() == 0, q.stderr.read()
        both = [epoch_seconds(Path(d)/f'run{i}') for i in (1, 2)]
    med = lambda s: statistics.median(s[1:])
    print(f'cores: {len(os.sched_getaffinity(0))}, threads: {a.threads or "default (shared)"}, {a.epochs} epochs, preset paper, 1 seed')
    print(f'solo run:          median {med(solo):.3f} s/epoch  (epoch 1: {solo[0]:.2f} s)')
    for i, s in enumerate(both, 1):
        print(f'concurrent run {i}:  median {med(s):.3f} s/epoch  (epoch 1: {s[0]:.2f} s, slowest {max(s):.2f} s)  = {med(s)/med(solo):.2f}x solo')

if __name__ == '__main__': main()
