"""scripts/check_build.py on small sam-build-shaped trees: it passes a clean one and names each fault."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


def load_check_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_build", ROOT / "scripts" / "check_build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_build"] = module
    spec.loader.exec_module(module)
    return module


check_build = load_check_build()


def distribution(site: Path, name: str, requires: list[str], files: list[str]) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "\n".join(
            [
                "Metadata-Version: 2.1",
                f"Name: {name}",
                "Version: 1.0",
                *(f"Requires-Dist: {r}" for r in requires),
            ]
        )
        + "\n"
    )
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in [*files, f"{info.name}/METADATA"]))
    for file in files:
        (site / file).parent.mkdir(parents=True, exist_ok=True)
        (site / file).write_text("")


@pytest.fixture
def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A layer of trackguard and one requirement ('alpha', which needs 'beta' on Linux), one function."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# the layer's\nalpha==1.0\n")
    monkeypatch.setattr(check_build, "REQUIREMENTS", requirements)
    site = tmp_path / "build" / "SharedLayer" / "python"
    (site / "trackguard").mkdir(parents=True)
    (site / "trackguard" / "__init__.py").write_text("")
    distribution(
        site,
        "alpha",
        ['beta>=1; sys_platform == "linux"', 'gamma; sys_platform == "win32"'],
        ["alpha/__init__.py"],
    )
    distribution(site, "beta", [], ["beta.py"])
    function = tmp_path / "build" / "HealthFunction"
    function.mkdir()
    (function / "app.py").write_bytes((ROOT / "functions" / "health" / "app.py").read_bytes())
    return tmp_path / "build"


def test_a_clean_build_passes(build: Path) -> None:
    assert check_build.check(build, compiled=False) == []


def test_the_dev_package_in_the_layer_is_refused(build: Path) -> None:
    (build / "SharedLayer" / "python" / "trackguard_dev").mkdir()

    assert check_build.check(build, compiled=False) == [
        "trackguard_dev belongs to no requirement",
        "the layer must hold trackguard and not trackguard_dev",
    ]


def test_a_distribution_no_requirement_brings_is_refused(build: Path) -> None:
    distribution(build / "SharedLayer" / "python", "gamma", [], ["gamma.py"])

    assert check_build.check(build, compiled=False) == ["gamma is in the layer but no requirement brings it"]


def test_a_missing_dependency_is_refused(build: Path) -> None:
    for path in sorted((build / "SharedLayer" / "python").glob("beta*"), reverse=True):
        if path.is_dir():
            for child in path.iterdir():
                child.unlink()
            path.rmdir()
        else:
            path.unlink()

    assert check_build.check(build, compiled=False) == [
        'beta>=1; sys_platform == "linux" is required but not in the layer'
    ]


def test_bytecode_is_there_exactly_when_asked_for(build: Path) -> None:
    site = build / "SharedLayer" / "python"

    assert check_build.check(build, compiled=True)[0].startswith(
        "3 of 3 modules have no cpython-312 bytecode"
    )
    for module in site.rglob("*.py"):
        (module.parent / "__pycache__").mkdir(exist_ok=True)
        (module.parent / "__pycache__" / f"{module.stem}.cpython-312.pyc").write_bytes(b"")
    assert check_build.check(build, compiled=True) == []
    assert check_build.check(build, compiled=False)[0].startswith(
        "3 .pyc files in a build that was not asked"
    )


def test_a_function_holding_more_than_its_handler_is_refused(build: Path) -> None:
    (build / "HealthFunction" / "extra.py").write_text("")

    assert check_build.check(build, compiled=False) == ["HealthFunction holds ['extra.py']"]


def test_over_lambdas_limit_is_refused(build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_build, "LAMBDA_UNZIPPED_LIMIT", 10)

    [problem] = check_build.check(build, compiled=False)
    assert problem.startswith("HealthFunction with the layer is ")
