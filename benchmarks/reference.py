"""The conventional implementation of the twin method, written the way such papers' code usually is.

torchvision MNIST with `ToTensor`, a `DataLoader(batch_size=64, shuffle=True)`, two `nn.Module` twins,
and a Python loop over layers in which each layer has its own loss and its own Adam optimiser.
It is the yardstick for `benchmarks/speed.py`, not part of the package: keep it plain.
"""
import torch, torch.nn as nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

MEAN, STD = 0.1307, 0.3081

class MLP(nn.Module):
    def __init__(self, sizes=(784, 64, 64, 10)):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))

def loaders(root, scaling='unit', batch_size=64):
    tfms = [transforms.ToTensor(), transforms.Lambda(lambda x: x.view(-1))]
    if scaling == 'standard': tfms.insert(1, transforms.Normalize((MEAN,), (STD,)))
    tfm = transforms.Compose(tfms)
    train = datasets.MNIST(root, train=True, download=False, transform=tfm)
    test = datasets.MNIST(root, train=False, download=False, transform=tfm)
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(test, batch_size=1000)

def bce_on_softmax(logits, onehot):
    "The paper's CL, BCE between softmax(logits) and the one-hot label, from the logits (exact when a class saturates)."
    log_p = torch.log_softmax(logits, 1)
    others = logits.unsqueeze(1).masked_fill(torch.eye(logits.shape[1], dtype=torch.bool), float('-inf'))
    log_q = torch.logsumexp(others, 2) - torch.logsumexp(logits, 1, keepdim=True)     # log(1 - p_i)
    return -(onehot * log_p + (1 - onehot) * log_q).mean()

class ReferenceTwins:
    "Twin A and twin B, one Adam per layer per twin; `reading` is 'symmetric' or 'guided' (A guides B)."
    def __init__(self, reading='symmetric', lr=1e-4, sizes=(784, 64, 64, 10)):
        self.reading, self.twins = reading, [MLP(sizes), MLP(sizes)]
        self.opts = [[torch.optim.Adam(l.parameters(), lr=lr) for l in t.layers] for t in self.twins]
        self.rep_loss, self.cls_loss = nn.CosineEmbeddingLoss(), bce_on_softmax

    def train_step(self, x, y):
        onehot = nn.functional.one_hot(y, 10).float()
        ha, hb = x, x
        n = len(self.twins[0].layers)
        losses = []
        for i in range(n):
            la, lb = self.twins[0].layers[i], self.twins[1].layers[i]
            oa, ob = self.opts[0][i], self.opts[1][i]
            za, zb = la(ha.detach()), lb(hb.detach())     # detach: no gradient crosses a layer boundary
            oa.zero_grad(); ob.zero_grad()
            if i < n - 1:
                ha, hb = torch.relu(za), torch.relu(zb)
                target = ha.detach() if self.reading == 'guided' else ha
                loss = self.rep_loss(target, hb, torch.ones(len(x)))
                loss.backward()
                if self.reading != 'guided': oa.step()
                ob.step()
            else:
                loss_a, loss_b = self.cls_loss(za, onehot), self.cls_loss(zb, onehot)
                (loss_a + loss_b).backward()
                oa.step(); ob.step()
                losses = [loss_a.item(), loss_b.item()]
        return losses

    @torch.no_grad()
    def evaluate(self, loader):
        "Mean test classification loss and accuracy of each twin."
        out = []
        for t in self.twins:
            tot_loss, correct, n = 0., 0, 0
            for x, y in loader:
                h = x
                for i, l in enumerate(t.layers):
                    h = l(h)
                    if i < len(t.layers) - 1: h = torch.relu(h)
                tot_loss += self.cls_loss(h, nn.functional.one_hot(y, 10).float()).item() * len(x)
                correct += (h.argmax(1) == y).sum().item(); n += len(x)
            out.append((tot_loss / n, correct / n))
        return out

def train_epoch(model, train_dl):
    "One epoch; returns each twin's mean training classification loss."
    tot, n = [0., 0.], 0
    for x, y in train_dl:
        la, lb = model.train_step(x, y)
        tot[0] += la; tot[1] += lb; n += 1
    return [t / n for t in tot]

if __name__ == '__main__':
    import argparse, time
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--data-dir', default='../shared/data'); p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--reading', default='symmetric'); p.add_argument('--scaling', default='unit')
    p.add_argument('--seed', type=int, default=0); p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.manual_seed(a.seed); torch.set_num_threads(a.threads)
    train_dl, test_dl = loaders(a.data_dir, a.scaling)
    model = ReferenceTwins(a.reading)
    for ep in range(1, a.epochs + 1):
        t = time.perf_counter(); tr = train_epoch(model, train_dl); ev = model.evaluate(test_dl)
        print(f'epoch {ep} {time.perf_counter()-t:.1f}s train_cls {tr[0]:.4f} {tr[1]:.4f} '
              f'test_acc A {ev[0][1]:.4f} B {ev[1][1]:.4f}', flush=True)
