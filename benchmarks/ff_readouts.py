"""Which input should a probe read Forward-Forward's hidden layers through?  Prints the probe accuracy of each
hidden layer, and the share of test images whose first hidden layer is all zero, for three readouts of one
trained FF: the neutral label (every label pixel at 0.1 of "on", Hinton 2022's one-pass input), the label pixels
off (`ForwardForward.hidden`, what the comparison probes), and the ten label-written passes concatenated.

    python benchmarks/ff_readouts.py --data-dir ../shared/data            # as in the comparison: 30 epochs, lr 1e-3
    python benchmarks/ff_readouts.py --epochs 2 --n-train 10000           # the notebook's short version

Probes are fitted on the first `--probe-train` training images (ten-pass features are 640 wide) and scored on
the test split.
"""
import argparse, os, time
import torch
from ffcl_twin.ff import ForwardForward
from ffcl_twin.probes import fit_probes
from ffcl_twin.train import Config, load_data

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA'))
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--n-train', type=int, default=None)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--probe-train', type=int, default=10000)
    a = ap.parse_args()
    cfg = Config(method='ff', scaling='standard', lr=a.lr, epochs=a.epochs, n_train=a.n_train, seeds=(a.seed,), data_dir=a.data_dir, device='cpu').validate()
    (x, y), (xt, yt) = load_data(cfg, torch.device('cpu'))
    ff, t0 = ForwardForward(seeds=cfg.seeds, lr=cfg.lr), time.time()
    for _ in range(cfg.epochs):
        for idx in ff.batches(len(x), cfg.batch_size): ff.train_step(x, y, idx)
    acc = ff.evaluate(xt, yt)['acc'].item()
    print(f'FF trained: {cfg.epochs} epochs on {len(x)} images, lr {cfg.lr:g}, seed {a.seed}, {time.time() - t0:.0f} s; goodness test accuracy {acc:.4f}')
    xp, yp = x[:a.probe_train], y[:a.probe_train]
    with torch.no_grad():
        readouts = {'neutral label (0.1 of on)': lambda v: ff._hidden(ff._embed(v)),
                    'label pixels off (hidden)': lambda v: [h[:, 0] for h in ff.hidden(v)],
                    'ten labels, concatenated': lambda v: [torch.cat(hs, -1) for hs in zip(*[ff._hidden(ff._embed(v, torch.full(v.shape[:-1], c)))
                                                                                        for c in range(ff.n_classes)])]}
    print(f"{'readout':28} {'probe h1':>9} {'probe h2':>9} {'h1 all zero':>12}")
    for name, read in readouts.items():
        with torch.no_grad(): h, ht = read(xp), read(xt)
        accs = [fit_probes(f, yp, ft, yt)['acc'].item() for f, ft in zip(h, ht)]
        print(f'{name:28} {accs[0]:9.4f} {accs[1]:9.4f} {(ht[0] == 0).all(-1).float().mean().item():12.4f}')

if __name__ == '__main__': main()
