"""What reading twin A's hidden outputs from its table saves (`Twin._frozen_table`, `twin/guided`): µs per training step
of the paper configuration (784-64-64-10, batch 64, MNIST's 60,000 training images, standard scaling) with the table
and without it (`frozen = None`: every network's forward, as before the table), for each seed count and step kind,
the two timed over `--steps` steps in turn for `--rounds` rounds (the order swapped every round). Prints the median
µs per step of each, the median of the rounds' ratios (table ÷ without), the seconds the table takes to build, its
size, and how far apart their weights end (the direct steps: bit for bit on the CPU where the table was written).

    python benchmarks/frozen_table.py --data-dir ../shared/data [--threads 2] [--rounds 8] [--steps 400] [--seeds 1 2 5] [--compile]
"""
import argparse, os, statistics, time
import torch
from ffcl_twin.twin import Twin
from ffcl_twin.data import load_split

def steps(m, x, y, g, S, n):
    "µs per step of `n` steps of `m` on random batches (the same batches for both models: `g` restarted by the caller)."
    t = time.perf_counter()
    for _ in range(n): m.train_step(x, y, torch.randint(0, len(x), (S, 64), generator=g))
    return (time.perf_counter() - t) / n * 1e6

def compare(x, y, S, compiled, rounds, n):
    "Median µs per step with and without the table, the median ratio, and whether the weights end equal."
    ms = {}
    for table in (True, False):
        ms[table] = Twin(seeds=tuple(range(S)), lr=1e-4, compile=compiled)
        if not table: ms[table].frozen = None
    us = {k: [] for k in ms}
    for r in range(rounds + 1):                                  # round 0 warms up (and compiles): untimed
        for k in ((True, False) if r % 2 else (False, True)):
            t = steps(ms[k], x, y, torch.Generator().manual_seed(r), S, n)
            if r: us[k].append(t)
    ratio = statistics.median(a / b for a, b in zip(us[True], us[False]))
    diff = (ms[True].params - ms[False].params).abs().max().item()
    return statistics.median(us[True]), statistics.median(us[False]), ratio, 'bit for bit' if diff == 0 else f'within {diff:.1e}'

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA', '../shared/data'))
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--rounds', type=int, default=8)
    p.add_argument('--steps', type=int, default=400)
    p.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 5])
    p.add_argument('--compile', action='store_true', help='also the compiled step (`--compile on`)')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    x, y = load_split('mnist', True, 'standard', a.data_dir)
    print(f'torch {torch.__version__}, {a.threads} threads; {a.rounds} rounds of {a.steps} steps each\n')
    print('| seeds | step | table µs/step | without µs/step | table ÷ without (median of rounds) | weights at the end |\n|---|---|---|---|---|---|')
    for S in a.seeds:
        for compiled in (False, True) if a.compile else (False,):
            with_t, without, ratio, same = compare(x, y, S, compiled, a.rounds, a.steps)
            print(f"| {S} | {'compiled' if compiled else 'direct'} | {with_t:.0f} | {without:.0f} | {ratio:.3f} | {same} |", flush=True)
    for S in a.seeds:
        m, build = Twin(seeds=tuple(range(S))), []
        for _ in range(3):
            m._table = None; t = time.perf_counter(); values, _ = m._frozen_table(x); build.append(time.perf_counter() - t)
        print(f'{S} seed(s): the table takes {min(build):.2f} s to build (best of 3) and {values.numel() * 4 / 2**20:.0f} MiB')

if __name__ == '__main__': main()
