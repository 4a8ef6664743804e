"""Speed of ffcl_twin against the conventional implementation (benchmarks/reference.py).

Both train the paper configuration (784-64-64-10, batch 64, both twins, test evaluation every epoch)
in this process with the same thread count, interleaved epoch by epoch. Prints seconds per epoch,
their median ratio (for the direct step and the step compiled by `torch.compile`, `--compile on`, each timed on
epochs after a first, untimed one: it builds what a run computes once, twin A's table, and compiles), how close each gets to the arithmetic floor, seed batching, a check that
both implementations learn the same thing, and the wall time and peak memory of the whole 30-epoch
paper run (`ffcl_twin train --preset paper`, at the same thread count) in a child process.

    python benchmarks/speed.py --data-dir ../shared/data [--epochs 3] [--threads 2]
    python benchmarks/speed.py --against REV [--epochs 6] [--pairs 5] [--seeds 5] [--compile on]   # whole paper runs vs REV's package (against.py)
"""
import argparse, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from reference import ReferenceTwins, loaders, train_epoch
from ffcl_twin.train import Config, preset, train

def package_epoch_seconds(data_dir, seeds=(0,), epochs=1, compiled=False, **kw):
    "Seconds of each epoch of a run of the package after one more epoch first, untimed (its first step builds twin A's table under `guided`, a run's one-time cost; `compiled`: it also compiles the step), and the run's rows."
    opts = dict(compile="on") if compiled else {}
    rows = train(Config(epochs=epochs + 1, seeds=seeds, data_dir=data_dir, device='cpu', **opts, **kw), threads=torch.get_num_threads())   # --threads, fixed
    return [r['epoch_seconds'] for r in rows if r['seed'] == seeds[0] and r['net'] == 'A' and r['epoch'] > 1], rows

def floor_seconds(sizes, batch, steps, repeats=3, seeds=1):
    "Seconds per epoch of the unavoidable products, timed alone: per step the first layer's forward (x @ W1) and weight gradient (xᵀ @ δ) for both twins of each of `seeds` seeds, batched; then the test forward of those twins (10,000 images, every layer)."
    n = 2 * seeds
    x, W = torch.randn(n, batch, sizes[0]), torch.randn(n, sizes[0], sizes[1])
    g, xt = torch.randn(n, batch, sizes[1]), torch.randn(10000, sizes[0])
    Ws = [torch.randn(n, i, o) for i, o in zip(sizes[:-1], sizes[1:])]
    best = float('inf')
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(steps): torch.bmm(x, W); torch.bmm(x.transpose(1, 2), g)
        h = xt.expand(n, -1, -1)
        for w in Ws: h = torch.bmm(h, w)
        best = min(best, time.perf_counter() - t)
    return best

def profile(data_dir, cfg, n_train=19200, compiled=False):
    "Where a package epoch's time goes: PyTorch's profiler over the second epoch of a short run of the paper preset (the first warms up, compiled: compiles), the operators (compiled: and Inductor's loops, one row each) by their share of self CPU time."
    from torch.profiler import profile as prof, ProfilerActivity
    from ffcl_twin.callbacks import Callback
    import torch._inductor.config as inductor
    p = prof(activities=[ProfilerActivity.CPU])
    class Second(Callback):                                                 # the profiler on for epoch 2 alone
        def after_epoch(self, run): p.start() if run.epoch == 1 else p.stop()
    c = Config(epochs=2, method='twin/' + cfg.options['reading'], scaling=cfg.scaling, n_train=n_train, data_dir=data_dir, device='cpu', compile='on' if compiled else 'off')
    with inductor.patch({'cpp.enable_kernel_profile': compiled}):          # each generated loop its own profiler row
        rows = train(c, threads=torch.get_num_threads(), cbs=[Second()])
    wall = next(r['epoch_seconds'] for r in rows if r['epoch'] == 2)
    ev = sorted(p.key_averages(), key=lambda e: -e.self_cpu_time_total)
    total, steps = sum(e.self_cpu_time_total for e in ev), -(-n_train // cfg.batch_size)
    print(f"\nprofile of one {'compiled' if compiled else 'direct'} epoch on {n_train} images: operators take {total/1e6:.2f} s of the {wall:.2f} s epoch "
          f'(under the profiler, which adds to both); the rest is Python and dispatch between them')
    print('| operator | calls | share | µs per step |\n|---|---|---|---|')
    for e in ev[:16 if compiled else 12]:
        print(f'| {e.key[:60]} | {e.count} | {100*e.self_cpu_time_total/total:.1f}% | {e.self_cpu_time_total/steps:.0f} |')

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA', '../shared/data'))
    p.add_argument('--epochs', type=int, default=3, help='timed epochs of each implementation (interleaved)')
    p.add_argument('--threads', type=int, default=torch.get_num_threads())
    p.add_argument('--skip-full-run', action='store_true', help='skip the 30-epoch paper run in a child process')
    p.add_argument('--against', metavar='REV', help="only time whole paper runs of this tree against REV's package, "
                   'interleaved pair by pair (benchmarks/against.py; --epochs then counts each run\'s epochs, default 6)')
    p.add_argument('--pairs', type=int, default=5, help='pairs of runs for --against')
    p.add_argument('--seeds', type=int, default=1, help='--against: seeds 0 to SEEDS-1 in each run, batched')
    p.add_argument('--compile', choices=('on', 'off'), help="--against: passed to both runs (REV must have the option)")
    a = p.parse_args()
    if a.compile and not a.against: p.error('--compile goes with --against (the other measurements time both steps)')
    if a.seeds != 1 and not a.against: p.error('--seeds goes with --against (the other measurements time 1 and 5 seeds)')
    if a.against:
        from against import against
        return against(a.against, epochs=a.epochs if '--epochs' in sys.argv else 6, pairs=a.pairs,
                       threads=a.threads if '--threads' in sys.argv else None, data_dir=a.data_dir, compile=a.compile, seeds=a.seeds)
    torch.set_num_threads(a.threads)
    print(f'torch {torch.__version__}, {a.threads} threads, CPU: {os.cpu_count()} cores')

    # 1. interleaved epochs: conventional vs package, same reading and scaling (the paper preset's)
    cfg = preset('paper').validate()     # the method's options filled in (reading)
    torch.manual_seed(0)
    train_dl, test_dl = loaders(a.data_dir, cfg.scaling)
    ref = ReferenceTwins(cfg.options['reading'])
    kw = dict(method='twin/' + cfg.options['reading'], scaling=cfg.scaling)
    package_epoch_seconds(a.data_dir, **kw); package_epoch_seconds(a.data_dir, compiled=True, **kw)   # warm-up: data cache, kernels, compiled code
    steps = -(-60000 // cfg.batch_size)
    ref_s, pkg_s, comp_s, fl_s = [], [], [], []
    for _ in range(a.epochs):      # the floor too, each round: this machine's speed changes from minute to minute
        t = time.perf_counter(); train_epoch(ref, train_dl); ref.evaluate(test_dl); ref_s.append(time.perf_counter() - t)
        pkg_s += package_epoch_seconds(a.data_dir, **kw)[0]
        comp_s += package_epoch_seconds(a.data_dir, compiled=True, **kw)[0]
        fl_s.append(floor_seconds(cfg.sizes, cfg.batch_size, steps))          # the best of 3, as a floor should be
    ratio = statistics.median(r / q for r, q in zip(ref_s, pkg_s))
    ratio_c = statistics.median(r / q for r, q in zip(ref_s, comp_s))
    mflop = 2 * 2 * sum(i * o for i, o in zip(cfg.sizes[:-1], cfg.sizes[1:])) * cfg.batch_size * 2 / 1e6  # fwd + weight grads, 2 twins
    print(f'\n| implementation | s/epoch (median of {a.epochs}) | all epochs |\n|---|---|---|')
    print(f"| conventional (DataLoader, nn.Module twins, per-layer Adam) | {statistics.median(ref_s):.2f} | {' '.join(f'{s:.2f}' for s in ref_s)} |")
    print(f"| ffcl_twin (batched twins, hand-written local gradients) | {statistics.median(pkg_s):.2f} | {' '.join(f'{s:.2f}' for s in pkg_s)} |")
    print(f"| ffcl_twin, compile='on' (the step compiled by torch.compile) | {statistics.median(comp_s):.2f} | {' '.join(f'{s:.2f}' for s in comp_s)} |")
    print(f'speed-up over the conventional loop (median of per-epoch ratios): {ratio:.1f}x; compiled {ratio_c:.1f}x; '
          f'compiled / direct step: {statistics.median(c / q for c, q in zip(comp_s, pkg_s)):.3f}')
    print(f'arithmetic: {mflop:.1f} MFLOP per step x {steps} steps = {mflop*steps/1e3:.1f} GFLOP per epoch (forward and weight '
          f'gradients of both twins); the {cfg.options["reading"]} step performs about half of it (twin A\'s hidden outputs read from '
          f'its table, its hidden gradients never formed)' if cfg.options['reading'] == 'guided' else
          f'arithmetic: {mflop:.1f} MFLOP per step x {steps} steps = {mflop*steps/1e3:.1f} GFLOP per epoch')
    fl = statistics.median(fl_s)
    print(f"floor (measured): the first layer's forward and weight-gradient products for both twins, {steps} steps, plus the "
          f"test forward, timed alone on this machine after each round's epochs: {fl:.3f} s per epoch (median; {' '.join(f'{s:.3f}' for s in fl_s)}); "
          f"the package takes {statistics.median(p / f for p, f in zip(pkg_s, fl_s)):.1f}x the floor, "
          f"{statistics.median(c / f for c, f in zip(comp_s, fl_s)):.1f}x compiled (medians of the rounds' ratios)")
    profile(a.data_dir, cfg); profile(a.data_dir, cfg, compiled=True)

    # 2. seed batching: 5 seeds in one run vs 1 seed, one epoch each, interleaved round by round
    t = {(c, n): [] for c in (False, True) for n in (1, 5)}
    fl1_s, fl5_s = [], []
    for _ in range(a.epochs):
        for c, n in t: t[c, n] += package_epoch_seconds(a.data_dir, seeds=tuple(range(n)), epochs=1, compiled=c, **kw)[0]
        fl1_s.append(floor_seconds(cfg.sizes, cfg.batch_size, steps)); fl5_s.append(floor_seconds(cfg.sizes, cfg.batch_size, steps, seeds=5))
    for c in (False, True):
        one, five = (statistics.median(t[c, n]) for n in (1, 5))
        r = statistics.median(f / o for f, o in zip(t[c, 5], t[c, 1]))
        print(f"\n{'compiled' if c else 'direct step'}: 1 seed {one:.2f} s/epoch; 5 seeds batched: {five:.2f} s/epoch; "
              f'5 seeds / 1 seed, median of {a.epochs} rounds: {r:.2f}x ({5/r:.1f}x faster than 5 separate runs)')
    fl1, fl5 = statistics.median(fl1_s), statistics.median(fl5_s)
    print(f"floor of 5 seeds (the same products for 10 networks, timed alone, each round): {fl5:.3f} s per epoch, {fl5/fl1:.2f}x one seed's "
          f"({fl1:.3f} s, timed in the same rounds); "
          f"it is {fl5/statistics.median(t[False, 1]):.2f}x a whole direct 1-seed epoch and {fl5/statistics.median(t[True, 1]):.2f}x a compiled one. "
          f"with one seed at 2x its floor, 5 seeds within 2x one seed would have to take {4*fl1/fl5:.2f}x their own floor (below 1: less time than their products alone)")

    # 3. both learn the same thing: test accuracy after 2 epochs (reference: 3 seeds; package: 5 seeds)
    ref_accs = []
    for seed in range(3):
        torch.manual_seed(seed); r = ReferenceTwins(cfg.options['reading'])
        for _ in range(2): train_epoch(r, train_dl)
        ref_accs += [acc for loss, acc in r.evaluate(test_dl)]
    _, rows = package_epoch_seconds(a.data_dir, seeds=(0, 1, 2, 3, 4), epochs=1, **kw)   # 2 epochs in all
    for t, idx in (('A', 0), ('B', 1)):
        ra, pa = ref_accs[idx::2], [r['test_acc'] for r in rows if r['epoch'] == 2 and r['net'] == t]
        print(f'epoch-2 test acc, twin {t}: conventional {statistics.fmean(ra):.4f} ± {statistics.stdev(ra):.4f} (3 seeds), '
              f'ffcl_twin {statistics.fmean(pa):.4f} ± {statistics.stdev(pa):.4f} (5 seeds)')

    # 4. whole runs in child processes: wall time and peak memory (resident set, torch's own libraries included)
    def child(argv):
        "Wall time and peak resident memory (the last VmHWM read from /proc before it exits, MiB) of a child process."
        t = time.perf_counter()
        p = subprocess.Popen([sys.executable, *argv], env={**os.environ, 'OMP_NUM_THREADS': str(a.threads)}, stdout=subprocess.DEVNULL)
        hwm = 0
        while p.poll() is None:
            try: hwm = int(next(l for l in open(f'/proc/{p.pid}/status') if l.startswith('VmHWM')).split()[1]) / 1024
            except (OSError, StopIteration): pass
            time.sleep(0.05)
        assert p.returncode == 0, argv
        return time.perf_counter() - t, hwm
    base = child(['-c', 'import torch, torchvision'])[1]
    print(f'\npeak memory of `import torch, torchvision` alone: {base:.0f} MiB')
    wall, peak = child([str(Path(__file__).parent/'reference.py'), '--epochs', '1', '--data-dir', a.data_dir, '--threads', str(a.threads), '--reading', cfg.options['reading'], '--scaling', cfg.scaling])
    print(f'conventional implementation, 1 epoch: {wall:.1f} s wall, peak memory {peak:.0f} MiB')
    if not a.skip_full_run:
        with tempfile.TemporaryDirectory() as d:
            wall, peak = child(['-m', 'ffcl_twin', 'train', '--preset', 'paper', '--out', d, '--data-dir', a.data_dir, '--device', 'cpu', '--threads', str(a.threads)])
        print(f'ffcl_twin train --preset paper --threads {a.threads} (30 epochs, 1 seed, CPU): {wall:.1f} s wall, peak memory {peak:.0f} MiB')
        with tempfile.TemporaryDirectory() as d:
            wall, peak = child(['-m', 'ffcl_twin', 'train', '--preset', 'paper', '--compile', 'on', '--out', d, '--data-dir', a.data_dir, '--device', 'cpu', '--threads', str(a.threads)])
        print(f'ffcl_twin train --preset paper --threads {a.threads} --compile on (30 epochs, 1 seed, CPU, compiling included): {wall:.1f} s wall, peak memory {peak:.0f} MiB')

if __name__ == '__main__': main()
