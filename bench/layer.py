"""The Lambda layer as deployed, for the benchmarks that run code the way Lambda does.

`sam build` (BuildMethod python3.12) makes the layer's `python/` folder from `pip install -r
shared/requirements.txt` plus a copy of `shared/`, with no bytecode. Until the benchmarks take `make
build`'s output, the bench builds the same folder itself on Python 3.12 (`SOURCE_LAYER` is the one line
that chooses). The installed dependencies are cached by the requirements' text; the trackguard package is
copied fresh on every build.

From that folder come two variants, each a copy that the benchmarks only read: `source` (every
`__pycache__` removed, as built) and `compiled` (bytecode for 3.12 with `--invalidation-mode
unchecked-hash`: Lambda's file times differ from the build's, so timestamp-checked bytecode would be
recompiled on every cold start). `runtime/` stands in for Lambda's own /var/runtime: boto3 and s3transfer,
compiled, behind the layer on sys.path (the layer's botocore shadows the runtime's, as in Lambda).
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from bench.support import FUNCTIONS, LAYER_REQUIREMENTS, ROOT

PYTHON312_CANDIDATES = (
    "/usr/bin/python3.12",
    "/usr/local/bin/python3.12",
    "~/.pyenv/versions/3.12*/bin/python3.12",
)
BUILD = ROOT / "build" / "bench"
SHARED = ROOT / "shared"
RUNTIME_PACKAGES = ("boto3==1.44.8", "s3transfer==0.19.3")  # what Lambda's python3.12 runtime brings
VARIANTS = ("source", "compiled")
SHIPPED_VARIANT = "compiled"  # make build compiles the layer (Makefile: COMPILE_BYTECODE=1)
PIP_TIMEOUT_SECONDS = 600
COMPILE_TIMEOUT_SECONDS = 300


def python312() -> str:
    """Lambda's Python: `$PYTHON312`, else the first python3.12 found."""
    configured = os.environ.get("PYTHON312")
    if configured:
        return configured
    for pattern in PYTHON312_CANDIDATES:
        found = sorted(glob.glob(os.path.expanduser(pattern)))
        if found:
            return found[-1]
    raise FileNotFoundError("the deployed benchmarks need Python 3.12 (pyenv install 3.12, or set PYTHON312)")


def sam_style_layer() -> Path:
    """The layer's `python/` folder built as `sam build`'s python3.12 BuildMethod builds it."""
    dependencies = _installed(
        "layer-dependencies", ["-r", str(LAYER_REQUIREMENTS)], LAYER_REQUIREMENTS.read_bytes()
    )
    layer = BUILD / "layer" / "python"
    _replace(layer, dependencies)
    shutil.copytree(SHARED, layer, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), dirs_exist_ok=True)
    return layer


SOURCE_LAYER: Callable[[], Path] = (
    sam_style_layer  # `make build`'s: lambda: ROOT / ".aws-sam/build/SharedLayer/python"
)


def deployed_layers() -> dict[str, Path]:
    """Each variant's layer folder (a fresh copy of `SOURCE_LAYER()`), by variant name."""
    built = SOURCE_LAYER()
    layers = {variant: BUILD / variant / "python" for variant in VARIANTS}
    for layer in layers.values():
        _replace(layer, built)
    _compile(layers["compiled"])
    return layers


def runtime_directory() -> Path:
    """Lambda's /var/runtime stand-in: the runtime's boto3, compiled (the runtime image ships bytecode)."""
    runtime = _installed("runtime", ["--no-deps", *RUNTIME_PACKAGES], " ".join(RUNTIME_PACKAGES).encode())
    _compile(runtime)
    return runtime


def task_root(directory: str) -> Path:
    """functions/<directory> as deployed: its source, no bytecode."""
    root = BUILD / "functions" / directory
    _replace(root, FUNCTIONS / directory)
    return root


def bytecode_files(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.pyc"))


def _installed(name: str, arguments: list[str], key: bytes) -> Path:
    """`pip install --target` on Python 3.12, once per distinct `key` (kept under build/bench)."""
    target = BUILD / "cache" / f"{name}-{hashlib.sha256(key).hexdigest()[:16]}"
    if not (target / ".complete").is_file():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [
                python312(),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-compile",
                "--target",
                str(target),
                *arguments,
            ],
            check=True,
            timeout=PIP_TIMEOUT_SECONDS,
            capture_output=True,
        )
        (target / ".complete").touch()
    return target


def _replace(destination: Path, source: Path) -> None:
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".complete"))


def _compile(folder: Path) -> None:
    subprocess.run(
        [
            python312(),
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(folder),
        ],
        check=True,
        timeout=COMPILE_TIMEOUT_SECONDS,
        capture_output=True,
    )
