"Every registered method honours the protocol; the CLI lists them and checks their locality."
import pytest
from ffcl_twin.methods import METHODS, check_method, resolve_method
from conftest import run_cli

VARIANTS = [('twin', dict(reading=r, pairing=p)) for r in ('guided', 'symmetric') for p in ('image', 'class')] + \
           [(k, {}) for k in METHODS if k != 'twin'] + [(k, dict(METHODS[k].REFERENCE)) for k in ('pepita', 'drtp', 'local_supervised')]

@pytest.mark.parametrize('name,options', VARIANTS)
def test_protocol(name, options):
    assert check_method(METHODS[name], **options)

def test_registry_names_and_variants():
    assert all(METHODS[k].key == k for k in METHODS)
    assert resolve_method('twin/guided_pairs')[1] == dict(reading='guided', pairing='class')
    assert {'twin', 'frozen_hidden', 'backprop', 'local_supervised'} <= set(METHODS)

def test_cli_methods_lists_every_method():
    code, out, err = run_cli('methods')
    assert code == 0, err
    *lines, default = out.strip().splitlines()
    assert [l.split()[0] for l in lines] == list(METHODS)
    assert any(l.startswith('backprop') and 'NOT local' in l for l in lines)
    twin = next(l for l in lines if l.split()[0] == 'twin')      # a method's own default is the one shown...
    assert '--reading symmetric|guided, default guided' in twin, twin        # plain `--method twin` is the paper's reading
    assert 'variants twin/symmetric, twin/guided, twin/symmetric_pairs, twin/guided_pairs' in twin, twin
    assert 'trains twin/guided unless --method' in default, default   # ...and what `train` trains without --method is said

@pytest.mark.parametrize('args,code,needle', [
    (['--method', 'twin', '--reading', 'guided'], 0, "layer 1's loss reaches layer 1 (B)"),
    (['--method', 'frozen_hidden'], 0, 'frozen_hidden: local'),
    (['--method', 'local_supervised'], 0, 'local_supervised: local'),
    (['--method', 'backprop'], 1, "layer 3's loss reaches layers [1, 2, 3]"),
])
def test_cli_locality(args, code, needle):
    c, out, err = run_cli('locality', *args)
    assert c == code and needle in out and 'Traceback' not in err, (out, err)

def test_reference_variants():
    "pepita/reference and drtp/reference stand for the options of their authors' code, and name themselves so."
    from ffcl_twin.methods import build_method
    assert resolve_method('pepita/reference')[1] == dict(optimizer='momentum', dropout='0.1', init='he', decay='steps')
    assert build_method('drtp/reference').name == 'drtp/reference' and build_method('drtp').name == 'drtp'
    assert build_method('pepita', dict(optimizer='momentum')).name == 'pepita'     # one option alone is not the reference

def test_ff_reference_recipe():
    "ff/reference stands for loeweX/Forward-Forward's recipe; one option alone is not it; every default option keeps the written-out gradients."
    from ffcl_twin.methods import build_method
    assert resolve_method('ff/reference')[1] == dict(norm='rms', input='rms', goodness='sum', peer='0.03', head='layers2+', optimizer='sgd',
                                                     decay='linear', init='normal', predict='head')
    assert build_method('ff/reference').name == 'ff/reference' and build_method('ff', dict(peer='0.03')).name == 'ff'
    assert build_method('ff', dict(norm='rms'))._written and not build_method('ff', dict(goodness='sum'))._written

def test_pepita_schedule_survives_a_resume():
    "decay='steps' counts epochs begun; a checkpoint carries the count, so a resumed run's rate is the uninterrupted run's."
    from ffcl_twin.methods import build_method
    a = build_method('pepita/reference', lr=0.1)
    for _ in range(61): a.batches(8, 4)
    b = build_method('pepita/reference', lr=0.1); b.load_state_dict(a.state_dict()); b.batches(8, 4); a.batches(8, 4)
    assert a.opt.param_groups[0]['lr'] == b.opt.param_groups[0]['lr'] == pytest.approx(0.01)
    for _ in range(30): b.batches(8, 4)
    assert b.opt.param_groups[0]['lr'] == pytest.approx(0.001)

def test_local_heads_schedule_and_batchnorm_survive_a_resume():
    "local_supervised/reference: the rate falls x0.25 after epochs 50, 75, 89, 94, and a checkpoint carries the count and BatchNorm's running statistics."
    import torch
    from ffcl_twin.methods import build_method
    from ffcl_twin.locality import locality_batch
    x, y, idx = locality_batch(seeds=1, batch=8)
    a = build_method('local_supervised/reference', lr=1.)
    for _ in range(51): a.batches(8, 4)
    assert a.opt.lr == pytest.approx(0.25)
    a.train_step(x, y, idx)                                   # moves the running statistics off their start
    b = build_method('local_supervised/reference', lr=1.); b.load_state_dict(a.state_dict())
    for k, v in a.evaluate(x, y).items(): assert torch.equal(v, b.evaluate(x, y)[k]), k
    for _ in range(44): b.batches(8, 4)
    assert b.opt.lr == pytest.approx(0.25 ** 4)
