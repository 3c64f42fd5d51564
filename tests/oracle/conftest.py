"""Session fixtures: each oracle scenario is booted once (Django in a subprocess)."""

from __future__ import annotations

import pytest

from .harness import (
    MORE_PACKAGES,
    WAGTAIL,
    Scenario,
    build_more_packages,
    build_packages,
    build_shop,
    build_wagtail,
    missing_modules,
)

MISSING = missing_modules()
SKIP_REASON = (
    f"oracle tests need {', '.join(MISSING)} (pip install -e '.[test]')" if MISSING else ""
)


def _skip_unless_installed(names: tuple[str, ...]) -> None:
    missing = missing_modules(("django", *names))
    if missing:
        pytest.skip(f"oracle tests need {', '.join(missing)} (pip install -e '.[test]')")


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


@pytest.fixture(scope="session")
def more_packages(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    _skip_unless_installed(MORE_PACKAGES[0])
    return build_more_packages(tmp_path_factory.mktemp("more_packages"))


@pytest.fixture(scope="session")
def wagtail(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    _skip_unless_installed(WAGTAIL[0])
    return build_wagtail(tmp_path_factory.mktemp("wagtail"))


@pytest.fixture(scope="session", params=["shop", "packages", "more_packages", "wagtail"])
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return request.getfixturevalue(request.param)


def _user_project(factory: pytest.TempPathFactory, name: str) -> Scenario:
    from .user_projects import NEEDS, build_user_project

    _skip_unless_installed(NEEDS[name])
    return build_user_project(factory.mktemp(name), name)


@pytest.fixture(scope="session", params=["contribproj", "wagtailproj", "fieldsproj"])
def user_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A user project (tests/fixtures/user_projects) booted, migrated and exported."""
    return _user_project(tmp_path_factory, request.param)
