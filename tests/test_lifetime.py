"""``djatlas.lifetime``: a one-shot process keeps what it would free for nothing; elsewhere
(the library, a server) nothing is kept."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from djatlas import lifetime


class _State:
    """Stands for a scan's working state (weakly referenceable)."""


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process not one-shot yet, with no child left to reap (a one-shot scan of an earlier
    test leaves its ended children in ``_unreaped``): those of the test reaped after it."""
    monkeypatch.setattr(lifetime, "_kept", None)
    monkeypatch.setattr(lifetime, "_unreaped", [])
    yield
    lifetime.reap_all()


def test_outside_a_one_shot_process_nothing_is_kept(fresh: None) -> None:
    state = _State()
    ref = weakref.ref(state)
    lifetime.keep(state)
    del state
    gc.collect()
    assert ref() is None


def test_a_one_shot_process_keeps_to_its_end(fresh: None) -> None:
    lifetime.one_shot()
    state = _State()
    ref = weakref.ref(state)
    lifetime.keep(state, 1)
    del state
    gc.collect()
    assert ref() is not None
    lifetime.one_shot()  # called again: what was kept stays kept
    assert ref() is not None


def _scan(tree, typed: bool = True) -> bytes:
    from djatlas.render import RenderOptions, get_renderer
    from djatlas.scan import ScanOptions, scan_rendered

    (tree / "models.py").write_text(
        "from django.db import models\n\nclass Shop(models.Model):\n    name = models.TextField()\n"
    )
    render = get_renderer("json")
    options = ScanOptions(use_cache=False)
    return scan_rendered(
        str(tree), options, "json", lambda d: render(d, RenderOptions()), typed=typed
    )[1]


def test_a_one_shot_scan_keeps_its_state_and_report(fresh: None, tmp_path) -> None:
    from djatlas.resolve.index import ProjectIndex

    lifetime.one_shot()
    body = _scan(tmp_path)
    kept = [type(o) for objects in lifetime._kept or [] for o in objects]
    assert ProjectIndex in kept and dict in kept  # the analysis's index, the report document
    assert b'"name": "Shop"' in body


def test_a_plain_copy_of_the_report_reuses_the_kept_state(fresh: None, tmp_path) -> None:
    from djatlas.resolve.index import ProjectIndex

    lifetime.one_shot()
    body = _scan(tmp_path, typed=False)
    kept = [type(o) for objects in lifetime._kept or [] for o in objects]
    assert ProjectIndex not in kept and dict in kept  # released before the copy; the document
    assert b'"name": "Shop"' in body


def test_a_library_scan_keeps_nothing(fresh: None, tmp_path) -> None:
    body = _scan(tmp_path)
    assert lifetime._kept is None
    assert b'"name": "Shop"' in body


def test_a_one_shot_view_keeps_the_report(fresh: None, tmp_path) -> None:
    from djatlas.scan import ScanOptions, scan_view

    (tmp_path / "models.py").write_text(
        "from django.db import models\n\nclass Shop(models.Model):\n    name = models.TextField()\n"
    )
    lifetime.one_shot()
    options = ScanOptions(use_cache=False)
    summary, body = scan_view(str(tmp_path), options, "names", [], _names)
    assert body == b"Shop" and summary == {"models": 1}
    kept = [o for objects in lifetime._kept or [] for o in objects]
    assert any(type(o) is dict and o.get("models") for o in kept)  # the report document


def _names(doc: dict) -> tuple[dict, bytes]:
    return {"models": len(doc["models"])}, ",".join(m["name"] for m in doc["models"]).encode()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork")
def test_a_one_shot_process_waits_for_its_ended_children_at_its_end(fresh: None) -> None:
    import os

    def child() -> int:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        return pid

    waited = child()
    lifetime.reap(waited)  # not one-shot: reaped now
    with pytest.raises(ChildProcessError):
        os.waitpid(waited, os.WNOHANG)
    lifetime.one_shot()
    left = child()
    lifetime.reap(left)  # one-shot: at the end, after the output
    assert lifetime._unreaped == [left]
    lifetime.reap_all()
    assert not lifetime._unreaped
    with pytest.raises(ChildProcessError):
        os.waitpid(left, os.WNOHANG)
