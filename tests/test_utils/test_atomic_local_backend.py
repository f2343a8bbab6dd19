import errno
import os
import stat

import pytest
from mmengine.fileio import LocalBackend, get_file_backend

import dasr_mm  # noqa: F401
from dasr_mm.utils import AtomicLocalBackend


def test_checkpoint_backend_is_selectable_by_name(tmp_path):
    backend = get_file_backend(
        str(tmp_path), backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, AtomicLocalBackend)
    backend.put(b'abc', str(tmp_path / 'sub' / 'iter_1.pth'))
    backend.put_text('x', str(tmp_path / 'last_checkpoint'))
    assert (tmp_path / 'sub' / 'iter_1.pth').read_bytes() == b'abc'
    assert (tmp_path / 'last_checkpoint').read_text() == 'x'


def test_interrupted_write_keeps_previous_file_and_leaves_no_temp(
        tmp_path, monkeypatch):
    target = tmp_path / 'iter_2.pth'
    target.write_bytes(b'old complete checkpoint')

    def crash_midway(self, obj, filepath):
        with open(filepath, 'wb') as f:
            f.write(obj[:3])
        raise KeyboardInterrupt('killed while saving')

    monkeypatch.setattr(LocalBackend, 'put', crash_midway)
    with pytest.raises(KeyboardInterrupt):
        AtomicLocalBackend().put(b'new checkpoint bytes', str(target))
    assert target.read_bytes() == b'old complete checkpoint'
    assert os.listdir(tmp_path) == ['iter_2.pth']


def test_checkpoints_get_the_umask_permissions(tmp_path):
    previous = os.umask(0o027)
    try:
        AtomicLocalBackend().put(b'ckpt', str(tmp_path / 'iter_1.pth'))
        AtomicLocalBackend().put_text('iter_1.pth',
                                      str(tmp_path / 'last_checkpoint'))
    finally:
        os.umask(previous)
    for name in ('iter_1.pth', 'last_checkpoint'):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o640


def test_disk_full_while_saving_a_checkpoint_keeps_the_last_one(
        tmp_path, monkeypatch):
    target = tmp_path / 'iter_4.pth'
    target.write_bytes(b'complete checkpoint')

    def disk_full(self, obj, filepath):
        with open(filepath, 'wb') as f:
            f.write(obj[:2])
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(LocalBackend, 'put', disk_full)
    with pytest.raises(OSError) as e:
        AtomicLocalBackend().put(b'new checkpoint', str(target))
    assert e.value.errno == errno.ENOSPC
    assert 'could not write' in str(e.value) and str(target) in str(e.value)
    assert target.read_bytes() == b'complete checkpoint'
    assert os.listdir(tmp_path) == ['iter_4.pth']
