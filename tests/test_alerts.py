"A run whose network dies, never learns, or collapses says so: on stderr and in the run's alerts.txt, once, also across a resume."
import io
from types import SimpleNamespace
from ffcl_twin.callbacks import HealthCB, run_alerts

def _row(epoch, acc, net='B', cos=0.5):
    return dict(method='backprop', seed=3, net=net, epoch=epoch, test_acc=acc, test_pair_cos_h1=0.2, test_pair_cos_h2=cos)

def _run(rows, epochs=30): return SimpleNamespace(rows=rows, method=SimpleNamespace(sizes=(784, 64, 64, 10)), cfg=SimpleNamespace(epochs=epochs))

def test_dead_output_is_reported_once(tmp_path):
    err, run = io.StringIO(), _run([_row(1, 0.90, 'A'), _row(1, 0.88)])
    cb = HealthCB(tmp_path/'alerts.txt', err)
    cb.before_fit(run)
    for e, (a, b) in enumerate([(0.95, 0.89), (0.96, 0.098), (0.97, 0.098)], start=2):   # B dies at epoch 3 and stays dead
        run.rows += [_row(e, a, 'A'), _row(e, b)]
        cb.after_epoch(run)
    lines = err.getvalue().splitlines()
    assert lines == ['ffcl_twin: warning: backprop seed 3 net B, epoch 3: test accuracy fell to 9.8% after reaching 89.0%'], lines
    assert (tmp_path/'alerts.txt').read_text().splitlines() == [lines[0].removeprefix('ffcl_twin: warning: ')]

def test_resume_does_not_repeat_old_alerts():
    err, run = io.StringIO(), _run([_row(1, 0.9), _row(2, 0.1)])    # died before the resume
    cb = HealthCB(file=err)
    cb.before_fit(run)
    run.rows.append(_row(3, 0.1)); cb.after_epoch(run)
    assert err.getvalue() == ''

def test_collapse_and_chance_are_flagged_not_errors():
    kinds = [a['kind'] for a in run_alerts([_row(e, 0.11, cos=0.999) for e in range(1, 8)])]
    assert kinds == ['collapsed_h2', 'chance']
    assert run_alerts([_row(e, 0.5 + e / 100) for e in range(1, 31)]) == []
