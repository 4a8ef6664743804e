"The twin's step compiled by torch.compile (`--compile on`, `Twin(compile=True)`): the same results at any thread count, the direct step's but for the last bits, and one line where no C++ compiler is found."
import pytest, torch
from torch._dynamo.utils import counters
from ffcl_twin.methods import METHODS
from ffcl_twin.data import load_split
from conftest import run_cli

pytestmark = pytest.mark.slow          # compiling takes seconds per batch shape

def _train(x, y, threads, name, seeds, compile=False, **kw):
    "Weights and losses of `seeds` after one epoch of `x` (a partial last batch: a second compiled shape) at `threads` threads, compiled afresh (no cached code)."
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch._dynamo.reset()
        with torch._inductor.config.patch(fx_graph_cache=False):       # the code generated at this thread count, not read from disk
            m = METHODS[name](seeds=seeds, lr=1e-3, compile=compile, **kw)
            graphs = counters['stats']['unique_graphs']
            losses = torch.stack([m.train_step(x, y, idx) for idx in m.batches(len(x), 64)])
            assert counters['stats']['unique_graphs'] - graphs == 2 * compile, 'expected one compiled graph per batch shape'
        return m.params.detach().clone(), losses
    finally: torch.set_num_threads(before)

# one seed guided: the paper run (twin B's slices contiguous, written in place); capture=True: the step through StepGraph's static buffers (on CUDA, a replayed graph), `local_grads` alone compiled
CASES = [('twin', (0,), {}), ('twin', (0, 1), {}), ('twin', (0, 1), dict(pairing='class')), ('twin', (0,), dict(reading='symmetric')), ('backprop', (0, 1), {}),
         ('twin', (0, 1), dict(capture=True))]

@pytest.mark.parametrize('name,seeds,kw', CASES)
def test_compiled_step(data_dir, name, seeds, kw):
    x, y = (t[:2000] for t in load_split('mnist', True, 'standard', str(data_dir)))
    (p1, l1), (p2, l2) = (_train(x, y, th, name, seeds, compile=True, **kw) for th in (1, 2))
    assert torch.equal(p1, p2) and torch.equal(l1, l2), 'the compiled step depends on the thread count'
    pe, le = _train(x, y, 2, name, seeds, **kw)
    assert (p1 - pe).abs().max() < 1e-5 and (l1 - le).abs().max() < 1e-5, 'the compiled step is not the direct one'

def test_no_compiler_one_line(data_dir, tmp_path):
    env = dict(CXX='/nonexistent/g++', TORCHINDUCTOR_CACHE_DIR=str(tmp_path/'cache'), FFCL_TWIN_DATA=str(data_dir))
    code, out, err = run_cli('train', '--preset', 'paper', '--epochs', '1', '--n-train', '640', '--compile', 'on', '--out', tmp_path/'run', env=env)
    assert code == 2 and err.count('\n') == 1 and 'C++ compiler' in err and 'Traceback' not in err, err
    assert not (tmp_path/'run').exists()
