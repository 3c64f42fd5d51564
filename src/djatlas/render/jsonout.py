"""JSON renderer: the report document itself."""

from __future__ import annotations

import os
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter, methodcaller

try:  # the C function (json.encoder's), without the json package (start-up)
    from _json import encode_basestring as _string
except ImportError:  # pragma: no cover
    from json.encoder import encode_basestring as _string

from djatlas.graph.types import field_names, plain
from djatlas.render import RenderOptions

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


def render(doc: dict, options: RenderOptions) -> bytes:
    """The document as UTF-8 JSON (encoded here once: the caller writes bytes). ``doc`` may
    hold typed report objects (``Report.document``). A large report is written by two
    processes (see ``_forked``)."""
    return b"".join(render_parts(doc, options))


def render_parts(doc: dict, options: RenderOptions, later: bool = False) -> list[Any]:
    """``render``'s bytes in the parts written by each process, not joined: a caller that
    writes them one after the other spares a copy of the whole (the first part holds the
    document's head, its metadata included). ``later``: the forked process's part may stay
    there, a ``Later`` at the end, for the caller to have it written by that process
    (``Later.write_to``). A report written by one process is in pieces too: each model's text
    encoded on its own (measured, ``--jobs 1``: one model's wide character widened netbox's
    whole joined text, ~33M instructions to encode it; ASCII pieces are a copy)."""
    k = _split(doc, options.extra.get("jobs"))
    utf8 = _wide(doc)
    if k is not None:
        parts = _forked(doc, k, utf8, later)
        if parts is not None:
            return parts
    n = len(doc["models"]) if type(doc) is dict and type(doc.get("models")) is list else 0
    if n:  # a report in one process: its models' texts still encoded one by one (``_part``)
        try:
            return [*_part(doc, n, False, utf8), *_part(doc, n, True, utf8)]
        except (TypeError, ValueError, RecursionError):  # not JSON: json.dumps says why
            return [_utf8(_text(doc) + "\n")]
    out, enc, _ = _writer(utf8)
    try:
        enc(doc, 0)
    except (TypeError, ValueError, RecursionError):  # not JSON: json.dumps says why
        return [_utf8(_text(doc) + "\n")]
    out.append("\n")
    return [_encoded(out, "", utf8)]  # its pieces encoded one by one (see ``_encoded``)


def render_later(doc: dict, options: RenderOptions) -> list[Any]:
    """``render_parts(doc, options, later=True)``: for ``commands.files.write_output``."""
    return render_parts(doc, options, True)


def _wide(doc: Any) -> bool:
    """Whether to write ``doc`` with ``_writer(utf8=True)``: when a model's ``verbose_name`` is
    not ASCII (a project that names its models in its own language: blueking-paas, 144 of
    173 models in Chinese), most models' texts would widen to two bytes a character; with
    ASCII names (most trees) a few strings that are not ASCII are cheaper to write as they
    are than a call more for each string written item by item (saleor, netbox: +1M
    instructions)."""
    models = doc.get("models") if type(doc) is dict else None
    if type(models) is not list or not models:
        return False
    meta = itemgetter("meta") if type(models[0]) is dict else attrgetter("meta")
    try:  # (in C: a loop over the models in Python cost ~0.4M instructions on saleor)
        names = list(map(dict.get, map(meta, models), repeat("verbose_name")))
    except (KeyError, AttributeError, TypeError):  # not all alike: as they are
        return False
    return not "".join(compress(names, map(_IS_STR, map(type, names)))).isascii()


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escaped
        return text.encode("utf-8", "backslashreplace")


def dumps(doc: Any) -> str:
    """Deterministic, valid JSON for any string (lone surrogates escaped). ``doc`` may hold the
    report's typed objects (graph/types.py): each is written as ``to_dict`` would give it."""
    text = _text(doc)
    try:
        text.encode("utf-8")  # no lone surrogates (the usual case): no re-decoding
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text + "\n"


def _text(doc: Any) -> str:
    """``json.dumps(doc, ensure_ascii=False, indent=2)``, typed report objects as their dicts."""
    try:
        return _indent2(doc)
    except (TypeError, ValueError, RecursionError):  # let json raise its own error
        import json

        return json.dumps(doc, ensure_ascii=False, indent=2, default=_typed)


def _typed(obj: Any) -> Any:
    """``json.dumps``'s ``default``: a report object as its plain dict."""
    if field_names(type(obj)) is None:
        raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")
    return plain(obj)


# -- two processes ---------------------------------------------------------------------------
#: A report's share of work per model (its own items, bases and Meta), field, field's relation,
#: reverse relation and file: the bytes each writes (a least-squares fit over the models of
#: three corpora, within 4% of each tree's whole), as a model's byte costs alike (measured:
#: 56-74 instructions a byte); a file's bytes cost ~0.8 of that (it is 18, not its 23 bytes).
#: By counts alone (a file a seventh of a field, where it is a quarter) this process had
#: 49-53% of the instructions, not 55%, and waited for the forked one (perf sched: saleor
#: 9-12 ms); now 54-56% on the three corpora.
_MODEL_WORK, _FIELD_WORK, _RELATION_WORK, _REVERSE_WORK, _FILE_WORK = 78, 73, 56, 25, 18
#: This process's share of the work, in percent: a little over half, as the forked process
#: writes slower (its first write to each page of the report copies the page; measured: its
#: part took 10-25% longer than this process's part of the same instructions).
_OWN_SHARE = 55
#: Fork for the second half when the whole is at least this much work. The fork costs more
#: than its own time: while both processes live, each page either one writes is copied
#: (blueking-paas: ~4,100 more page faults in all). Measured without the fork, paired medians
#: of interleaved scans on 2 cores: ralph (164K), blueking-paas (178K) and saleor (181K) took
#: the same wall time (within the noise: 0.999 over 101 runs on blueking-paas, 0.97-1.02 over
#: 41-61 on each) for 3.5-5% less CPU; netbox (320K) took 2% longer. The threshold was 100K.
FORK_MIN_WORK = 250_000


def _split(doc: Any, jobs: int | None = None) -> int | None:
    """Where the models divide the work of a report document in two (the first part to this
    process, ``_OWN_SHARE``; the rest and what follows them to a forked one); None: one
    process (also with ``jobs`` 1, the ``--jobs`` option, or without a second core)."""
    models = doc.get("models") if type(doc) is dict else None
    if type(models) is not list or len(models) < 2 or not _spare_core(jobs):
        return None  # (asked first: ``--jobs 1`` weighs no model)
    work = list(map(_work, models))
    total = sum(work) + _FILE_WORK * len(doc.get("files") or ())
    if total < FORK_MIN_WORK:
        return None
    done, own = 0, total * _OWN_SHARE // 100
    for k, w in enumerate(work):
        if done + w > own:
            return max(k, 1)
        done += w
    return None  # the files are the larger half: not worth splitting there


def _work(model: Any) -> int:
    """A model's share of work (see ``_MODEL_WORK``)."""
    fields = _get(model, "fields") or ()
    relations = _relations(fields)
    reverse = len(_get(model, "reverse_relations") or ())
    return (
        _MODEL_WORK
        + _FIELD_WORK * len(fields)
        + _RELATION_WORK * relations
        + _REVERSE_WORK * reverse
    )


def _relations(fields: Any) -> int:
    """How many of ``fields`` have a relation, read in C when they are all typed or all dicts
    (measured: a ``_get`` call a field made ``_split`` 4.4M instructions on netbox, before the
    fork)."""
    try:
        if type(fields[0]) is dict:
            got = list(map(dict.get, fields, repeat("relation")))
        else:
            got = list(map(_RELATION, fields))
    except (AttributeError, TypeError, KeyError, IndexError):  # mixed, or not report fields
        got = [_get(f, "relation") for f in fields]
    return len(fields) - got.count(None)


_RELATION = attrgetter("relation")


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if type(obj) is dict else getattr(obj, name, None)


def _spare_core(jobs: int | None) -> bool:
    from djatlas.parallel import spare_core

    return spare_core(jobs)


def _forked(doc: dict, k: int, utf8: bool = False, later: bool = False) -> list[Any] | None:
    """``render``'s bytes in parts, the models from ``k`` on and what follows them written by a
    forked process while this one writes what comes before (the same text: each part is
    written by the same encoder at the same level); None when the fork or its child failed.
    ``later``: the forked part is a ``Later`` (still in that process), not its bytes."""
    from djatlas.lifetime import reap
    from djatlas.parallel import enlarge

    try:
        read_end, write_end = os.pipe()
        orders, order_end = os.pipe() if later else (-1, -1)
        if not later:  # the child's part goes in at once, read when this one is done
            enlarge(write_end)
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: its part, then out without any clean-up of the parent's state
        code = 1
        try:
            os.close(read_end)
            pieces = _part(doc, k, True, utf8)
            size = sum(map(len, pieces)).to_bytes(8, "little")
            if later:
                os.close(order_end)  # (its end at the parent's exit, if no order comes)
                marks = _marks(pieces).to_bytes(8, "little", signed=True)
                os.write(write_end, size + marks)
                _serve(orders, write_end, pieces)
            else:
                write_all(write_end, [size, *pieces])
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    if later:
        os.close(orders)
    try:
        head: list[bytes] | None = _part(doc, k, False, utf8)
    except (TypeError, ValueError, RecursionError):  # not JSON: json.dumps says why
        head = None
    if later:
        return _later(pid, read_end, order_end, head)
    with open(read_end, "rb", buffering=0) as pipe:
        size = _receive(pipe, bytearray(8))
        rest = _chunks(pipe, int.from_bytes(size, "little")) if size else None
    reap(pid)  # its whole part came (its length first): it succeeded
    if head is None or rest is None:
        return None
    return [*head, *rest]


def _later(pid: int, answers: int, orders: int, head: list[bytes] | None) -> list[Any] | None:
    """``head`` and a ``Later`` for the forked part, once that process told its length (it
    rendered its part); None (that process ended) when it failed or ``head`` is None."""
    from djatlas.lifetime import reap

    pipe = open(answers, "rb", buffering=0)  # noqa: SIM115 - the Later's, to its answer
    told = _receive(pipe, bytearray(16))
    if head is not None and told is not None:
        size = int.from_bytes(told[:8], "little")
        marks = int.from_bytes(told[8:], "little", signed=True)
        return [*head, Later(pid, orders, pipe, size, marks)]
    os.close(orders)  # (the child then ends, if it has not)
    pipe.close()
    reap(pid)
    return None


#: How every metadata placeholder of a cacheable rendering begins (``keys.placeholders``): the
#: forked process counts them in its part, so that ``keys.template_subs`` need not see it.
MARK = b"@@djatlas-metadata-"


def _marks(pieces: list[bytes]) -> int:
    """How many times ``MARK`` shows in ``pieces``, -1 when no piece holds an ``@`` at all (found
    by ``memchr``: 0.04 ms a megabyte, where counting ``MARK`` in each takes ~0.27 ms)."""
    held = [piece for piece in pieces if b"@" in piece]
    return sum(piece.count(MARK) for piece in held) if held else -1


def _serve(orders: int, answers: int, pieces: list[bytes]) -> None:
    """The forked process's part handled as the parent orders (``Later``): ``b"S"``: sent to
    it through ``answers``; ``b"F"`` and a file descriptor's number (this process's copy of
    the parent's: the same open file), or ``b"W"`` and a path (opened here for appending):
    written there after what the parent wrote, then ``b"0"`` (done) or ``b"E"`` and the errno
    of a failed write, or, when the path cannot be opened, ``b"D"`` and the part sent to the
    parent. No order (the parent's end closed): nothing."""
    order = b""
    while got := os.read(orders, 4096):
        order += got
    kind, target = order[:1], order[1:]
    if kind == b"S":
        return write_all(answers, pieces)
    if kind not in (b"F", b"W"):
        return None
    try:
        fd = int(target) if kind == b"F" else os.open(target, os.O_WRONLY | os.O_APPEND)
    except OSError:
        return write_all(answers, [b"D", *pieces])
    try:
        write_all(fd, pieces)
    except OSError as exc:
        return write_all(answers, [b"E" + (exc.errno or 5).to_bytes(4, "little")])
    return write_all(answers, [b"0"])


class Later:
    """The forked process's part of a rendering (``render_parts(later=True)``), still there:
    ``write_to`` has that process write it straight to the output, after the parts before it
    (measured: the parent then neither reads a megabyte from a pipe, ~180 page faults on
    blueking-paas, nor writes it). ``bytes(later)`` has it sent here instead. ``count`` and
    ``in`` answer ``keys.template_subs`` without the bytes when the part holds no metadata
    placeholder (``MARK``), or no ``@`` at all (``marks`` -1; counted there), else from them."""

    def __init__(self, pid: int, orders: int, answers: Any, size: int, marks: int) -> None:
        self.pid, self.orders, self.answers = pid, orders, answers
        self.size, self.marks = size, marks
        self.data: bytes | None = None

    def count(self, sub: bytes) -> int:
        if (self.marks <= 0 and MARK in sub) or (self.marks < 0 and b"@" in sub):
            return 0
        return bytes(self).count(sub)

    def __contains__(self, sub: bytes) -> bool:
        if sub == b"@":  # (``template_subs`` looks for a placeholder's first byte first)
            return self.marks >= 0
        return self.count(sub) > 0

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        if self.data is None:
            self.data = b"".join(self._answer(b"S") or ())
        return self.data

    def write_to(self, fd: int | None, path: str | None = None) -> list[bytearray] | None:
        """Have the forked process write its part: to ``path``, opened there for appending, or
        (``path`` None) to its copy of ``fd`` (the same open file: its offset too); the part's
        bytes (for the caller to write) when it could not open ``path``, or ``fd`` is None
        (not a file descriptor: a test's captured stdout), None once written. An OSError as
        the write raised it there."""
        if self.data is not None or (fd is None and path is None):
            return [bytearray(bytes(self))]
        return self._answer(b"W" + os.fsencode(path) if path else b"F%d" % fd)

    def _answer(self, order: bytes) -> list[bytearray] | None:
        """Send ``order`` (see ``_serve``); the part's bytes, or None once written."""
        from djatlas.lifetime import reap

        try:
            write_all(self.orders, [order])
        finally:
            self._end_orders()
        try:
            with self.answers as pipe:
                status = bytearray(b"D") if order == b"S" else _receive(pipe, bytearray(1))
                if status == b"0":
                    return None
                if status == b"E":
                    code = int.from_bytes(_receive(pipe, bytearray(4)) or b"\5", "little")
                    raise OSError(code, os.strerror(code))
                data = _chunks(pipe, self.size) if status == b"D" else None
        finally:
            reap(self.pid)
        if data is None:
            raise OSError(5, "the JSON renderer's helper process ended")
        return data

    def _end_orders(self) -> None:
        if self.orders >= 0:
            os.close(self.orders)
            self.orders = -1

    def __del__(self) -> None:  # an unused part (a rendering redone): its process ends
        if self.orders >= 0:
            self._end_orders()
            self.answers.close()
            from djatlas.lifetime import reap

            reap(self.pid)


#: The forked part is read in pieces of at most this size: memory this process's own part
#: freed (its texts) holds them (a megabyte in one buffer is a fresh mapping: ~220 page faults,
#: blueking-paas).
_CHUNK = 64 * 1024


def _chunks(pipe: Any, size: int) -> list[bytearray] | None:
    """``size`` bytes from ``pipe`` in buffers of at most ``_CHUNK``; None if it ended first."""
    out = []
    for at in range(0, size, _CHUNK):
        got = _receive(pipe, bytearray(min(_CHUNK, size - at)))
        if got is None:
            return None
        out.append(got)
    return out


def write_all(fd: int, pieces: list[bytes]) -> None:
    """Write ``pieces`` one after the other to ``fd``, up to 1024 at a time (``os.writev``: a
    piece is not copied into a joined whole first, whose fresh pages fault)."""
    for at in range(0, len(pieces), _IOV_MAX):
        some = pieces[at : at + _IOV_MAX]
        done = os.writev(fd, some)
        if done < sum(map(len, some)):  # a short write: the rest piece by piece
            for data in some:
                view = memoryview(data)[done:]
                done = max(0, done - len(data))
                while view:
                    view = view[os.write(fd, view) :]


#: The most buffers one ``writev`` takes (Linux's IOV_MAX).
_IOV_MAX = 1024


def _receive(pipe: Any, buffer: bytearray) -> bytearray | None:
    """``buffer`` filled from ``pipe`` (read straight into it: no copy); None if it ended
    first."""
    view, got = memoryview(buffer), 0
    while got < len(buffer):
        n = pipe.readinto(view[got:])
        if not n:
            return None
        got += n
    return buffer


def _part(doc: dict, k: int, tail: bool, utf8: bool = False) -> list[bytes]:
    """The UTF-8 text of ``doc`` up to the model ``k`` (``tail`` False) in pieces: what comes
    before the models (a small head, the metadata's placeholders are filled in it alone: see
    ``keys.fill``), then the models' (``_pieces``); or from the model ``k`` on, with the
    closing newline, in pieces (the models, then what follows them: each copied once more only
    when encoded).
    The models' texts are joined with the indent before the first one put on that one alone:
    a large part is never copied to prefix it (each copy of a megabyte costs its page faults
    too)."""
    out, enc, each = _writer(utf8)
    keys = list(doc)
    string = _string8 if utf8 else _string
    at = keys.index("models")
    pad, inner = PADS[1], PADS[2]
    sep = "," + inner
    if tail:
        texts = each(doc["models"][k:], 2)
        models = []  # (none: ``k`` is past the last model)
        if texts:
            texts[0] = sep + texts[0]
            models = _pieces(texts, sep, utf8)
        out.append(pad + "]")
        for key in keys[at + 1 :]:
            out.append("," + pad + string(_key(key)) + ": ")
            enc(doc[key], 1)
        out.append("\n}\n")
        return [*models, *_pieces(out, "", utf8)]
    for n, key in enumerate(keys[: at + 1]):
        out.append(("{" if n == 0 else ",") + pad + string(_key(key)) + ": ")
        if n < at:
            enc(doc[key], 1)
    out.append("[")
    head = _encoded(["".join(out)], "", utf8)  # (many small pieces: joined first)
    texts = each(doc["models"][:k], 2)
    texts[0] = inner + texts[0]
    return [head, *_pieces(texts, sep, utf8)]


def _pieces(texts: list[str], sep: str, utf8: bool = False) -> list[bytes]:
    """``_encoded(texts, sep, utf8)`` in pieces, not joined: each text's bytes and ``sep``'s
    between them (written by ``os.writev``: a joined copy of a megabyte costs its ~250 page
    faults, each some microseconds). ``texts`` is emptied: each text is let go once encoded,
    its memory then reused for the next one's bytes (measured, the forked process's page
    faults: netbox ~2670 -> ~2530, saleor ~2560 -> ~2495, blueking-paas ~2410 -> ~2340)."""
    encode = _LATIN1 if utf8 else str.encode
    encoded: list[bytes] = []
    add = encoded.append
    try:
        for n, text in enumerate(texts):
            add(encode(text))
            texts[n] = ""
    except UnicodeEncodeError:  # lone surrogates: escaped
        texts[: len(encoded)] = [data.decode("utf-8") for data in encoded]
        return [_utf8(sep.join(texts))]
    if not sep or len(encoded) < 2:
        return encoded
    pieces = [sep.encode()] * (2 * len(encoded) - 1)
    pieces[::2] = encoded
    return pieces


def _encoded(texts: list[str], sep: str, utf8: bool = False) -> bytes:
    """``sep.join(texts)`` in UTF-8 (``sep`` ASCII), each text encoded on its own: an ASCII
    text's UTF-8 is a copy, while one wide character in a joined str widens the whole of it
    and makes its encoding some 10 instructions a character. ``utf8``: the texts of a
    ``_writer(utf8=True)``, their bytes in latin-1 (a copy)."""
    if utf8:
        return sep.encode().join(map(_LATIN1, texts))
    try:
        return sep.encode().join(map(str.encode, texts))
    except UnicodeEncodeError:  # lone surrogates: escaped
        return _utf8(sep.join(texts))


#: A ``_writer(utf8=True)`` text's bytes (its characters are bytes: a copy, in C).
_LATIN1 = methodcaller("encode", "latin-1")


def _string8(s: str) -> str:
    """``_string(s)`` with each character that is not ASCII as its UTF-8 bytes, one
    character each (``_writer(utf8=True)``; a lone surrogate backslash-escaped)."""
    text = _string(s)
    return text if text.isascii() else text.encode("utf-8", _ESCAPED).decode("latin-1")


_FLOAT = float.__repr__
_INT = int.__repr__
_INF = float("inf")


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return _FLOAT(o)


def _key(k: Any) -> str:
    """A key as ``json.dumps`` writes it (before quoting): str as is, other scalars as JSON."""
    if isinstance(k, str):
        return k
    if k is None or isinstance(k, (int, float)):  # bool is an int
        return _scalar(k)
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


def _scalar(o: Any) -> str:
    """The JSON text of a scalar of any type (str, int and float subclasses included)."""
    if isinstance(o, str):
        return _string(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return _INT(o)
    if isinstance(o, float):
        return _float(o)
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


def _indent2(doc: Any) -> str:
    """Exactly ``json.dumps(doc, ensure_ascii=False, indent=2)``, about twice as fast (the
    stdlib's C encoder does not indent; its Python one walks generators). A typed report
    object is written as its ``to_dict`` form, straight from its ``__dict__``."""
    out, enc, _ = _writer()
    enc(doc, 0)
    return "".join(out)


def _writer(utf8: bool = False) -> tuple[list[str], Any, Any]:
    """(out, ``enc(value, level)``, ``each(items, level)``): ``enc`` appends the value's
    indented JSON text to ``out``; ``each`` gives the text of each item of a list, at ``level``.
    ``utf8``: each string's characters that are not ASCII are written as their UTF-8 bytes, a
    character each (``_string8``; the texts are then encoded in latin-1, a copy): a text never
    widens to two or four bytes a character, which a few Chinese verbose names did to most
    of blueking-paas's models, their joins and templates, and their encoding (~9 instructions
    a character).

    Measured fast forms: one closure (a call per container, none per item); exact types tested
    first (all of a report); each key's whole prefix (separator, newline, indent, key and
    ``": "``) is one string cached per level and looked up at C speed (``map``), so an item
    is one concatenation and one append. A list of report records of one class (models,
    fields, files...) is written column by column (``batch``): most of a report's items are
    then written by joins of each record's texts and values, at C speed (``_Forms``)."""
    out: list[str] = []
    add = out.append
    pads = PADS
    string = _string8 if utf8 else _string
    prefixes: list[_Prefixes] = [_Prefixes("\n", string)]  # per level
    typed: dict[type, tuple[str, ...] | None] = {}  # class -> its field names (None: not one)

    def enc(o: Any, level: int) -> None:
        t = type(o)
        inner = level + 1
        while len(pads) <= inner:
            pads.append("\n" + "  " * len(pads))
        while len(prefixes) <= inner:
            prefixes.append(_Prefixes(pads[len(prefixes)], string))
        if t is list or t is tuple:
            return sequence(o, level)
        if t is dict:
            items = zip(map(prefixes[inner].__getitem__, o), o.values())
        else:
            names = typed.get(t, ())
            if names == ():
                names = typed[t] = field_names(t)
            if names is not None:  # a report object: its fields in order
                state = getattr(o, "__dict__", None)
                if state is None or tuple(state) != names:
                    state = {name: getattr(o, name) for name in names}
                items = zip(map(prefixes[inner].__getitem__, names), state.values())
            elif isinstance(o, dict):
                items = zip(map(prefixes[inner].__getitem__, o), o.values())
            elif isinstance(o, (list, tuple)):
                return sequence(o, level)
            else:
                return add(string(o) if isinstance(o, str) else _scalar(o))
        start = len(out)
        for kt, v in items:
            tv = type(v)
            if tv is str:
                add(kt + string(v))
            elif v is None:
                add(kt + "null")
            elif tv is int:
                add(kt + _INT(v))
            elif v is True:
                add(kt + "true")
            elif v is False:
                add(kt + "false")
            else:
                add(kt)
                enc(v, inner)
        if len(out) == start:
            add("{}")
        else:
            out[start] = "{" + out[start][1:]
            add(pads[level] + "}")

    def sequence(o: list | tuple, level: int) -> None:
        if not o:
            return add("[]")
        inner = level + 1
        texts = batch(o, inner) if len(o) >= _TABLE_MIN else None
        if texts is not None:
            add("[" + pads[inner])
            add(("," + pads[inner]).join(texts))
            add(pads[level] + "]")
            return None
        start = len(out)
        sep = "," + pads[inner]
        for v in o:
            tv = type(v)
            if tv is str:
                add(sep + string(v))
            elif v is None:
                add(sep + "null")
            elif tv is int:
                add(sep + _INT(v))
            else:
                add(sep)
                enc(v, inner)
        out[start] = "[" + out[start][1:]
        add(pads[level] + "]")

    def text(o: Any, level: int) -> str:
        """``o``'s text at ``level`` (written by ``enc``, taken off ``out``)."""
        start = len(out)
        enc(o, level)
        whole = "".join(out[start:])
        del out[start:]
        return whole

    def each(o: list, level: int) -> list[str]:
        """The text of each item of ``o`` at ``level``."""
        texts = batch(o, level) if o else []
        return [text(v, level) for v in o] if texts is None else texts

    def batch(o: list | tuple, level: int) -> list[str] | None:
        """The text at ``level`` of each item of ``o`` if they are report records of one class
        whose ``__dict__`` holds exactly their fields (see ``_Forms``); None otherwise. Each
        field is taken for all records at once (``column``), then the records written by the
        layout of their fields' types (``_Forms.write``)."""
        rows = forms.rows(o)
        if rows is None:
            return None
        names, states = rows
        if not names:
            return ["{}"] * len(states)
        while len(pads) <= level + 2:
            pads.append("\n" + "  " * len(pads))
        columns, fixed, varying = [], [], []
        for values in zip(*map(dict.values, states)):
            written, single = column(values, level + 1)
            texts = type(written) is _Texts  # str items are texts: their slot is a _Raw's
            if single:  # values of one type: written alike, one slot for all
                fixed.append(_Raw if texts else type(written[0]))
            else:
                fixed.append(None)
                kinds = map(type, written)
                varying.append(map(_TEXT_KINDS.__getitem__, kinds) if texts else kinds)
            columns.append(written)
        return forms.write(names, tuple(fixed), varying, columns, level)

    def column(values: tuple, level: int) -> tuple[Any, bool]:
        """(written, single): ``values`` (one field of many records, at ``level``) as a layout
        writes them, and whether they are all of one type (then written alike: one slot): str
        (needing no escaping), int and None as they are, anything else as its text (``_Raw``;
        the same object's once). Lists and records are written as plain str in a ``_Texts``
        (a ``_Raw`` of each would copy each text once more: the nested records' texts hold
        most of a report)."""
        kinds = set(map(type, values))
        return _column(values, kinds, level), len(kinds) == 1

    def _column(values: tuple, kinds: set[type], level: int) -> Any:
        if kinds <= _PLAIN_KINDS:
            return strings(values, kinds) if str in kinds else values
        if kinds <= _BOOL_KINDS:
            return list(map(_BOOL_TEXTS.get, values))
        texts = lists(values, level) if kinds == _LIST_KIND else records(values, kinds, level)
        if texts is not None:
            return texts
        # With no str or int among them the texts are a ``_Texts`` (no ``_Raw`` copy of each).
        raw = str not in kinds and int not in kinds
        done: dict[int, str] = {}  # id -> text: the values are alive (in ``values``)
        written = _Texts() if raw else []
        for v in values:
            tv = type(v)
            if tv is str or tv is int or v is None:
                written.append(v)
            else:
                got = done.get(id(v))
                if got is None:
                    empty = not v and _EMPTY.get(tv)  # ({} of a field's known_params)
                    got = empty or text(v, level)
                    got = done[id(v)] = got if raw else _Raw(got)
                written.append(got)
        return strings(written) if str in kinds else written

    def strings(values: Any, kinds: Any = ()) -> Any:
        """``values`` with each str that needs escaping as its JSON text (``_Raw``); ``kinds``:
        their types when known."""
        if str in kinds and len(kinds) == 1:  # (no types to look at: measured 6M on saleor)
            found = _plain(values)
        else:
            found = _plain(compress(values, map(_IS_STR, map(type, values))))
        if found is _ASCII or (found is _PLAIN and not utf8):
            return values
        if found is _PLAIN:  # each str's UTF-8 bytes, as ``string`` writes them
            if str in kinds and len(kinds) == 1:  # all at once, in C (no str holds a NUL)
                return _u8("\0".join(values)).split("\0")
            return [_u8(v) if type(v) is str else v for v in values]
        return [_Raw(string(v)) if type(v) is str else v for v in values]

    def lists(values: tuple, level: int) -> _Texts | None:
        """Each list of ``values`` (at ``level``) as its text, when their items, all together,
        are str or records of one class; None otherwise. The brackets are put on the first and
        last items before the join (one copy of the list's text, not three)."""
        items = list(chain.from_iterable(values))
        kinds = set(map(type, items))
        if kinds == _STR_KIND:
            texts = list(map(string, items))
        elif len(kinds) == 1:
            texts = batch(items, level + 1)
            if texts is None:
                return None
        elif not items:
            return _Texts([_EMPTY_LIST] * len(values))
        else:
            return None
        first, sep, last = "[" + pads[level + 1], "," + pads[level + 1], pads[level] + "]"
        written = _Texts()
        add = written.append
        at = 0
        for n in map(len, values):
            if n:
                some = texts[at : at + n]
                some[0] = first + some[0]
                some[-1] += last
                add(sep.join(some))
                at += n
            else:
                add(_EMPTY_LIST)
        return written

    def records(values: tuple, kinds: set[type], level: int) -> _Texts | None:
        """Each of ``values`` (at ``level``) as its text (None as it is), when they are records
        of one class or None; None otherwise."""
        if len(kinds - _NONE_KIND) != 1:
            return None
        if type(None) not in kinds:
            texts = batch(values, level)
            return None if texts is None else _Texts(texts)
        present = [v for v in values if v is not None]
        texts = batch(present, level)
        if texts is None:
            return None
        got = iter(texts)
        return _Texts([None if v is None else next(got) for v in values])

    forms = _Forms(pads, string)
    return out, enc, each


#: Per type of a value, whether it is a str (``map`` at C speed).
_IS_STR = frozenset({str}).__contains__
#: The UTF-8 bytes a JSON string escapes (``"``, backslash, control characters).
_UNSAFE = bytes(range(32)) + b'"\\'


def _plain(strings: Any) -> Any:
    """Whether no string of ``strings`` needs escaping in JSON (each is then its own text
    between quotes: ``_PLAIN``, or ``_ASCII`` when they are all ASCII; else None): one pass over
    them all in C (bytes.translate)."""
    text = "".join(strings)
    data = text.encode("utf-8", "surrogatepass")
    if len(data.translate(None, _UNSAFE)) != len(data):
        return None
    return _ASCII if len(data) == len(text) else _PLAIN


_ASCII, _PLAIN = "ascii", "plain"


def _u8(s: str) -> str:
    """``s`` with each character that is not ASCII as its UTF-8 bytes, one character each."""
    return s.encode("utf-8", _ESCAPED).decode("latin-1")


#: Lone surrogates backslash-escaped, as ``_utf8`` writes them.
_ESCAPED = "backslashreplace"


class _Raw(str):
    """A value's JSON text, written as it is (a str value is written between quotes)."""

    __slots__ = ()


class _Texts(list):
    """A column of JSON texts as plain str (or None): each written as it is, as a ``_Raw``."""

    __slots__ = ()


#: A ``_Texts`` item's type -> the type its layout is made for.
_TEXT_KINDS = {str: _Raw, _Raw: _Raw, type(None): type(None)}


_NONE_KIND = frozenset({type(None)})
_STR_KIND = frozenset({str})
_LIST_KIND = frozenset({list})
#: Values a layout writes as they are.
_PLAIN_KINDS = frozenset({str, int, type(None)})
_BOOL_KINDS = frozenset({bool, type(None)})
_BOOL_TEXTS = {True: _Raw("true"), False: _Raw("false")}
_EMPTY_LIST = _Raw("[]")
#: The text of an empty container, by type.
_EMPTY = {dict: "{}", list: "[]", tuple: "[]"}


class _Forms:
    """Layouts of report records: a record whose values are str needing no escaping, int, None
    or already written (``_Raw``) is written by one join of its layout's texts and its values
    (C speed) instead of an item at a time. A layout is made per class, level and the types
    of a record's values: a str is written between quotes held by the texts around it, an
    int as its text, a text as it is, None as ``null`` in the texts (the value unwritten)."""

    def __init__(self, pads: list[str], string: Any = _string) -> None:
        self.pads = pads
        self.string = string
        self.names: dict[type, tuple[str, ...] | None] = {}  # class -> its field names, or None
        self.made: dict[tuple[Any, ...], tuple[list[str], list[tuple[int, type]]]] = {}

    def rows(self, o: list | tuple) -> tuple[tuple[str, ...], list[dict]] | None:
        """(names, states) when ``o`` holds report records of one class, each state its
        ``__dict__`` holding exactly its fields in order."""
        cls = type(o[0])
        names = self.names.get(cls, ())
        if names == ():
            names = self.names[cls] = field_names(cls)
        if names is None or len(set(map(type, o))) != 1:
            return None
        try:
            states = list(map(vars, o))
        except TypeError:  # no __dict__
            return None
        # Each position's keys counted in C, not a tuple of each record's keys compared (netbox's
        # 2724 fields: 13.0M -> 10.8M instructions for their states, keys and columns).
        counts = list(map(tuple.count, zip(*states), names))
        if set(map(len, states)) != {len(names)} or counts != [len(states)] * len(names):
            return None
        return names, states

    def write(
        self,
        names: tuple[str, ...],
        fixed: tuple[Any, ...],
        varying: list[Any],
        columns: list[Any],
        level: int,
    ) -> list[str]:
        """Each record's text, its brackets at ``level``: ``columns``, each field's values as
        ``column`` gives them; ``fixed``, each field's slot type when all records have the same
        (else None); ``varying``, each record's types of the other fields. The records of one
        signature (the types of their varying fields) are written together (``_join``)."""
        if not varying:
            return self._join(self._layout(names, fixed, level), columns, len(columns[0]))
        signatures = list(zip(*varying))
        groups: dict[tuple[type, ...], list[int]] = {}
        for n, signature in enumerate(signatures):
            rows = groups.get(signature)
            if rows is None:
                rows = groups[signature] = []
            rows.append(n)
        if len(groups) == 1:
            layout = self._layout(names, _types(fixed, signatures[0]), level)
            return self._join(layout, columns, len(signatures))
        out: list[str] = [""] * len(signatures)
        for signature, rows in groups.items():
            layout = self._layout(names, _types(fixed, signature), level)
            take = itemgetter(*rows) if len(rows) > 1 else _one(rows[0])
            for n, text in zip(rows, self._join(layout, columns, len(rows), take)):
                out[n] = text
        return out

    def _join(self, layout: Any, columns: list[Any], count: int, take: Any = None) -> list[str]:
        """The texts of ``count`` records of one signature (``layout``; ``take``: their values
        of a column, when not all of it): each the join of the layout's texts and its values,
        in C (measured: ~3.8k instructions a record of 15 fields, where a ``%`` template reads
        its whole text a character at a time, ~11.8k)."""
        texts, written = layout
        if not written:
            return [texts[0]] * count
        args: list[Any] = []
        for text, (n, slot) in zip(texts, written):
            values = columns[n] if take is None else take(columns[n])
            args.append(repeat(text))
            args.append(map(_INT, values) if slot is int else values)
        args.append(repeat(texts[-1]))
        return list(map("".join, zip(*args)))

    def _layout(
        self, names: tuple[str, ...], types: tuple[type, ...], level: int
    ) -> tuple[list[str], list[tuple[int, type]]]:
        """(texts, written) of records whose fields' slot types are ``types``: the texts around
        the values written (``written``: each field's index and slot type; a None is written
        in the texts as ``null``, a str's quotes too)."""
        key = (names, level, types)
        got = self.made.get(key)
        if got is not None:
            return got
        pad = self.pads[level + 1]
        texts, written, text = [], [], "{"
        for n, (name, t) in enumerate(zip(names, types)):
            text += ("," if n else "") + pad + self.string(_key(name)) + ": "
            if t is _NONE:
                text += "null"
                continue
            texts.append(text + '"' if t is str else text)
            written.append((n, t))
            text = '"' if t is str else ""
        texts.append(text + self.pads[level] + "}")
        got = self.made[key] = (texts, written)
        return got


def _types(fixed: tuple[Any, ...], signature: tuple[type, ...]) -> tuple[type, ...]:
    """``fixed`` with its None (the varying fields') the types of ``signature``, in order."""
    given = iter(signature)
    return tuple(next(given) if t is None else t for t in fixed)


def _one(n: int) -> Any:
    """``itemgetter(n)``'s value in a 1-tuple (as ``itemgetter`` of several rows gives them)."""
    return lambda values: (values[n],)


_NONE = type(None)


#: Fewer records than this: written item by item (a layout's fixed costs outweigh it).
_TABLE_MIN = 32


#: ``"\n"`` and two spaces per level.
PADS = ["\n", "\n  ", "\n    "]


class _Prefixes(dict):
    """key -> its prefix at one level: ``","``, newline and indent, key text, ``": "``."""

    def __init__(self, pad: str, string: Any = _string) -> None:
        super().__init__()
        self.pad = pad
        self.string = string

    def __missing__(self, k: Any) -> str:
        text = "," + self.pad + self.string(_key(k)) + ": "
        if type(k) is str:  # a str key is never equal to another type's
            self[k] = text
        return text
