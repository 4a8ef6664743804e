"The twin's step compiled by torch.compile (`--compile on`, `Twin(compile=True)`): the same results at any thread count, the direct step's up to the last bits, and one line where no C++ compiler is found."
import pytest, torch
from ffcl_twin.twin import Twin
from ffcl_twin.data import load_split
from conftest import run_cli

pytestmark = pytest.mark.slow          # compiling takes seconds per batch shape

def _train(x, y, threads, **kw):
    "Weights and losses of seeds (0, 1) after one epoch of `x` (a partial last batch: a second compiled shape) at `threads` threads."
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        m = Twin(seeds=(0, 1), lr=1e-3, **kw)
        losses = torch.stack([m.train_step(x, y, idx) for idx in m.batches(len(x), 64)])
        return m.params.detach().clone(), losses
    finally: torch.set_num_threads(before)

@pytest.mark.parametrize('pairing', ['image', 'class'])
def test_compiled_step(data_dir, pairing):
    x, y = (t[:2000] for t in load_split('mnist', True, 'standard', str(data_dir)))
    (p1, l1), (p2, l2) = (_train(x, y, th, pairing=pairing, compile=True) for th in (1, 2))
    assert torch.equal(p1, p2) and torch.equal(l1, l2), 'the compiled step depends on the thread count'
    pe, le = _train(x, y, 2, pairing=pairing)
    assert not torch.equal(p1, pe) or pairing == 'class', 'expected the last bits to differ from the direct step'
    assert (p1 - pe).abs().max() < 1e-5 and (l1 - le).abs().max() < 1e-5

def test_no_compiler_one_line(data_dir, tmp_path):
    env = dict(CXX='/nonexistent/g++', TORCHINDUCTOR_CACHE_DIR=str(tmp_path/'cache'), FFCL_TWIN_DATA=str(data_dir))
    code, out, err = run_cli('train', '--preset', 'paper', '--epochs', '1', '--n-train', '640', '--compile', 'on', '--out', tmp_path/'run', env=env)
    assert code == 2 and err.count('\n') == 1 and 'C++ compiler' in err and 'Traceback' not in err, err
    assert not (tmp_path/'run').exists()
