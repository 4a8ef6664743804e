#!/usr/bin/env python3
"""Why the comparison's symmetric readings read so differently through their own output layer and through a probe.

Trains, as the comparison does (784-64-64-10, standard inputs, Adam, batch 64, 30 epochs, the comparison's learning
rate), one seed of each row a reviewer questions, then measures its second hidden layer on the test images:
  pair_cos   mean cosine between two images' layer-2 outputs (1: every image points the same way)
  spread     median over live units of (std over images) / (mean over images): how much a unit varies at all
  logit sd   std over images of the output layer's logits, over their mean magnitude: how much the output varies
  output     the network's own test accuracy (its output layer reads h2 as it is, trained by Adam for 30 epochs)
  probe      the comparison's probe of h2 (07_probes: each unit standardised, softmax fitted to convergence)
  readout    a fresh output layer trained like the network's own (the paper's CL, Adam at the run's learning rate,
             batch 64, 30 epochs, seeded) on the frozen h2: as it is, and with each unit standardised as the probe does

Usage: python benchmarks/collapsed_layers.py [--seed 0] [--data-dir DIR]      (about 5 minutes on 2 CPU cores)
Prints one line per run and a markdown table; nbs/09_comparison.ipynb quotes its output."""
import argparse, json, os
import torch
from ffcl_twin.config import Config
from ffcl_twin.train import train
from ffcl_twin.callbacks import Callback
from ffcl_twin.probes import fit_probe
from ffcl_twin.losses import classification_loss

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = [('mnist', 'twin/symmetric'), ('mnist', 'twin/symmetric_pairs'), ('fashion_mnist', 'twin/symmetric_pairs'), ('mnist', 'twin/guided')]

class Keep(Callback):
    "Keep the trained method and the data when training ends."
    def after_fit(self, run): self.run = run

def readout(f, y, ft, yt, lr, epochs=30, batch=64, seed=0):
    "Test accuracy of a linear layer trained on frozen features `f` as the twin's output layer is: the paper's CL, Adam at `lr`."
    g = torch.Generator().manual_seed(seed)
    lin = torch.nn.Linear(f.shape[1], 10)
    opt = torch.optim.Adam(lin.parameters(), lr)
    onehot = torch.nn.functional.one_hot(y, 10).float()
    for _ in range(epochs):
        for idx in torch.randperm(len(f), generator=g).split(batch):
            opt.zero_grad(); classification_loss(lin(f[idx]), onehot[idx]).backward(); opt.step()
    with torch.no_grad(): return (lin(ft).argmax(-1) == yt).float().mean().item()

def measure(run, lr, net=0):
    "The measures above for twin A (`net` 0) of the run's first seed."
    m, x, y, xt, yt = run.method, run.x, run.y, run.x_test, run.y_test
    with torch.no_grad():
        h, ht = m.hidden(x)[1][0, net], m.hidden(xt)[1][0, net]             # (images, 64)
        z = m.forward(xt)[-1].view(len(m.seeds), 2, len(xt), -1)[0, net]
    live = ht.std(0) > 0
    u = torch.nn.functional.normalize(ht[:2000], dim=-1)
    mu, sd = h.mean(0), h.std(0).clamp_min(1e-6)                              # the probe's standardisation (07_probes)
    return dict(pair_cos=(u @ u.T).mean().item(), spread=(ht.std(0)[live] / ht.mean(0)[live]).median().item(),
                logit_sd=(z.std(0).mean() / z.abs().mean()).item(), output=(z.argmax(-1) == yt).float().mean().item(),
                probe=fit_probe(h, y, ht, yt)['acc'], readout=readout(h, y, ht, yt, lr), readout_std=readout((h - mu) / sd, y, (ht - mu) / sd, yt, lr))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--seed', type=int, default=0); ap.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA'))
    a = ap.parse_args()
    lrs = json.load(open(os.path.join(ROOT, 'paper_figures', 'comparison_lrs.json')))
    import tempfile
    from ffcl_twin.data import fashion_mnist_from_debian
    fashion = tempfile.mkdtemp(); fashion_mnist_from_debian(fashion)
    table = ['| dataset | method | lr | pair_cos h2 | spread h2 | logit sd | output | probe h2 | readout | readout, units standardised |', '|---|---|---|---|---|---|---|---|---|---|']
    for ds, m in RUNS:
        lr = lrs[ds][m]
        dd = a.data_dir if ds == 'mnist' else fashion
        keep = Keep()
        train(Config(method=m, dataset=ds, scaling='standard', lr=lr, seeds=(a.seed,), data_dir=dd, device='cpu'), cbs=[keep])
        r = measure(keep.run, lr)
        print(f'{ds} {m} lr {lr:g}: ' + ', '.join(f'{k} {v:.4g}' for k, v in r.items()), flush=True)
        table.append(f"| {ds} | {m} | {lr:g} | {r['pair_cos']:.6f} | {r['spread']:.2g} | {r['logit_sd']:.2g} | {100*r['output']:.1f} | "
                     f"{100*r['probe']:.1f} | {100*r['readout']:.1f} | {100*r['readout_std']:.1f} |")
    print(f'\nseed {a.seed}, twin A, 30 epochs, test images:\n'); print('\n'.join(table))
