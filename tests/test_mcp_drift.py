"""The MCP ``drift`` tool (migrations/mcp.py) through the SDK's real ``Client``: operations per
app with the model's file:line, the app filter, an unknown app as a tool error, and a tree
re-read after a migration is added."""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from migjoin_tree import SECOND, add_subtitle, library_tree
from treeutil import write_tree

pytest.importorskip("mcp")

from mcp import Client  # noqa: E402

from djatlas.query.server import Session, build_server  # noqa: E402


def run(coro_fn):
    import anyio

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, coro_fn).result()


def test_drift_tool(tmp_path: Path) -> None:
    root = library_tree(tmp_path / "t")
    session = Session(str(root), argparse.Namespace(quiet=True, cache_dir=str(tmp_path / "c")))

    async def main() -> None:
        async with Client(build_server(session)) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert tools["drift"].annotations.read_only_hint is True
            assert set(tools["drift"].input_schema["properties"]) == {"app"}

            async def call(**arguments):
                result = await client.call_tool("drift", arguments)
                assert not result.is_error, result.content
                return result.structured_content

            clean = await call()
            assert (clean["drift"], clean["apps"], clean["apps_checked"]) == (
                False,
                [],
                ["library"],
            )
            add_subtitle(root, with_migration=False)
            found = await call(app="library")
            assert found["drift"] is True
            ((group),) = found["apps"]
            assert group["app_label"] == "library"
            assert [
                (o["op"], o["model"], o["field"], o["location"]) for o in group["operations"]
            ] == [("AddField", "book", "subtitle", "library/models.py:10")]
            assert group["operations"][0]["app_label"] == "library"

            bad = await client.call_tool("drift", {"app": "nope"})
            assert bad.is_error and "no app 'nope'" in bad.content[0].text

            write_tree(root, {"library/migrations/0002_book_subtitle.py": SECOND})
            assert (await call())["drift"] is False

    run(main)
