"""Session fixtures: each oracle scenario is booted once (Django in a subprocess)."""

from __future__ import annotations

import pytest

from .harness import Scenario, build_packages, build_shop, missing_modules

MISSING = missing_modules()
SKIP_REASON = (
    f"oracle tests need {', '.join(MISSING)} (pip install -e '.[test]')" if MISSING else ""
)


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    if "django" in MISSING:
        pytest.skip(SKIP_REASON)
    return build_shop(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    if MISSING:
        pytest.skip(SKIP_REASON)
    return build_packages(tmp_path_factory.mktemp("packages"))


@pytest.fixture(scope="session", params=["shop", "packages"])
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return request.getfixturevalue(request.param)
