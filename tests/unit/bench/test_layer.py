"""The cold-start bench runs make build's layer; on a machine of another architecture, each native
extension is traced to the distribution that installed it, so that version's build for here replaces it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import layer


def installed(layer_dir: Path, distribution: str, files: list[str]) -> None:
    for relative in files:
        (layer_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (layer_dir / relative).write_bytes(b"")
    record = layer_dir / f"{distribution}.dist-info" / "RECORD"
    record.parent.mkdir(parents=True)
    record.write_text("".join(f"{relative},sha256=x,0\n" for relative in files), encoding="utf-8")


def test_an_extension_is_traced_to_the_distribution_that_recorded_it(tmp_path: Path) -> None:
    extension = "pydantic_core/_pydantic_core.cpython-312-aarch64-linux-gnu.so"
    installed(tmp_path, "pydantic_core-2.41.5", ["pydantic_core/__init__.py", extension])
    installed(tmp_path, "wrapt-1.17.3", ["wrapt/_wrappers.cpython-312-aarch64-linux-gnu.so"])

    assert layer._distribution_of(tmp_path, tmp_path / extension) == "pydantic_core==2.41.5"


def test_an_extension_no_distribution_recorded_stops_the_bench(tmp_path: Path) -> None:
    stray = tmp_path / "stray" / "_native.cpython-312-aarch64-linux-gnu.so"
    stray.parent.mkdir()
    stray.write_bytes(b"")

    with pytest.raises(layer.NotBuiltError, match="records stray/_native"):
        layer._distribution_of(tmp_path, stray)


def test_a_missing_build_says_to_run_make_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(layer, "BUILT_LAYER", tmp_path / "python")

    with pytest.raises(layer.NotBuiltError, match="run `make build`"):
        layer.built_layer()


def test_a_build_without_bytecode_is_not_taken_for_what_ships(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "python" / "trackguard").mkdir(parents=True)
    (tmp_path / "python" / "trackguard" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(layer, "BUILT_LAYER", tmp_path / "python")

    with pytest.raises(layer.NotBuiltError, match="no bytecode"):
        layer.built_layer()
