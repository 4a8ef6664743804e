"An interrupted run, resumed, ends with exactly the metrics of an uninterrupted one (on CPU)."
import csv, signal, subprocess, sys, time
from conftest import run_cli, DATA

ARGS = ['--data-dir', DATA, '--n-train', 6000, '--seed', 0, 1, '--reading', 'guided', '--device', 'cpu']

def metrics(path):
    with open(path) as f: return [{k: v for k, v in r.items() if k != 'epoch_seconds'} for r in csv.DictReader(f)]

def test_resume_in_new_process_equals_uninterrupted(tmp_path):
    assert run_cli('train', '--out', tmp_path/'full', '--epochs', 4, *ARGS)[0] == 0
    assert run_cli('train', '--out', tmp_path/'part', '--epochs', 2, *ARGS)[0] == 0
    code, out, err = run_cli('train', '--out', tmp_path/'part', '--epochs', 4, '--resume', *ARGS)
    assert code == 0, err
    full, part = metrics(tmp_path/'full'/'metrics.csv'), metrics(tmp_path/'part'/'metrics.csv')
    assert len(full) == 4 * 2 * 2 and part == full

def test_ctrl_c_then_resume(tmp_path):
    "Interrupt a real run with SIGINT mid-training, resume it, compare with the uninterrupted run."
    epochs = 40         # about 5 s: far longer than the SIGINT takes to land after the first epoch's files appear
    assert run_cli('train', '--out', tmp_path/'full', '--epochs', epochs, *ARGS, '--n-train', 2000)[0] == 0
    p = subprocess.Popen([sys.executable, '-m', 'ffcl_twin', 'train', '--out', str(tmp_path/'cut'), '--epochs', str(epochs), *map(str, ARGS), '--n-train', '2000'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (tmp_path/'cut'/'metrics.csv').exists() and time.time() < deadline: time.sleep(0.01)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130 and 'continue with --resume' in err and 'Traceback' not in err, err
    done = len(metrics(tmp_path/'cut'/'metrics.csv')) // 4
    assert 1 <= done < epochs
    code, out, err = run_cli('train', '--out', tmp_path/'cut', '--epochs', epochs, '--resume', *ARGS, '--n-train', 2000)
    assert code == 0, err
    assert metrics(tmp_path/'cut'/'metrics.csv') == metrics(tmp_path/'full'/'metrics.csv')

# --- every registered method: train 2 epochs, or 1 then --resume to 2: the same rows and bit-identical weights ---
import pytest, torch
from ffcl_twin.methods import METHODS
from ffcl_twin.train import Config, train

@pytest.mark.parametrize('name', list(METHODS))
def test_resume_equals_uninterrupted_every_method(tmp_path, data_dir, name):
    def cfg(epochs): return Config(method=name, epochs=epochs, seeds=(0, 1), n_train=640, lr=1e-3, data_dir=str(data_dir), device='cpu')
    train(cfg(2), tmp_path/'full')
    train(cfg(1), tmp_path/'part')
    train(cfg(2), tmp_path/'part', resume=True)
    full, part = metrics(tmp_path/'full'/'metrics.csv'), metrics(tmp_path/'part'/'metrics.csv')
    assert len(full) == 2 * 2 * len(METHODS[name].nets) and part == full
    a, b = (torch.load(tmp_path/d/'checkpoint.pt', weights_only=True)['method']['params'] for d in ('full', 'part'))
    assert len(a) == len(b) and all(torch.equal(p, q) for p, q in zip(a, b))
