"Every bad input ends with exit status 2 and one line saying what is wrong and what to do; nothing written is lost."
import torch, pytest
from pathlib import Path
from conftest import run_cli, DATA

QUICK = ['--epochs', 1, '--n-train', 640]

def assert_one_line_error(code, err, *needles):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert 'Traceback' not in err
    for n in needles: assert n in lines[0], lines[0]

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
])
def test_bad_options(tmp_path, args, needles):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', DATA, *QUICK, *args)
    assert_one_line_error(code, err, *needles)
    assert not (tmp_path/'run').exists() or not any((tmp_path/'run').iterdir())

@pytest.mark.skipif(torch.cuda.is_available(), reason='needs a machine without CUDA')
def test_cuda_absent(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', DATA, '--device', 'cuda', *QUICK)
    assert_one_line_error(code, err, 'no CUDA GPU', '--device cpu')

def test_data_dir_missing(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', tmp_path/'nowhere', *QUICK)
    assert_one_line_error(code, err, 'does not exist', '--data-dir')

LABELS, IMAGES = 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte'
@pytest.mark.parametrize('name,damage,needle', [
    (LABELS, None, 'missing data file'),
    (IMAGES, lambda b: b[:len(b) // 2], 'truncated'),
    (LABELS, lambda b: b'\0\0\x08\x03' + b[4:], 'wrong magic number'),
    (LABELS, lambda b: b[:8] + b'\x0b' + b[9:], 'label 11, outside 0..9'),
    (IMAGES, lambda b: b[:-1] + bytes([(b[-1] + 1) % 256]), 'SHA-256'),
])
def test_damaged_files(tmp_path, damaged_data, name, damage, needle):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', damaged_data(name, damage), *QUICK)
    assert_one_line_error(code, err, needle, name)

def test_out_not_writable(tmp_path):
    (tmp_path/'file').write_text('not a folder')
    code, out, err = run_cli('train', '--out', tmp_path/'file'/'run', '--data-dir', DATA, *QUICK)
    assert_one_line_error(code, err, 'cannot write to output directory', '--out')

def test_existing_run_is_not_overwritten(tmp_path):
    assert run_cli('train', '--out', tmp_path/'run', '--data-dir', DATA, *QUICK)[0] == 0
    before = (tmp_path/'run'/'metrics.csv').read_bytes()
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', DATA, *QUICK)
    assert_one_line_error(code, err, 'already holds a run', '--resume')
    assert (tmp_path/'run'/'metrics.csv').read_bytes() == before

def test_resume_without_checkpoint(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', DATA, '--resume', *QUICK)
    assert_one_line_error(code, err, 'does not exist', 'without --resume')

def test_resume_corrupt_checkpoint(tmp_path):
    (tmp_path/'run').mkdir(); (tmp_path/'run'/'checkpoint.pt').write_bytes(b'\x00garbage' * 100)
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', DATA, '--resume', *QUICK)
    assert_one_line_error(code, err, 'unreadable', 'without --resume')

def test_nan_loss(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--data-dir', DATA, '--lr', 1e30, *QUICK)
    assert_one_line_error(code, err, 'diverged at epoch 1', 'lower --lr')

def test_nan_loss_keeps_earlier_epochs(tmp_path):
    "A run that diverges at epoch 2 keeps epoch 1's metrics and checkpoint untouched."
    run = tmp_path/'run'
    assert run_cli('train', '--out', run, '--data-dir', DATA, *QUICK)[0] == 0
    state = torch.load(run/'checkpoint.pt', weights_only=True)
    state['method']['params'][0][:100] = float('nan')                     # poison the weights the resumed epoch starts from
    torch.save(state, run/'checkpoint.pt')
    metrics, ckpt = (run/'metrics.csv').read_bytes(), (run/'checkpoint.pt').read_bytes()
    code, out, err = run_cli('train', '--out', run, '--data-dir', DATA, '--resume', '--epochs', 2, '--n-train', 640)
    assert_one_line_error(code, err, 'diverged at epoch 2', 'up to epoch 1 are kept')
    assert (run/'metrics.csv').read_bytes() == metrics and (run/'checkpoint.pt').read_bytes() == ckpt

def test_figure_command(tmp_path):
    "`ffcl_twin figure` writes every file; with the committed bounds a one-epoch miniature fails them (exit 1), files kept."
    code, out, err = run_cli('figure', '--out', tmp_path/'fig', '--epochs', 1, '--seeds', 2, '--n-train', 2000, '--data-dir', DATA)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path/'fig').iterdir()) == ['figure2.pdf', 'figure2.png', 'figure2_metrics.csv', 'readings.png', 'results.md']
    bounds = Path(__file__).resolve().parents[1]/'paper_figures'/'bounds.json'
    code, out, err = run_cli('figure', '--out', tmp_path/'fig2', '--epochs', 1, '--seeds', 2, '--n-train', 2000, '--data-dir', DATA, '--bounds', bounds)
    assert code == 1 and 'accuracy bound(s) violated' in err and 'Traceback' not in err, err
    assert (tmp_path/'fig2'/'figure2_metrics.csv').exists()
    code, out, err = run_cli('figure', '--out', tmp_path/'fig3', '--data-dir', DATA, '--bounds', tmp_path/'missing.json')
    assert_one_line_error(code, err, 'cannot read bounds file')
