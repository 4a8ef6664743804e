"""The default thread count on an idle and on a busy machine.

Trains the paper configuration (`ffcl_twin train --preset paper`, one seed) for a few epochs with the default
thread count, `--threads 1` and `--threads N` (all cores), first alone, then next to one CPU-bound process that is
not an ffcl_twin training (a pure-Python busy loop, which the run registry cannot see). Runs are interleaved
(`--repeats` rounds of every setting) and each is summarised by the median of its epochs after the first.

    python benchmarks/busy_machine.py --data-dir ../shared/data [--epochs 4] [--repeats 2]
"""
import argparse, csv, os, statistics, subprocess, sys, tempfile
from pathlib import Path

def run(data_dir, epochs, threads):
    "Median seconds per epoch (epochs 2..) of one `ffcl_twin train --preset paper` in a child process."
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, '-m', 'ffcl_twin', 'train', '--preset', 'paper', '--out', d, '--epochs', str(epochs),
               '--data-dir', data_dir, '--device', 'cpu'] + (['--threads', str(threads)] if threads else [])
        subprocess.run(cmd, check=True, capture_output=True)
        with open(Path(d)/'metrics.csv') as f: secs = [float(r['epoch_seconds']) for r in csv.DictReader(f) if r['net'] == 'A']
    return statistics.median(secs[1:])

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA', '../shared/data'))
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--repeats', type=int, default=2)
    a = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    settings = {'default': None, '--threads 1': 1, f'--threads {cores}': cores}
    print(f'{cores} cores; preset paper, {a.epochs} epochs, median s/epoch of epochs 2-{a.epochs}, {a.repeats} interleaved rounds')
    print('| machine | ' + ' | '.join(settings) + ' | default vs best fixed |\n|---|' + '---|' * (len(settings) + 1))
    for busy in (False, True):
        hog = subprocess.Popen([sys.executable, '-c', 'while True: pass']) if busy else None
        try:
            res = {k: [] for k in settings}
            for _ in range(a.repeats):
                for k, t in settings.items(): res[k].append(run(a.data_dir, a.epochs, t))
        finally:
            if hog: hog.kill(); hog.wait()
        med = {k: statistics.median(v) for k, v in res.items()}
        best = min(v for k, v in med.items() if k != 'default')
        print(f"| {'one busy process beside' if busy else 'idle'} | " + ' | '.join(f'{med[k]:.3f}' for k in settings) + f" | {med['default'] / best:.2f}x |")

if __name__ == '__main__': main()
