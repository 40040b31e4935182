"""The Lambda layer and functions as deployed: `make build`'s output, for the benchmarks that run code the
way Lambda does.

`make build` runs `sam build` (BuildMethod python3.12: `pip install -r shared/requirements.txt` plus a copy
of `shared/`) and then compiles the layer for 3.12 with `--invalidation-mode unchecked-hash` (Lambda's file
times differ from the build's, so timestamp-checked bytecode would be recompiled on every cold start).
`make bench` builds first; the benchmarks read `.aws-sam/build`.

From the built layer come two variants, each a copy that the benchmarks only read: `compiled` (as `make
build` ships it) and `source` (every `__pycache__` removed, as `sam build` alone leaves it), so the
decision to ship bytecode stays measured. The layer is built for the template's arm64; on a machine of
another architecture its native extensions (pydantic_core, wrapt) are swapped for the same versions'
builds for this machine, and every other file stays as built. `runtime/` stands in for Lambda's own
/var/runtime: boto3 and s3transfer, compiled, behind the layer on sys.path (the layer's botocore shadows
the runtime's, as in Lambda).
"""

from __future__ import annotations

import glob
import hashlib
import os
import platform
import shutil
import subprocess
from pathlib import Path

from bench.support import ROOT, function_spec

PYTHON312_CANDIDATES = (
    "/usr/bin/python3.12",
    "/usr/local/bin/python3.12",
    "~/.pyenv/versions/3.12*/bin/python3.12",
)
BUILD = ROOT / "build" / "bench"
SAM_BUILD = ROOT / ".aws-sam" / "build"
BUILT_LAYER = SAM_BUILD / "SharedLayer" / "python"
RUNTIME_PACKAGES = ("boto3==1.44.8", "s3transfer==0.19.3")  # what Lambda's python3.12 runtime brings
VARIANTS = ("source", "compiled")
SHIPPED_VARIANT = "compiled"  # make build compiles the layer (Makefile: COMPILE_BYTECODE=1)
PIP_TIMEOUT_SECONDS = 600
COMPILE_TIMEOUT_SECONDS = 300


class NotBuiltError(RuntimeError):
    """The benchmarks measure what `make build` built; without its output there is nothing to measure."""


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


def built_layer() -> Path:
    """The layer's `python/` folder as `make build` left it, checked to be compiled as it ships."""
    if not (BUILT_LAYER / "trackguard").is_dir():
        raise NotBuiltError(f"{BUILT_LAYER} is missing: run `make build` (make bench does)")
    if not bytecode_files(BUILT_LAYER / "trackguard"):
        raise NotBuiltError(f"{BUILT_LAYER} has no bytecode: build it as it ships (COMPILE_BYTECODE=1)")
    return BUILT_LAYER


def deployed_layers() -> dict[str, Path]:
    """Each variant's layer folder (a fresh copy of the built layer), by variant name."""
    built = built_layer()
    layers = {variant: BUILD / variant / "python" for variant in VARIANTS}
    shutil.rmtree(layers["compiled"], ignore_errors=True)
    shutil.copytree(built, layers["compiled"])
    _replace(layers["source"], built)
    for layer in layers.values():
        _swap_foreign_extensions(layer)
    return layers


def _swap_foreign_extensions(layer: Path) -> None:
    """Replace each native extension built for another machine by this machine's build of its version."""
    machine = platform.machine()
    foreign = [path for path in layer.rglob("*-linux-gnu.so") if f"-{machine}-" not in path.name]
    if not foreign:
        return
    pins = sorted({_distribution_of(layer, path) for path in foreign})
    host = _installed("host-extensions", ["--no-deps", "--only-binary=:all:", *pins], " ".join(pins).encode())
    for path in foreign:
        module, _, _ = path.name.partition(".")
        relative = path.parent.relative_to(layer)
        replacements = sorted((host / relative).glob(f"{module}.*-{machine}-linux-gnu.so"))
        if len(replacements) != 1:
            raise NotBuiltError(f"no {machine} build of {relative / path.name} in {pins}")
        path.unlink()
        shutil.copy2(replacements[0], path.parent / replacements[0].name)


def _distribution_of(layer: Path, extension: Path) -> str:
    """`name==version` of the installed distribution whose RECORD lists the file."""
    relative = extension.relative_to(layer).as_posix()
    for record in layer.glob("*.dist-info/RECORD"):
        if any(line.split(",", 1)[0] == relative for line in record.read_text().splitlines()):
            name, _, version = record.parent.name.removesuffix(".dist-info").rpartition("-")
            return f"{name}=={version}"
    raise NotBuiltError(f"no distribution in {layer} records {relative}")


def runtime_directory() -> Path:
    """Lambda's /var/runtime stand-in: the runtime's boto3, compiled (the runtime image ships bytecode)."""
    runtime = _installed("runtime", ["--no-deps", *RUNTIME_PACKAGES], " ".join(RUNTIME_PACKAGES).encode())
    _compile(runtime)
    return runtime


def task_root(directory: str) -> Path:
    """functions/<directory> as `sam build` built it (source only: Lambda compiles nothing into it)."""
    built = SAM_BUILD / function_spec(directory).logical_id
    if not (built / "app.py").is_file():
        raise NotBuiltError(f"{built} is missing: run `make build` (make bench does)")
    root = BUILD / "functions" / directory
    _replace(root, built)
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
