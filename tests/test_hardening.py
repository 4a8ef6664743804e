"Runs that share a machine or a folder, resume bookkeeping, and the last tracebacks (issue: hardening)."
import json, os, shutil, signal, subprocess, sys, time
import pytest, torch
from pathlib import Path
from conftest import run_cli, DATA, RAW
from test_cli_errors import assert_one_line_error

QUICK = ['--data-dir', DATA, '--n-train', 2000, '--device', 'cpu']

def popen(*args, env=None, **kw):
    return subprocess.Popen([sys.executable, '-m', 'ffcl_twin', *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, 'PYTHONUNBUFFERED': '1', **(env or {})}, **kw)

def wait_for(path, proc, timeout=120):
    deadline = time.time() + timeout
    while not Path(path).exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, f'{path} never appeared'
        time.sleep(0.01)

# 2. output folders
def test_same_out_twice_at_once(tmp_path):
    "The second run given a folder that a running run holds stops at once, naming the folder; the first is untouched."
    first = popen('train', '--out', tmp_path/'run', '--epochs', 30, '--reading', 'guided', *QUICK)
    wait_for(tmp_path/'run'/'config.json', first)
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 1, '--reading', 'symmetric', *QUICK)
    assert_one_line_error(code, err, 'another run is using', str(tmp_path/'run'))
    first.send_signal(signal.SIGINT); first.communicate(timeout=120)
    methods = {l.split(',')[0] for l in (tmp_path/'run'/'metrics.csv').read_text().splitlines()[1:]}
    assert methods == {'twin/guided'}, methods
    assert json.loads((tmp_path/'run'/'config.json').read_text())['config']['options']['reading'] == 'guided'

def test_empty_out_is_refused(tmp_path):
    code, out, err = run_cli('train', '--out', '', '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'out is empty')

def test_bad_data_leaves_no_folder(tmp_path, damaged_data):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', damaged_data(RAW[0], lambda b: b[:10]), '--epochs', 1)
    assert_one_line_error(code, err, 'shorter than an IDX images header')
    assert not (tmp_path/'run').exists()

def test_figure_never_overwrites(tmp_path):
    "`figure` writes to ./figures by default (never the committed paper_figures) and refuses to replace outputs without --overwrite."
    args = ['figure', '--epochs', 1, '--seeds', 1, '--n-train', 300, '--data-dir', DATA]
    r = subprocess.run([sys.executable, '-m', 'ffcl_twin', *map(str, args)], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0 and (tmp_path/'figures'/'figure2_metrics.csv').exists(), r.stderr
    before = (tmp_path/'figures'/'figure2_metrics.csv').read_bytes()
    r = subprocess.run([sys.executable, '-m', 'ffcl_twin', *map(str, args)], cwd=tmp_path, capture_output=True, text=True)
    assert_one_line_error(r.returncode, r.stderr, 'already holds figure outputs', '--overwrite')
    assert (tmp_path/'figures'/'figure2_metrics.csv').read_bytes() == before
    r = subprocess.run([sys.executable, '-m', 'ffcl_twin', *map(str, args), '--overwrite'], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

# 3. resume bookkeeping
@pytest.fixture
def finished(tmp_path):
    "A finished 2-epoch run, and a snapshot of its files."
    run = tmp_path/'run'
    assert run_cli('train', '--out', run, '--epochs', 2, *QUICK)[0] == 0
    return run, {p.name: p.read_bytes() for p in run.iterdir()}

def unchanged(run, snap): return {p.name: p.read_bytes() for p in run.iterdir()} == snap

def test_resume_fewer_epochs_is_refused(finished):
    run, snap = finished
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'already holds 2 epochs', 'nothing was changed')
    assert unchanged(run, snap)

def test_resume_complete_run_changes_nothing(finished):
    run, snap = finished
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 2, *QUICK)
    assert code == 0 and 'already complete' in err, err
    assert unchanged(run, snap)

def test_resume_keeps_the_original_record(finished):
    run, snap = finished
    first = json.loads(snap['config.json'])
    assert run_cli('train', '--out', run, '--resume', '--epochs', 3, *QUICK)[0] == 0
    info = json.loads((run/'config.json').read_text())
    assert (info['started'], info['command']) == (first['started'], first['command'])
    assert len(info['resumes']) == 1 and info['resumes'][0]['from_epoch'] == 2 and '--resume' in info['resumes'][0]['command']

@pytest.mark.parametrize('damage,needle', [(lambda p: p.unlink(), 'is missing'), (lambda p: p.write_text(p.read_text()[:-30]), 'damaged'),
                                           (lambda p: p.write_text('garbage\x00\n1,2,3\n'), 'damaged')])
def test_resume_with_bad_metrics_is_refused(finished, damage, needle):
    run, _ = finished
    damage(run/'metrics.csv')
    snap = {p.name: p.read_bytes() for p in run.iterdir()}
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 3, *QUICK)
    assert_one_line_error(code, err, needle, 'metrics.csv')
    assert unchanged(run, snap)

def test_config_mismatch_names_the_fields(finished):
    run, snap = finished
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 3, '--lr', 1e-3, '--reading', 'symmetric', *QUICK)
    assert_one_line_error(code, err, 'lr: 0.0001 there, 0.001 now', "'reading': 'guided'")
    assert 'batch_size' not in err and unchanged(run, snap)

def test_ctrl_c_before_first_epoch_says_nothing_saved(tmp_path):
    p = popen('train', '--out', tmp_path/'run', '--epochs', 30, '--data-dir', DATA, '--device', 'cpu')
    time.sleep(1.0)                                       # start-up (importing torch, loading data) takes longer
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    if (tmp_path/'run'/'checkpoint.pt').exists(): pytest.skip('this machine finished an epoch within 1 s: the signal came too late')
    assert p.returncode == 130 and 'nothing was saved' in err and 'Traceback' not in err, err
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 1, '--data-dir', DATA, '--n-train', 640)
    assert code == 0, err                                 # and the folder can be used afresh

# A Ctrl-C that lands while a module is being imported: the import hook sends SIGINT to its own process
# when the module is looked up, then the console command runs as `ffcl_twin` would.
CTRL_C_DURING_IMPORT = """
import os, signal, sys
module, sys.argv = sys.argv[1], ['ffcl_twin'] + sys.argv[2:]
class Kick:
    def find_spec(self, name, path=None, target=None):
        if name == module: sys.meta_path.remove(self); os.kill(os.getpid(), signal.SIGINT)
sys.meta_path.insert(0, Kick())
from ffcl_twin.cli import console
sys.exit(console())
"""

@pytest.mark.parametrize('module', ['numpy.version', 'numpy.lib._iotools', 'torch.storage', 'torchvision.models'])
def test_ctrl_c_while_importing_is_one_line(tmp_path, module):
    "A KeyboardInterrupt inside NumPy's import was swallowed (the run trained on, exit 0) or broke it (RecursionError)."
    p = subprocess.run([sys.executable, '-c', CTRL_C_DURING_IMPORT, module, *map(str, ['train', '--out', tmp_path/'run', *QUICK])],
                       capture_output=True, text=True, timeout=300)
    assert (p.returncode, p.stderr.strip()) == (130, 'ffcl_twin: interrupted: nothing was saved'), p.stderr
    assert not (tmp_path/'run').exists()

def test_ctrl_c_ignored_stays_ignored(tmp_path):
    "A run started with SIGINT ignored (what a script's `cmd &` does) is not stopped by one: it trains to the end."
    def ignore(): signal.signal(signal.SIGINT, signal.SIG_IGN)
    p = popen('train', '--out', tmp_path/'run', '--epochs', 8, *QUICK, preexec_fn=ignore)
    wait_for(tmp_path/'run'/'metrics.csv', p)
    for _ in range(20): p.send_signal(signal.SIGINT); time.sleep(0.02)   # some land while an epoch's files are written
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0 and 'interrupted' not in err, err
    assert len((tmp_path/'run'/'metrics.csv').read_text().splitlines()) == 1 + 8*2

# 4. one line, no traceback
@pytest.mark.parametrize('args,needles', [
    (['--seed', '99999999999999999999'], ['seeds must be distinct integers']),
    (['--batch-size', 5000], ['batch_size 5000 is larger than the 2000 training images']),
    (['--threads', 0], ['--threads must be >= 1']),
    (['--method', 'backprop', '--reading', 'guided'], ['method backprop has no option']),
])
def test_more_bad_options(tmp_path, args, needles):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 1, *QUICK, *args)
    assert_one_line_error(code, err, *needles)
    assert not (tmp_path/'run').exists()

def test_data_dir_is_a_file(tmp_path):
    (tmp_path/'f').write_text('x')
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', tmp_path/'f', '--epochs', 1)
    assert_one_line_error(code, err, 'is a file, not a folder')

def test_offline_without_data_dir_is_short(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != 'FFCL_TWIN_DATA'}
    r = subprocess.run([sys.executable, '-m', 'ffcl_twin', 'train', '--out', str(tmp_path/'run'), '--epochs', '1'], capture_output=True,
                       text=True, env={**env, 'XDG_CACHE_HOME': str(tmp_path/'cache')}, timeout=300)
    if r.returncode == 0: pytest.skip('this machine is online: the download succeeded')
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) <= 2 and 'Traceback' not in r.stderr and r.stdout == '', r.stderr
    assert 'could not download mnist' in r.stderr and '--data-dir' in r.stderr

def test_version():
    import ffcl_twin
    code, out, err = run_cli('--version')
    assert code == 0 and out.strip() == f'ffcl_twin {ffcl_twin.__version__}'

def test_installed_command_is_the_console_entry():
    "The installed `ffcl_twin` script runs `cli.console` (the Ctrl-C-safe entry), not `main`."
    from importlib.metadata import entry_points
    assert [e.value for e in entry_points(group='console_scripts', name='ffcl_twin')] == ['ffcl_twin.cli:console']
    exe = shutil.which('ffcl_twin', path=str(Path(sys.executable).parent)) or shutil.which('ffcl_twin')
    assert exe, 'the ffcl_twin command is not installed: pip install -e .'
    r = subprocess.run([exe, '--version'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.startswith('ffcl_twin '), r.stderr

# 6. output when not on a terminal
def test_progress_lines_when_not_a_terminal(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 2, '--seed', 0, 1, *QUICK)
    assert code == 0, err
    lines = err.strip().splitlines()
    assert [l.split(':')[0] for l in lines[:2]] == ['epoch 1/2', 'epoch 2/2'] and 'test acc A' in lines[0] and ' B ' in lines[0], err
    assert lines[-1].startswith('done: 2 epochs') and 's wall; best epoch' in lines[-1], err

# 5. every paper hyperparameter, pinned
def test_paper_hyperparameters_are_pinned():
    "The paper: Adam at lr 0.0001, 30 epochs, 784-64-64-10; plus this project's choices: batch 64, guided reading, standard inputs."
    from ffcl_twin.train import Config, PRESETS, preset
    from ffcl_twin.twin import Twin, FlatAdam
    assert PRESETS['paper'] == dict(method='twin', options=dict(reading='guided'), scaling='standard', sizes=(784, 64, 64, 10),
                                    lr=1e-4, epochs=30, batch_size=64)
    c = Config()
    assert (c.lr, c.epochs, c.batch_size, c.sizes, c.method) == (1e-4, 30, 64, (784, 64, 64, 10), 'twin')
    cfg = preset('paper').validate()
    assert (cfg.options, cfg.lr, cfg.epochs, cfg.batch_size) == (dict(reading='guided', pairing='image'), 1e-4, 30, 64)
    m = Twin(seeds=(0,), **cfg.options)
    assert (m.lr, m.opt.lr, m.opt.betas, m.opt.eps) == (1e-4, 1e-4, (0.9, 0.999), 1e-8)
