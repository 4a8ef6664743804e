import os, sys, subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get('FFCL_TWIN_DATA') or ROOT.parent/'shared'/'data').resolve()
RAW = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']

@pytest.fixture(scope='session')
def data_dir():
    if not (DATA/'MNIST'/'raw'/RAW[0]).exists(): pytest.fail(f'MNIST not found under {DATA}: set FFCL_TWIN_DATA')
    return DATA

def run_cli(*args, env=None, timeout=300):
    "Run `python -m ffcl_twin ARGS` in a fresh process; return (exit code, stdout, stderr)."
    e = {**os.environ, 'PYTHONUNBUFFERED': '1', **(env or {})}
    r = subprocess.run([sys.executable, '-m', 'ffcl_twin', *map(str, args)], capture_output=True, text=True, env=e, timeout=timeout)
    return r.returncode, r.stdout, r.stderr

@pytest.fixture
def damaged_data(tmp_path, data_dir):
    "A factory: a data dir whose MNIST file `name` is replaced by `damage(bytes)` (None: deleted); the others are symlinks."
    def make(name, damage):
        raw = tmp_path/'data'/'MNIST'/'raw'; raw.mkdir(parents=True)
        for f in RAW:
            if f != name: (raw/f).symlink_to(data_dir/'MNIST'/'raw'/f)
        if damage is not None: (raw/name).write_bytes(damage((data_dir/'MNIST'/'raw'/name).read_bytes()))
        return tmp_path/'data'
    return make
