"""The paper run and the comparison on an accelerator: wall times, and metrics to set beside the CPU reference.

    python benchmarks/accelerator.py --out DIR [--device cuda] [--workers 8] [--epochs 30] [--data-dir D] [--fashion-dir F]
                                     [--datasets mnist ...] [--methods m ...]

Writes into DIR (new or empty): first the captured step checked (the twin's paper step called directly and
replayed as a CUDA graph, `StepGraph`, for a few epochs each: seconds per epoch and whether the weights end bit for
bit the same; `capture.csv`), then `paper_1seed/` and `paper_5seeds/` (`ffcl_twin train` folders of the paper preset, whose step is
captured by default on CUDA), `timings.csv` (one row per step) and `comparison_runs.csv` (the rows `compare` returns, rewritten as each
(dataset, method) job ends, so that a run stopped early keeps what finished). Then, on any machine,
`python benchmarks/accelerator.py --report DIR` sets them beside the committed CPU results: the paper run against
`paper_figures/figure2_metrics.csv` (same seeds), the comparison against `paper_figures/comparison_bounds.json`.
"""
import argparse, csv, json, multiprocessing, statistics, sys, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def log(out, file='timings.csv', **row):
    "Print a step's timing and append it to `file` (timings.csv; the captured-step check has its own, capture.csv: other columns)."
    print(' '.join(f'{k}={v}' for k, v in row.items()), flush=True)
    f = out/file
    new = not f.exists()
    with open(f, 'a', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=list(row))
        if new: w.writeheader()
        w.writerow(row)


def capture_check(out, args, name):
    "The twin's paper step called directly, captured as a CUDA graph, compiled (`compile=True`) and both: seconds per epoch of each, whether the captured weights end identical to the direct ones, how far the compiled ones end from them."
    import torch
    from ffcl_twin.config import preset
    from ffcl_twin.train import load_data
    from ffcl_twin.twin import Twin
    c = preset('paper', device=args.device, data_dir=args.data_dir).validate()
    dev = torch.device(args.device)
    (x, y), _ = load_data(c, dev)
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    res = {}
    for capture, compiled in ((False, False), (True, False), (False, True), (True, True)):
        m = Twin(sizes=c.sizes, seeds=c.seeds, lr=c.lr, device=dev, capture=capture, compile=compiled, **c.options)
        secs = []
        for _ in range(args.capture_epochs):
            sync(); t = time.perf_counter()
            for idx in m.batches(len(x), c.batch_size): m.train_step(x, y, idx)
            sync(); secs.append(time.perf_counter() - t)
        res[capture, compiled] = secs, m.params.detach().cpu()
    (direct, w), med = res[False, False], lambda k: round(statistics.median(res[k][0][1:] or res[k][0]), 3)   # the first epoch compiles
    log(out, 'capture.csv', step='capture_check', device=name, epochs=args.capture_epochs,
        direct_median_epoch_s=med((False, False)), captured_median_epoch_s=med((True, False)), identical_weights=torch.equal(w, res[True, False][1]),
        compiled_median_epoch_s=med((False, True)), compiled_captured_median_epoch_s=med((True, True)),
        compiled_max_weight_diff=f'{max((w - res[k][1]).abs().max().item() for k in ((False, True), (True, True))):.1e}')


def run(args):
    import torch
    from ffcl_twin.train import preset, train
    from ffcl_twin.files import write_metrics
    from ffcl_twin.comparison import COMPARISON, _compare_run, _pixel_probe
    out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()): sys.exit(f'accelerator.py: {out} is not empty: pass a new or empty folder')
    dev = torch.device(args.device)
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'cpu'
    print(f'torch {torch.__version__} on {name}', flush=True)
    if args.capture_epochs: capture_check(out, args, name)
    for seeds in ((0,), (0, 1, 2, 3, 4)) if args.paper else ():
        t0 = time.perf_counter()
        rows = train(preset('paper', device=args.device, seeds=seeds, epochs=args.epochs, data_dir=args.data_dir),
                     out/f'paper_{len(seeds)}seed{"s" if len(seeds) > 1 else ""}')
        wall = time.perf_counter() - t0
        ep = [r['epoch_seconds'] for r in rows if r['net'] == 'A' and r['seed'] == seeds[0]]
        log(out, step=f'paper_{len(seeds)}_seeds', device=name, epochs=args.epochs, wall_s=round(wall, 2),
            first_epoch_s=round(ep[0], 3), median_epoch_s=round(statistics.median(ep[1:] or ep), 3))
    lrs = json.loads((ROOT/'paper_figures/comparison_lrs.json').read_text())
    dirs = {ds: dict(mnist=args.data_dir, fashion_mnist=args.fashion_dir)[ds] for ds in args.datasets}
    cfg = dict(device=args.device)
    jobs = [(_compare_run, (ds, m, lrs[ds][m], args.epochs, (0, 1, 2, 3, 4), dirs[ds], cfg)) for ds in dirs for m in args.methods or COMPARISON]
    jobs += [(_pixel_probe, (ds, dirs[ds], cfg)) for ds in dirs]
    t0, rows = time.perf_counter(), []
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context('spawn')) as ex:
        futs = {ex.submit(fn, *a): (a[0], a[1] if fn is _compare_run else 'pixels') for fn, a in jobs}
        for i, f in enumerate(as_completed(futs), 1):
            rows += f.result()
            write_metrics(out/'comparison_runs.csv', rows)
            print(f'[{i}/{len(jobs)}] {futs[f][0]} {futs[f][1]} done at {time.perf_counter() - t0:.0f} s', flush=True)
    log(out, step='comparison', device=name, epochs=args.epochs, wall_s=round(time.perf_counter() - t0, 1), workers=args.workers)


def report(d):
    "Set an accelerator run beside the committed CPU results."
    from ffcl_twin.core import BoundsError
    from ffcl_twin.comparison import read_comparison_runs, check_comparison_bounds, comparison_table
    from ffcl_twin.files import read_metrics
    d = Path(d)
    for f in ('capture.csv', 'timings.csv'):
        if (d/f).exists(): print((d/f).read_text())
    cpu = {(r['seed'], r['epoch'], r['net']): r['test_acc'] for r in read_metrics(ROOT/'paper_figures/figure2_metrics.csv')
           if r['reading'] == 'guided' and r['scaling'] == 'standard'}
    for run in ('paper_1seed', 'paper_5seeds'):
        acc = {(r['seed'], r['epoch'], r['net']): r['test_acc'] for r in read_metrics(d/run/'metrics.csv')}
        diff = [abs(v - cpu[k]) for k, v in acc.items() if k in cpu]
        same = sum(v == cpu[k] for k, v in acc.items() if k in cpu)
        last = max(k[1] for k in acc)
        print(f'{run}: {len(diff)} (seed, epoch, net) test accuracies beside the CPU reference: {same} identical, '
              f'largest difference {max(diff):.4f}, mean {statistics.fmean(diff):.4f}; epoch {last}: '
              + ', '.join(f'seed {k[0]} {k[2]} {v:.4f} (CPU {cpu[k]:.4f})' for k, v in sorted(acc.items()) if k[1] == last))
    f = d/'comparison_runs.csv'
    if f.exists():
        runs = read_comparison_runs(f)
        cpu_rows = {(r['dataset'], r['method'], r['net']): r for r in comparison_table(read_comparison_runs(ROOT/'paper_figures/comparison_runs.csv'))}
        for r in comparison_table(runs):
            c = cpu_rows.get((r['dataset'], r['method'], r['net']))
            if c: print(f"{r['dataset']:13} {r['method']:20} {r['net']:3} test {100*r['test_acc_mean']:5.1f} (CPU {100*c['test_acc_mean']:5.1f})  "
                        f"probe h2 {100*r['probe_h2_mean']:5.1f} (CPU {100*c['probe_h2_mean']:5.1f})  s/epoch {r['seconds_per_epoch']:.2f} (CPU {c['seconds_per_epoch']:.2f})")
        try: print(f"comparison bounds: {check_comparison_bounds(runs, json.loads((ROOT/'paper_figures/comparison_bounds.json').read_text()), partial=True)} hold")
        except BoundsError as e: print(f'comparison bounds: {e}')


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out'); p.add_argument('--report')
    p.add_argument('--device', default='cuda'); p.add_argument('--workers', type=int, default=8); p.add_argument('--epochs', type=int, default=30)
    p.add_argument('--data-dir'); p.add_argument('--fashion-dir')
    p.add_argument('--no-paper', dest='paper', action='store_false', help='skip the paper runs')
    p.add_argument('--capture-epochs', type=int, default=3, help='epochs of the captured-step check (0: skip it)')
    p.add_argument('--datasets', nargs='+', default=['mnist', 'fashion_mnist']); p.add_argument('--methods', nargs='+')
    a = p.parse_args()
    if a.report: report(a.report)
    elif a.out: run(a)
    else: sys.exit('accelerator.py: pass --out DIR (run) or --report DIR (compare a run with the CPU results)')
