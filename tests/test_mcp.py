"""``djatlas mcp``: the server through the SDK's real ``Client`` — in-process for every tool,
and once as a stdio subprocess; tool names, parameter names and schemas are asserted, errors
are MCP tool errors, and an edited tree is re-read."""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from treeutil import write_tree

pytest.importorskip("mcp")

import anyio  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402

from djatlas import __version__  # noqa: E402
from djatlas.query.server import Session, build_server  # noqa: E402

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"

#: tool -> (required parameters, optional parameters)
PARAMETERS = {
    "list_apps": (set(), set()),
    "list_models": (set(), {"app"}),
    "show_model": ({"model"}, set()),
    "find": ({"pattern"}, {"kind", "field_type", "app", "null", "target", "limit"}),
    "impact": ({"model"}, {"depth"}),
    "path": ({"source", "target"}, {"max_steps", "limit"}),
    "diagram": (set(), {"app", "model", "depth"}),
    "summary": (set(), set()),
    "drift": (set(), {"app"}),
}


def run(coro_fn, *args):
    """``anyio.run`` in a thread of its own (a browser test may leave an event loop running in
    the main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, coro_fn, *args).result()


def server_for(path: Path, cache: Path):
    return build_server(Session(str(path), argparse.Namespace(quiet=True, cache_dir=str(cache))))


async def _tools(client: Client) -> dict:
    return {t.name: t for t in (await client.list_tools()).tools}


def assert_tools(tools: dict) -> None:
    assert set(tools) == set(PARAMETERS)
    for name, (required, optional) in PARAMETERS.items():
        schema = tools[name].input_schema
        assert set(schema.get("required", [])) == required, name
        assert set(schema["properties"]) == required | optional, name
        assert tools[name].annotations.read_only_hint is True
        assert tools[name].description
    assert tools["impact"].input_schema["properties"]["model"]["type"] == "string"
    assert tools["find"].input_schema["properties"]["kind"]["anyOf"][0]["type"] == "array"


def test_every_tool_in_process(tmp_path: Path) -> None:
    async def main() -> None:
        async with Client(server_for(SHOP, tmp_path)) as client:
            assert client.server_info.name == "djatlas"
            assert client.server_info.version == __version__
            assert_tools(await _tools(client))

            async def call(name: str, **arguments):
                result = await client.call_tool(name, arguments)
                assert not result.is_error, result.content
                return result.structured_content

            apps = await call("list_apps")
            assert {
                "label": "orders",
                "name": "orders",
                "config": "orders.apps.OrdersConfig",
                "models": 8,
            } in apps["apps"]
            models = (await call("list_models", app="accounts"))["models"]
            assert [m["label"] for m in models] == [
                "accounts.User",
                "accounts.Profile",
                "accounts.Address",
            ]
            assert models[0]["location"] == "accounts/models.py:9"
            shown = await call("show_model", model="Order")
            assert shown["label"] == "orders.Order" and shown["location"] == "orders/models.py:18"
            found = await call("find", pattern="status", kind=["field"])
            assert [(h["model"], h["location"]) for h in found["results"]] == [
                ("orders.Order", "orders/models.py:30")
            ]
            impact = await call("impact", model="accounts.User")
            assert impact["accounts.User"]["protect"] == [
                "orders.Cart.owner",
                "orders.Order.customer",
                "shop_catalog.Product.owner",
            ]
            paths = await call("path", source="accounts.User", target="Product")
            assert paths["paths"][0]["lookup"] == "shop_catalog_product_owned"
            diagram = await call("diagram", app="orders")
            assert diagram["mermaid"].startswith("erDiagram")
            assert "orders__Order" in diagram["mermaid"]
            near = await call("diagram", model="Payment", depth=1)
            assert "orders__Order" in near["mermaid"] and "accounts__User" not in near["mermaid"]
            summary = await call("summary")
            assert summary["summary"]["models"] == 20 and summary["tool"]["name"] == "djatlas"

            for name, arguments in (
                ("show_model", {"model": "Nope"}),
                ("impact", {"model": "Nope"}),
                ("list_models", {"app": "nope"}),
                ("diagram", {"app": "nope"}),
                ("path", {"source": "Order"}),
            ):
                result = await client.call_tool(name, arguments)
                assert result.is_error, name
                assert result.content[0].text

    run(main)


def test_the_tree_is_re_read_when_it_changes(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_tree(
        tree,
        {
            "shop/__init__.py": "",
            "shop/models.py": """
        from django.db import models


        class Product(models.Model):
            name = models.CharField(max_length=20)
    """,
        },
    )

    async def main() -> None:
        async with Client(server_for(tree, tmp_path / "cache")) as client:
            first = await client.call_tool("list_models", {})
            assert [m["label"] for m in first.structured_content["models"]] == ["shop.Product"]
            models = tree / "shop" / "models.py"
            models.write_text(models.read_text() + "\n\nclass Order(models.Model):\n    pass\n")
            second = await client.call_tool("list_models", {})
            assert [m["label"] for m in second.structured_content["models"]] == [
                "shop.Product",
                "shop.Order",
            ]

    run(main)


def test_stdio_subprocess(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "djatlas", "mcp", str(SHOP), "--cache-dir", str(tmp_path)],
    )

    async def main() -> None:
        async with Client(params) as client:
            assert client.server_info.version == __version__
            tools = await _tools(client)
            assert_tools(tools)
            arguments = {
                "list_apps": {},
                "list_models": {"app": "orders"},
                "show_model": {"model": "Cart"},
                "find": {"pattern": "*line*"},
                "impact": {"model": "orders.Order"},
                "path": {"source": "orders.Payment", "target": "accounts.User"},
                "diagram": {"model": "Order"},
                "summary": {},
                "drift": {},
            }
            for name in tools:
                result = await client.call_tool(name, arguments[name])
                assert not result.is_error, (name, result.content)
                assert json.loads(result.content[0].text) == result.structured_content

    run(main)


def test_cli_without_a_tree(capsys) -> None:
    from djatlas.cli import main

    assert main(["mcp", "/nonexistent/tree"]) == 2
    assert "path not found" in capsys.readouterr().err
