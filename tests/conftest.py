import os, signal, sys, subprocess, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get('FFCL_TWIN_DATA') or ROOT.parent/'shared'/'data').resolve()
RAW = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']

@pytest.fixture(scope='session')
def data_dir():
    if not (DATA/'MNIST'/'raw'/RAW[0]).exists(): pytest.fail(f'MNIST not found under {DATA}: set FFCL_TWIN_DATA')
    return DATA

def sigint_default(then=None):
    "A `preexec_fn`: the child starts with Ctrl-C's default action, then runs `then`. Tests that send SIGINT need it: a harness started with SIGINT ignored (a script's `cmd &`) passes the ignoring on to every child."
    def f():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if then: then()
    return f

def run_cli(*args, env=None, timeout=300, preexec_fn=None, **kw):
    "Run `python -m ffcl_twin ARGS` in a fresh process (`kw`: `cwd`, ...); return (exit code, stdout, stderr)."
    e = {**os.environ, 'PYTHONUNBUFFERED': '1', **(env or {})}
    r = subprocess.run([sys.executable, '-m', 'ffcl_twin', *map(str, args)], capture_output=True, text=True, env=e, timeout=timeout,
                       preexec_fn=sigint_default(preexec_fn), **kw)
    return r.returncode, r.stdout, r.stderr

def popen(*args, env=None, preexec_fn=None, **kw):
    "Start `python -m ffcl_twin ARGS` in the background."
    return subprocess.Popen([sys.executable, '-m', 'ffcl_twin', *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, 'PYTHONUNBUFFERED': '1', **(env or {})}, preexec_fn=sigint_default(preexec_fn), **kw)

def wait_for(path, proc, timeout=120):
    "Wait until `path` exists, failing if `proc` ends first."
    deadline = time.time() + timeout
    while not Path(path).exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, f'{path} never appeared'
        time.sleep(0.01)

def assert_one_line_error(code, err, *needles):
    "Exit status 2 and exactly one line on stderr, no traceback, holding every needle."
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert 'Traceback' not in err
    for n in needles: assert n in lines[0], lines[0]

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

def run_main(*args, env=None, cwd=None):
    """Run `ffcl_twin ARGS` in this process (`ffcl_twin.cli.main`, what the command calls); return (exit code, stdout, stderr).
    For commands that stop before training (a bad option, a bad file): a fresh process would only add PyTorch's start-up."""
    import contextlib, io
    from ffcl_twin.cli import main
    out, err, environ, here = io.StringIO(), io.StringIO(), dict(os.environ), os.getcwd()
    try:
        os.environ.update(env or {})
        if cwd: os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try: code = main([str(a) for a in args])
            except SystemExit as e: code = e.code
    finally:
        os.environ.clear(); os.environ.update(environ); os.chdir(here)
    return code, out.getvalue(), err.getvalue()

QUICK = ['--data-dir', DATA, '--n-train', 640, '--device', 'cpu', '--seeds', 0, '--allow-dead']   # a run too short to learn (exit 3 without the flag)

@pytest.fixture
def one_epoch(tmp_path):
    "A run folder holding one finished epoch of `QUICK`."
    run = tmp_path/'run'
    code, out, err = run_cli('train', '--out', run, '--epochs', 1, *QUICK)
    assert code == 0, err
    return run
