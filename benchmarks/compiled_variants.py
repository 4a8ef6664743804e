"""What each part of the compiled step (`--compile on`) saves: µs per training step of the paper configuration
(784-64-64-10, batch 64, twin/guided, one seed, MNIST's 60,000 training images), each variant timed over one
epoch's steps in turn with the others (each round starting with the next), `--rounds` rounds, the median per variant.

    python benchmarks/compiled_variants.py --data-dir ../shared/data [--threads 2] [--rounds 5] [--seeds 1]

Variants (all but `direct` compiled by `compile_step`, so each compiles first, untimed):
  direct           the step as `--compile off` runs it
  grads            `local_grads` alone compiled; the batch read and the loss table in Python
  grads+C++        the same through Inductor's C++ wrapper
  step             the batch read, `local_grads` and the loss table as one graph (`Twin._grads_at`)
  step+C++ unplanned  the same through Inductor's C++ wrapper, each buffer allocated on its own and the inputs' sizes
                   checked (`inductor_options` before 2026-12-07)
  step+C++         the same with the buffers planned as one block, no size checks: `Twin(compile=True)`, what
                   `--compile on` runs
Adam is PyTorch's fused kernel in every variant. Weights are compared with the direct step's after the rounds.
"""
import argparse, os, statistics, sys, time
import torch
from ffcl_twin.twin import Twin
from ffcl_twin.methods import compile_step, inductor_options
from ffcl_twin.data import load_split

def variants(seeds):
    "name -> (model, its `train_step`): each model runs the package's own step, with the part under test compiled."
    out = {}
    m = Twin(seeds=seeds); out['direct'] = m, m.train_step
    for cpp in (False, True):
        m = Twin(seeds=seeds); m.local_grads = compile_step(m.local_grads, 'grads', cpp_wrapper=cpp)   # `_local_step` calls it
        out['grads' + '+C++' * cpp] = m, m.train_step
    m = Twin(seeds=seeds); m._compiled = compile_step(m._grads_at, 'step'); out['step'] = m, m.train_step
    m = Twin(seeds=seeds); m._compiled = torch.compile(m._grads_at, dynamic=False, fullgraph=True,
                                                 options=inductor_options(True) | {'memory_planning': False, 'size_asserts': True})   # the options before
    out['step+C++ unplanned'] = m, m.train_step
    m = Twin(seeds=seeds, compile=True); out['step+C++'] = m, m.train_step      # what --compile on runs
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA', '../shared/data'))
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--seeds', type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    x, y = load_split('mnist', True, 'standard', a.data_dir)
    seeds = tuple(range(a.seeds))
    runs = variants(seeds)
    batches = list(runs['direct'][0].batches(len(x), 64))[:-1]       # the full batches: one compiled shape
    for m, step in runs.values(): step(x, y, batches[0])             # compiles
    us = {k: [] for k in runs}
    names = list(runs)
    for r in range(a.rounds):
        for k in names[r % len(names):] + names[:r % len(names)]:          # each round starts with another variant
            m, step = runs[k]
            t = time.perf_counter()
            for idx in batches: step(x, y, idx)
            us[k].append((time.perf_counter() - t) / len(batches) * 1e6)
        print(f'round {r + 1}: ' + ', '.join(f'{k} {us[k][-1]:.0f}' for k in names), flush=True)
    ref = runs['direct'][0].params
    print(f'\ntorch {torch.__version__}, {a.threads} threads, {len(seeds)} seed(s), {len(batches)} steps a round, {a.rounds} rounds')
    print('| variant | µs per step (median) | × direct | × grads | weights vs direct (max abs) |\n|---|---|---|---|---|')
    med = {k: statistics.median(v) for k, v in us.items()}
    for k, (m, _) in runs.items():
        print(f"| {k} | {med[k]:.0f} | {med[k]/med['direct']:.2f} | {med[k]/med['grads']:.2f} | {(m.params - ref).abs().max().item():.1e} |")

if __name__ == '__main__': main()
