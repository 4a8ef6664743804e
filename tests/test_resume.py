"""Resuming: an interrupted run, resumed, ends with exactly the metrics and weights of an uninterrupted one (on CPU); what a kill
or a full disk leaves is repaired (a torn last row, rows past the checkpoint, stale temporary files); what cannot give the
uninterrupted result is refused in one line, changing nothing."""
import csv, json, pickle, signal, subprocess, sys, time
import pytest, torch
from conftest import run_cli, popen, assert_one_line_error, DATA
from ffcl_twin.methods import METHODS
from ffcl_twin.train import Config, train

pytestmark = pytest.mark.slow      # whole training processes, interrupted and resumed: the README's second test command

ARGS = ['--data-dir', DATA, '--n-train', 6000, '--seeds', 0, 1, '--reading', 'guided', '--device', 'cpu', '--allow-dead']   # too short to learn: exit 3 without it
QUICK = ['--data-dir', DATA, '--n-train', 640, '--device', 'cpu', '--allow-dead']

def metrics(path):
    with open(path) as f: return [{k: v for k, v in r.items() if k != 'epoch_seconds'} for r in csv.DictReader(f)]

def weights(run): return torch.load(run/'checkpoint.pt', weights_only=True)['method']['params']

def same_weights(a, b): return len(a) == len(b) and all(torch.equal(p, q) for p, q in zip(a, b))

def snapshot(run): return {p.name: p.read_bytes() for p in run.iterdir()}

# --- resumed == uninterrupted ---------------------------------------------------------------------------------------------
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
    p = popen('train', '--out', tmp_path/'cut', '--epochs', epochs, *ARGS, '--n-train', 2000)
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

@pytest.mark.parametrize('name', list(METHODS))
def test_resume_equals_uninterrupted_every_method(tmp_path, data_dir, name):
    "Every registered method: train 2 epochs, or 1 then --resume to 2: the same rows and bit-identical weights."
    def cfg(epochs): return Config(method=name, epochs=epochs, seeds=(0, 1), n_train=640, lr=1e-3, data_dir=str(data_dir), device='cpu')
    train(cfg(2), tmp_path/'full')
    train(cfg(1), tmp_path/'part')
    train(cfg(2), tmp_path/'part', resume=True)
    full, part = metrics(tmp_path/'full'/'metrics.csv'), metrics(tmp_path/'part'/'metrics.csv')
    assert len(full) == 2 * 2 * len(METHODS[name].nets) and part == full
    assert same_weights(weights(tmp_path/'full'), weights(tmp_path/'part'))

# --- what a kill leaves is repaired -----------------------------------------------------------------------------------------
def test_torn_row_past_the_checkpoint(tmp_path):
    "A kill (or a full disk) cut epoch 2's rows off mid-write after epoch 1's checkpoint: resume drops them and ends bit for bit as the uninterrupted run."
    assert run_cli('train', '--out', tmp_path/'full', '--epochs', 2, *QUICK)[0] == 0
    assert run_cli('train', '--out', tmp_path/'cut', '--epochs', 1, *QUICK)[0] == 0
    epoch2 = (tmp_path/'full'/'metrics.csv').read_text().splitlines(keepends=True)[3:]
    with open(tmp_path/'cut'/'metrics.csv', 'a') as f: f.write(epoch2[0] + epoch2[1][:25])    # one row whole, the next cut off
    code, out, err = run_cli('train', '--out', tmp_path/'cut', '--resume', '--epochs', 2, *QUICK)
    assert code == 0, err
    assert metrics(tmp_path/'cut'/'metrics.csv') == metrics(tmp_path/'full'/'metrics.csv')
    assert same_weights(weights(tmp_path/'cut'), weights(tmp_path/'full'))

# --- refused, nothing changed -------------------------------------------------------------------------------------------------
@pytest.fixture
def finished(tmp_path):
    "A finished 2-epoch run, and a snapshot of its files."
    run = tmp_path/'run'
    assert run_cli('train', '--out', run, '--epochs', 2, *QUICK)[0] == 0
    return run, snapshot(run)

def test_resume_without_checkpoint(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--resume', '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'does not exist', 'without --resume')

def test_resume_corrupt_checkpoint(tmp_path):
    (tmp_path/'run').mkdir(); (tmp_path/'run'/'checkpoint.pt').write_bytes(b'\x00garbage' * 100)
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--resume', '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'unreadable', 'without --resume')

class Evil:
    def __reduce__(self): return (print, ('this ran code from the checkpoint',))

def test_resume_pickle_checkpoint_is_one_line(finished):
    "A checkpoint that is a plain pickle is refused without running it, and without PyTorch's two-line warning first."
    run, _ = finished
    with open(run/'checkpoint.pt', 'wb') as f: pickle.dump(dict(epoch=2, method=Evil(), config='{}'), f)
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 3, *QUICK)
    assert_one_line_error(code, err, 'unreadable', 'without --resume')
    assert 'this ran code' not in out + err

def test_resume_fewer_epochs_is_refused(finished):
    run, snap = finished
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'already holds 2 epochs', 'nothing was changed')
    assert snapshot(run) == snap

def test_resume_complete_run_changes_nothing(finished):
    run, snap = finished
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 2, *QUICK)
    assert code == 0 and 'already complete' in err, err
    assert snapshot(run) == snap

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
    snap = snapshot(run)
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 3, *QUICK)
    assert_one_line_error(code, err, needle, 'metrics.csv')
    assert snapshot(run) == snap

@pytest.mark.parametrize('record', ['{"config": {"epochs": 2, "se', '[1, 2, 3]', '{"foo": 1}', ''])
def test_resume_with_damaged_config_json(finished, record):
    "config.json broken (a full disk under the old in-place rewrite), or not a run record: one line saying what to do; then it works."
    run, _ = finished
    (run/'config.json').write_text(record)
    snap = snapshot(run)
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 3, *QUICK)
    assert_one_line_error(code, err, 'config.json is damaged', 'delete it', 'nothing was changed')
    assert snapshot(run) == snap
    (run/'config.json').unlink()
    assert run_cli('train', '--out', run, '--resume', '--epochs', 3, *QUICK)[0] == 0
    assert json.loads((run/'config.json').read_text())['config']['epochs'] == 3

def test_resume_refuses_rows_of_another_run(tmp_path):
    "A backprop run's metrics.csv (2 seeds: as many rows per epoch as the twin's 2 nets) copied into a twin run's folder is not kept."
    assert run_cli('train', '--out', tmp_path/'twin', '--epochs', 1, '--seeds', 0, *QUICK)[0] == 0
    assert run_cli('train', '--out', tmp_path/'bp', '--epochs', 1, '--method', 'backprop', '--seeds', 0, 1, *QUICK)[0] == 0
    (tmp_path/'twin'/'metrics.csv').write_bytes((tmp_path/'bp'/'metrics.csv').read_bytes())
    snap = snapshot(tmp_path/'twin')
    code, out, err = run_cli('train', '--out', tmp_path/'twin', '--resume', '--epochs', 2, '--seeds', 0, *QUICK)
    assert_one_line_error(code, err, 'holds rows of another run (backprop', 'twin/guided', 'nothing was changed')
    assert snapshot(tmp_path/'twin') == snap

def test_config_mismatch_names_the_fields(finished):
    run, snap = finished
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 3, '--lr', 1e-3, '--reading', 'symmetric', *QUICK)
    assert_one_line_error(code, err, 'lr: 0.0001 there, 0.001 now', "'reading': 'guided'")
    assert 'batch_size' not in err and snapshot(run) == snap

def test_nan_loss_keeps_earlier_epochs(tmp_path):
    "A run that diverges at epoch 2 keeps epoch 1's metrics and checkpoint untouched."
    run = tmp_path/'run'
    assert run_cli('train', '--out', run, '--epochs', 1, *QUICK)[0] == 0
    state = torch.load(run/'checkpoint.pt', weights_only=True)
    state['method']['params'][0][:100] = float('nan')                     # poison the weights the resumed epoch starts from
    torch.save(state, run/'checkpoint.pt')
    metrics_, ckpt = (run/'metrics.csv').read_bytes(), (run/'checkpoint.pt').read_bytes()
    code, out, err = run_cli('train', '--out', run, '--resume', '--epochs', 2, *QUICK)
    assert_one_line_error(code, err, 'diverged at epoch 2', 'up to epoch 1 are kept')
    assert (run/'metrics.csv').read_bytes() == metrics_ and (run/'checkpoint.pt').read_bytes() == ckpt

def test_ctrl_c_before_first_epoch_says_nothing_saved(tmp_path):
    p = popen('train', '--out', tmp_path/'run', '--epochs', 30, '--data-dir', DATA, '--device', 'cpu')
    time.sleep(1.0)                                       # start-up (importing torch, loading data) takes longer
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    if (tmp_path/'run'/'checkpoint.pt').exists(): pytest.skip('this machine finished an epoch within 1 s: the signal came too late')
    assert p.returncode == 130 and 'nothing was saved' in err and 'Traceback' not in err, err
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 1, '--data-dir', DATA, '--n-train', 640, '--allow-dead')
    assert code == 0, err                                 # and the folder can be used afresh
