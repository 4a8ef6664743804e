"""The command line: every bad input ends with exit status 2 and one line saying what is wrong and what to do (no traceback,
nothing written); the `figure`, `locality` and `methods` commands; Ctrl-C at start-up; output when not on a terminal."""
import json, os, shutil, signal, subprocess, sys, time
import pytest, torch
from pathlib import Path
from ffcl_twin.experiments import FIGURE_FILES
from conftest import run_cli, run_main, popen, wait_for, assert_one_line_error, sigint_default, DATA, RAW

QUICK = ['--epochs', 1, '--n-train', 640, '--allow-dead']   # runs too short to learn (exit 3 without it): not what these test
SMALL = ['--data-dir', DATA, '--n-train', 2000, '--device', 'cpu', '--allow-dead']

# --- options ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('args,needles', [
    (['--lr', 0], ['learning rate must be a positive number', '--lr']),
    (['--lr', -0.001], ['learning rate must be a positive number']),
    (['--epochs', 0], ['epochs must be an integer >= 1', '--epochs']),
    (['--batch-size', 0], ['batch_size must be an integer >= 1', '--batch-size']),
    (['--preset', 'fast'], ['unknown preset', 'choose one of paper']),
    (['--reading', 'mirror'], ['unknown reading', 'guided']),
    (['--scaling', 'zscore'], ['unknown scaling', 'unit, standard']),
    (['--dataset', 'cifar10'], ['unknown dataset', 'mnist']),
    (['--device', 'tpu'], ['unknown device', 'cpu']),
    (['--epochs', 'many'], ["invalid int value: 'many'", '--help']),
    (['--seeds', '99999999999999999999'], ['seeds must be distinct integers']),
    (['--batch-size', 5000], ['batch_size 5000 is larger than the 640 training images']),
    (['--threads', 0], ['--threads must be >= 1']),
    (['--sizes', 784, 10], ['sizes must be >= 3 positive layer widths']),
    (['--sizes', 700, 64, 10], ['must start with 784 inputs and end with 10 classes']),
    (['--method', 'backprop', '--reading', 'guided'], ['method backprop has no option']),
    (['--method', 'twin/'], ["unknown method 'twin/'", 'twin/guided']),           # trained twin/symmetric (plain twin is guided)
    (['--method', 'backprop/'], ["unknown method 'backprop/'"]),                   # was accepted
    (['--n-train', 10_000_000], ['n_train 10000000 is more than the 60000 training images', '--n-train 60000']),  # trained on 60,000
    (['--method', 'twin/vicreg', '--n-train', 641], ['twin/vicreg needs at least 2 images in every batch', 'last batch of 1', '--n-train']),  # ZeroDivisionError
    (['--method', 'twin/vicreg', '--batch-size', 1], ['twin/vicreg needs at least 2 images in every batch', '--batch-size 2 or more']),
])
def test_bad_options(tmp_path, args, needles):
    code, out, err = run_main('train', '--out', tmp_path/'run', '--data-dir', DATA, *QUICK, *args)
    assert_one_line_error(code, err, *needles)
    assert not (tmp_path/'run').exists()

@pytest.mark.slow
def test_sizes_reach_the_network(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--method', 'ff', '--sizes', 784, 32, 16, 8, 10, *SMALL, '--epochs', 1)
    assert code == 0, err
    assert json.loads((tmp_path/'run'/'config.json').read_text())['config']['sizes'] == [784, 32, 16, 8, 10]
    assert 'test_pair_cos_h3' in (tmp_path/'run'/'metrics.csv').read_text().splitlines()[0]     # three hidden layers were trained

@pytest.mark.skipif(torch.cuda.is_available(), reason='needs a machine without CUDA')
def test_cuda_absent(tmp_path):
    code, out, err = run_main('train', '--out', tmp_path/'run', '--data-dir', DATA, '--device', 'cuda', *QUICK)
    assert_one_line_error(code, err, 'no CUDA GPU', '--device cpu')

def test_paper_hyperparameters_are_pinned():
    "The paper: Adam at lr 0.0001, 30 epochs, 784-64-64-10; plus this project's choices: batch 64, guided reading, standard inputs."
    from ffcl_twin.config import Config
    from ffcl_twin.twin import Twin
    cfg = Config().validate()
    assert (cfg.method, cfg.options, cfg.scaling, cfg.sizes, cfg.lr, cfg.epochs, cfg.batch_size) == (
        'twin', dict(reading='guided', pairing='image'), 'standard', (784, 64, 64, 10), 1e-4, 30, 64)
    m = Twin(seeds=(0,), **cfg.options)
    assert (m.lr, m.opt.lr, m.opt.betas, m.opt.eps) == (1e-4, 1e-4, (0.9, 0.999), 1e-8)

def test_command_line_and_config_agree():
    "`ffcl_twin train` with no options trains `Config()`; every flag sets its field (the flags are derived from `Config`'s declaration)."
    from dataclasses import fields
    from ffcl_twin.config import Config
    from ffcl_twin.cli import parser, _config_from
    assert _config_from(parser().parse_args(['train', '--out', 'x'])) == Config().validate()
    given = dict(method='backprop', scaling='unit', dataset='fashion_mnist', sizes=(784, 8, 10), lr=0.5, epochs=3, batch_size=7, seeds=(4, 2),
                 device='cpu', compile='on', data_dir='d', n_train=9, val=11)
    assert {f.name for f in fields(Config) if f.metadata['cli']} == set(given)    # a new field must be added here, and gets a flag
    argv = ['train', '--out', 'x'] + [a for k, v in given.items() for a in ['--' + k.replace('_', '-'), *map(str, v if isinstance(v, tuple) else [v])]]
    assert _config_from(parser().parse_args(argv)) == Config(**given).validate()
    help = parser()._subparsers._group_actions[0].choices['train'].format_help()
    for f in fields(Config):
        if f.metadata['cli']: assert f.metadata['help'].split()[0] in help

@pytest.mark.slow
def test_nan_loss(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', DATA, '--lr', 1e30, *QUICK)
    assert_one_line_error(code, err, 'diverged at epoch 1', 'lower --lr')

# --- data ---------------------------------------------------------------------------------------------------------------------
def test_data_dir_missing(tmp_path):
    code, out, err = run_main('train', '--out', tmp_path/'run', '--data-dir', tmp_path/'nowhere', *QUICK)
    assert_one_line_error(code, err, 'does not exist', '--data-dir')

def test_data_dir_is_a_file(tmp_path):
    (tmp_path/'f').write_text('x')
    code, out, err = run_main('train', '--out', tmp_path/'run', '--data-dir', tmp_path/'f', '--epochs', 1)
    assert_one_line_error(code, err, 'is a file, not a folder')

@pytest.mark.parametrize('deep', ['MNIST', 'MNIST/raw'])
def test_data_dir_too_deep(tmp_path, deep):
    "--data-dir naming MNIST/ (or MNIST/raw/) itself: the hint names the folder to pass (it suggested creating MNIST/MNIST/raw)."
    raw = tmp_path/'data'/'MNIST'/'raw'; raw.mkdir(parents=True)
    for f in RAW: (raw/f).symlink_to(DATA/'MNIST'/'raw'/f)
    code, out, err = run_main('train', '--out', tmp_path/'run', '--data-dir', tmp_path/'data'/deep, *QUICK)
    assert_one_line_error(code, err, 'too deep', f"--data-dir {tmp_path/'data'}")
    assert 'MNIST/MNIST' not in err and 'raw/raw' not in err

@pytest.mark.slow
def test_data_dir_from_the_environment_is_recorded(tmp_path):
    "config.json records the data folder read, also when it came from $FFCL_TWIN_DATA (it said null)."
    code, out, err = run_cli('train', '--out', tmp_path/'run', *QUICK, env={'FFCL_TWIN_DATA': str(DATA)})
    assert code == 0, err
    assert json.loads((tmp_path/'run'/'config.json').read_text())['config']['data_dir'] == str(DATA)

LABELS, IMAGES = 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte'
@pytest.mark.parametrize('name,damage,needle', [
    (LABELS, None, 'missing data file'),
    (IMAGES, lambda b: b[:len(b) // 2], 'truncated'),
    (LABELS, lambda b: b'\0\0\x08\x03' + b[4:], 'wrong magic number'),
    (LABELS, lambda b: b[:8] + b'\x0b' + b[9:], 'label 11, outside 0..9'),
    (IMAGES, lambda b: b[:-1] + bytes([(b[-1] + 1) % 256]), 'SHA-256'),
])
def test_damaged_files(tmp_path, damaged_data, name, damage, needle):
    code, out, err = run_main('train', '--out', tmp_path/'run', '--data-dir', damaged_data(name, damage), *QUICK)
    assert_one_line_error(code, err, needle, name)
    assert not (tmp_path/'run').exists()

def test_bad_data_leaves_no_folder(tmp_path, damaged_data):
    code, out, err = run_main('train', '--out', tmp_path/'run', '--data-dir', damaged_data(RAW[0], lambda b: b[:10]), '--epochs', 1)
    assert_one_line_error(code, err, 'shorter than an IDX images header')
    assert not (tmp_path/'run').exists()

@pytest.mark.slow
def test_offline_without_data_dir_is_short(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != 'FFCL_TWIN_DATA'}
    r = subprocess.run([sys.executable, '-m', 'ffcl_twin', 'train', '--out', str(tmp_path/'run'), '--epochs', '1'], capture_output=True,
                       text=True, env={**env, 'XDG_CACHE_HOME': str(tmp_path/'cache')}, timeout=300)
    if r.returncode == 0: pytest.skip('this machine is online: the download succeeded')
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) <= 2 and 'Traceback' not in r.stderr and r.stdout == '', r.stderr
    assert 'could not download mnist' in r.stderr and '--data-dir' in r.stderr

# --- figure ---------------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_figure_command(tmp_path):
    "`ffcl_twin figure` writes every file; with the committed bounds a one-epoch miniature fails them (exit 1), files kept."
    code, out, err = run_cli('figure', '--out', tmp_path/'fig', '--epochs', 1, '--seeds', 0, 1, '--n-train', 2000, '--data-dir', DATA)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path/'fig').iterdir()) == sorted(FIGURE_FILES)          # what reproduce writes is what figure checks for
    bounds = json.loads((Path(__file__).resolve().parents[1]/'paper_figures'/'bounds.json').read_text())
    del bounds['held_for']                               # as if they held for this run's data and seeds: then they fail
    (tmp_path/'b.json').write_text(json.dumps(bounds))
    code, out, err = run_cli('figure', '--out', tmp_path/'fig2', '--epochs', 1, '--seeds', 0, 1, '--n-train', 2000, '--data-dir', DATA, '--bounds', tmp_path/'b.json')
    assert code == 1 and 'accuracy bound(s) violated' in err and 'Traceback' not in err, err
    assert (tmp_path/'fig2'/'figure2_metrics.csv').exists()
    code, out, err = run_cli('figure', '--out', tmp_path/'fig3', '--data-dir', DATA, '--bounds', tmp_path/'missing.json')
    assert_one_line_error(code, err, 'cannot read bounds file')

@pytest.mark.slow
def test_figure_never_overwrites(tmp_path):
    "`figure` writes to ./figures by default (never the committed paper_figures) and refuses to replace outputs without --overwrite."
    args = ['figure', '--epochs', 1, '--seeds', 0, '--n-train', 300, '--data-dir', DATA]
    code, out, err = run_cli(*args, cwd=tmp_path)
    assert code == 0 and (tmp_path/'figures'/'figure2_metrics.csv').exists(), err
    before = (tmp_path/'figures'/'figure2_metrics.csv').read_bytes()
    code, out, err = run_cli(*args, cwd=tmp_path)
    assert_one_line_error(code, err, 'already holds figure outputs', '--overwrite')
    assert (tmp_path/'figures'/'figure2_metrics.csv').read_bytes() == before
    code, out, err = run_cli(*args, '--overwrite', cwd=tmp_path)
    assert code == 0, err

@pytest.mark.parametrize('args,needles', [(['--threads', 0], ['--threads must be >= 1']), (['--seeds', 0, 0], ['seeds must be distinct', '--seeds 0 1 2']),
                                          (['--n-train', 10_000_000], ['n_train 10000000 is more than'])])
def test_figure_bad_options(tmp_path, args, needles):
    code, out, err = run_main('figure', '--out', tmp_path/'fig', '--epochs', 1, '--data-dir', DATA, *args)
    assert_one_line_error(code, err, *needles)

# --- locality and methods ---------------------------------------------------------------------------------------------
def test_locality_refuses_an_option_the_method_lacks():
    "Was a TypeError with exit 1, the code for 'not local'; `train` refuses the same options in one line."
    code, out, err = run_main('locality', '--method', 'ff', '--reading', 'guided')
    assert_one_line_error(code, err, "method ff has no option 'reading'")

@pytest.mark.slow
def test_locality_names_what_it_checked():
    "--reading overrides the variant's reading: the verdict names twin/symmetric (it said twin/guided)."
    code, out, err = run_cli('locality', '--method', 'twin/guided', '--reading', 'symmetric')
    assert code == 0 and out.splitlines()[-1].startswith('twin/symmetric: local'), out + err
    code, out, err = run_cli('locality', '--method', 'twin/')
    assert_one_line_error(code, err, "unknown method 'twin/'")

# --- the command itself --------------------------------------------------------------------------------------------------
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

@pytest.mark.slow
def test_progress_lines_when_not_a_terminal(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 2, '--seeds', 0, 1, *SMALL)
    assert code == 0, err
    lines = err.strip().splitlines()
    assert [l.split(':')[0] for l in lines[:2]] == ['epoch 1/2', 'epoch 2/2'] and 'test acc A' in lines[0] and ' B ' in lines[0], err
    assert lines[-1].startswith('done: 2 epochs') and 's wall; best epoch' in lines[-1], err

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

@pytest.mark.slow
@pytest.mark.parametrize('module', ['numpy.version', 'numpy.lib._iotools', 'torch.storage', 'ffcl_twin.train'])
def test_ctrl_c_while_importing_is_one_line(tmp_path, module):
    "A KeyboardInterrupt inside NumPy's import was swallowed (the run trained on, exit 0) or broke it (RecursionError)."
    p = subprocess.run([sys.executable, '-c', CTRL_C_DURING_IMPORT, module, *map(str, ['train', '--out', tmp_path/'run', *SMALL])],
                       capture_output=True, text=True, timeout=300, preexec_fn=sigint_default())
    assert (p.returncode, p.stderr.strip()) == (130, 'ffcl_twin: interrupted: nothing was saved'), p.stderr
    assert not (tmp_path/'run').exists()

@pytest.mark.slow
def test_ctrl_c_ignored_stays_ignored(tmp_path):
    "A run started with SIGINT ignored (what a script's `cmd &` does) is not stopped by one: it trains to the end."
    def ignore(): signal.signal(signal.SIGINT, signal.SIG_IGN)
    p = popen('train', '--out', tmp_path/'run', '--epochs', 8, *SMALL, preexec_fn=ignore)
    wait_for(tmp_path/'run'/'metrics.csv', p)
    for _ in range(20): p.send_signal(signal.SIGINT); time.sleep(0.02)   # some land while an epoch's files are written
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0 and 'interrupted' not in err, err
    assert len((tmp_path/'run'/'metrics.csv').read_text().splitlines()) == 1 + 8*2

# --- bounds that cannot pass vacuously -------------------------------------------------------------------------------
FIG = ['figure', '--epochs', 1, '--seeds', 0, '--n-train', 300, '--data-dir', DATA, '--threads', 1]

@pytest.mark.parametrize('bounds,needle', [({}, "need a list 'intervals'"), ([], 'must be a JSON object'),
    ({'intervals': [dict(reading='guided', scaling='standard', net='A', epoch=1, lo='0.1', hi=1)], 'orderings': []}, 'intervals[0].lo must be a number'),
    ({'intervals': [], 'orderings': []}, 'hold no bound')])
def test_figure_bounds_of_the_wrong_shape(tmp_path, bounds, needle):
    "Checked when read, in one line (it was a traceback after all the training)."
    (tmp_path/'b.json').write_text(json.dumps(bounds))
    code, out, err = run_main(*FIG, '--out', tmp_path/'fig', '--bounds', tmp_path/'b.json')
    assert_one_line_error(code, err, needle, 'b.json')
    assert not (tmp_path/'fig').exists()

@pytest.mark.slow
def test_figure_bounds_that_cannot_apply_fail(tmp_path):
    "A one-epoch run against an epoch-30 interval and an ordering of a reading that does not exist: it said '3 bounds checked: all hold'."
    bounds = dict(intervals=[dict(reading='guided', scaling='standard', net='A', epoch=1, lo=0., hi=1.),
                             dict(reading='guided', scaling='standard', net='A', epoch=30, lo=0., hi=1.)],
                  orderings=[dict(scaling='standard', epoch=1, better='mirror', worse='guided')])
    (tmp_path/'b.json').write_text(json.dumps(bounds))
    code, out, err = run_cli(*FIG, '--out', tmp_path/'fig', '--bounds', tmp_path/'b.json')
    assert code == 1 and '2 of 3 accuracy bound(s) could not be applied' in err and 'all hold' not in out, out + err
    assert 'guided/standard/A epoch 30' in err and 'mirror over guided' in err and (tmp_path/'fig'/'figure2.png').exists()
    code, out, err = run_cli(*FIG, '--out', tmp_path/'fig', '--overwrite', '--bounds', tmp_path/'b.json', '--partial-bounds')
    assert code == 0 and '1 of 3 bounds checked: all hold (2 could not be applied' in out, out + err
