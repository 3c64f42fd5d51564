"""Objects a one-shot command keeps to the end of its process instead of freeing them.

A one-shot command (``djatlas scan``, ``djatlas check``) ends with ``os._exit`` (``cli._end``):
whatever it frees before is freed for nothing, and freeing a scan's working state object by
object costs milliseconds of CPU on the way to the output (measured on saleor: ~10 ms for the
project index and the layout at the analysis's end, ~9 ms for the report document after the
rendering). ``keep`` hands such objects to this module when the process is one-shot
(``cli._as_process`` calls ``one_shot``); otherwise (the library, a server) it does nothing
and they are freed as usual. A stage about to build much (a plain copy of the report for the
HTML renderer or ``check``) ``release``s them first: its objects then reuse their memory
instead of raising the process's peak.
"""

from __future__ import annotations

import os

#: What is kept (None: not a one-shot process, nothing is).
_kept: list[tuple[object, ...]] | None = None
#: Ended children a one-shot process waits for at its end (``reap``).
_unreaped: list[int] = []


def one_shot() -> None:
    """From now on the process ends without freeing: ``keep`` keeps."""
    global _kept
    if _kept is None:
        _kept = []


def keep(*objects: object) -> None:
    """Keep ``objects`` alive to the end of a one-shot process (elsewhere: nothing)."""
    if _kept is not None:
        _kept.append(objects)


def release() -> None:
    """Free what was kept so far (what comes next needs the memory); keep on keeping."""
    if _kept:
        _kept.clear()


def reap(pid: int) -> None:
    """Wait for the ended (killed or exiting) child ``pid``; a one-shot process waits only at
    its end (``reap_all``), once its output is written: a child's exit, the release of its
    pages, takes milliseconds that are then not on the way to the output."""
    if _kept is None:
        os.waitpid(pid, 0)
    else:
        _unreaped.append(pid)


def reap_all() -> None:
    """Wait for the children ``reap`` left (long ended by then: their CPU time is counted as
    this process's children's)."""
    while _unreaped:
        try:  # noqa: SIM105 - ``contextlib`` is not imported for it (start-up)
            os.waitpid(_unreaped.pop(), 0)
        except OSError:
            pass
