"""Why a paper run's epochs sometimes slow down by a third part-way through: after each epoch of
`ffcl_twin train --preset paper`, in the same process, the same fixed operations are timed afresh
(PyTorch's fused Adam on 56,000 new values, 500 times; the first layer's batched forward product,
500 times) and the values below float32's smallest normal number (denormals, slow on x86) are counted
in the weights, Adam's moments and the gradient. If the fresh operations slow down in the same epochs as
training does, the machine is slower then (other work on the host); if only training slows, the
run's own state is the cause.

    python benchmarks/slow_epochs.py --data-dir ../shared/data [--epochs 30] [--threads 2]
"""
import argparse, os, time
import torch
from ffcl_twin.train import Config, train
from ffcl_twin.callbacks import Callback

def fresh_us(reps=500):
    "µs per call of the fused Adam kernel on 56,000 fresh values, and of one (2, 64, 784) @ (2, 784, 64) product."
    p, g, m, v, st = torch.randn(56000), torch.randn(56000) * 1e-3, torch.zeros(56000), torch.zeros(56000), torch.ones(())   # step 1 (the kernel does not count steps)
    x, W = torch.randn(2, 64, 784), torch.randn(2, 784, 64)
    t = time.perf_counter()
    for _ in range(reps): torch._fused_adam_([p], [g], [m], [v], [], [st], lr=1e-4, beta1=0.9, beta2=0.999, weight_decay=0., eps=1e-8, amsgrad=False, maximize=False)
    adam = (time.perf_counter() - t) / reps * 1e6
    t = time.perf_counter()
    for _ in range(reps): torch.bmm(x, W)
    return adam, (time.perf_counter() - t) / reps * 1e6

class Probe(Callback):
    def after_epoch(self, run):
        adam, bmm = fresh_us()
        tiny, opt = torch.finfo(torch.float32).tiny, run.method.opt
        den = sum(((t != 0) & (t.abs() < tiny)).sum().item() for t in (run.method.params, opt.exp_avg, opt.exp_avg_sq, run.method.params.grad))
        print(f'| {run.epoch} | {run.seconds:.2f} | {adam:.0f} | {bmm:.0f} | {den} |', flush=True)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data-dir', default=os.environ.get('FFCL_TWIN_DATA', '../shared/data'))
    p.add_argument('--epochs', type=int, default=30)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(f'torch {torch.__version__}, {a.threads} threads\n\n| epoch | s | fresh Adam, µs | fresh product, µs | denormals |\n|---|---|---|---|---|')
    train(Config(epochs=a.epochs, data_dir=a.data_dir, device='cpu'), threads=a.threads, cbs=[Probe()])

if __name__ == '__main__': main()
