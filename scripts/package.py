"""`make package`: the Lambda layer and one zip per function, as they would be deployed, with their sizes.

The layer is built for Lambda (python3.12, arm64 manylinux wheels only) from shared/requirements.txt,
plus the trackguard package. Distributions the Lambda runtime already provides (boto3 and what it
brings, pulled in here by the X-Ray SDK) are removed again, and so are console scripts (their shebangs
name this machine's Python). The layer is then compiled to bytecode by Python 3.12 (``$PYTHON312``) with
unchecked hashes: Lambda mounts it read-only, so without bytecode every cold start compiles each module it
imports (`python -m bench.cold_start` measures both), and timestamp-checked bytecode would be stale there.
Fails when the layer's sources reach 20 MiB unzipped (the bytecode, about half as much again, aside).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
LAYER_DIR = BUILD / "layer"
SITE_PACKAGES = LAYER_DIR / "python"
LAYER_LIMIT_BYTES = 20 * 1024 * 1024
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "python_dateutil", "six", "urllib3")
SKIPPED_PARTS = {"__pycache__"}  # in the function zips: only the layer is compiled
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Artifact:
    name: str
    path: Path
    files: int
    unzipped_bytes: int
    zipped_bytes: int


def install_dependencies() -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--platform",
            "manylinux2014_aarch64",
            "--python-version",
            "3.12",
            "--implementation",
            "cp",
            "--only-binary=:all:",
            "--target",
            str(SITE_PACKAGES),
            "-r",
            str(ROOT / "shared" / "requirements.txt"),
        ],
        check=True,
    )


def normalized(distribution: str) -> str:
    return distribution.lower().replace("-", "_")


def remove_distribution(dist_info: Path) -> None:
    """Delete every file a distribution's RECORD lists, then its emptied directories."""
    directories: set[Path] = set()
    for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
        installed = (SITE_PACKAGES / line.split(",", 1)[0]).resolve()
        if installed.is_relative_to(SITE_PACKAGES.resolve()) and installed.is_file():
            installed.unlink()
            directories.add(installed.parent)
    for directory in sorted(directories, key=lambda path: len(path.parts), reverse=True):
        remove_empty_directories(directory)
    shutil.rmtree(dist_info, ignore_errors=True)


def remove_empty_directories(directory: Path) -> None:
    """Remove `directory` and then each parent left empty, up to the site-packages root."""
    root = SITE_PACKAGES.resolve()
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def remove_runtime_provided() -> list[str]:
    removed = []
    for dist_info in sorted(SITE_PACKAGES.glob("*.dist-info")):
        name = normalized(dist_info.name.split("-", 1)[0])
        if name in RUNTIME_PROVIDED:
            remove_distribution(dist_info)
            removed.append(name)
    return removed


def copy_package() -> None:
    shutil.copytree(
        ROOT / "shared" / "trackguard",
        SITE_PACKAGES / "trackguard",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )


def compile_layer() -> None:
    python312 = os.environ.get("PYTHON312")
    if not python312:
        raise SystemExit("the layer is compiled for Lambda's Python: set PYTHON312 (make package does)")
    subprocess.run(
        [
            python312,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(SITE_PACKAGES),
        ],
        check=True,
    )


def build_layer() -> list[str]:
    shutil.rmtree(LAYER_DIR, ignore_errors=True)
    SITE_PACKAGES.mkdir(parents=True)
    install_dependencies()
    removed = remove_runtime_provided()
    shutil.rmtree(SITE_PACKAGES / "bin", ignore_errors=True)
    copy_package()
    compile_layer()
    return removed


def files_of(directory: Path, skipped: set[str]) -> list[Path]:
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and not skipped.intersection(path.relative_to(directory).parts)
    )


def zip_tree(name: str, directory: Path, destination: Path, skipped: set[str] = SKIPPED_PARTS) -> Artifact:
    """A reproducible zip of a directory's files (sorted entries, fixed timestamps)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    files = files_of(directory, skipped)
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=FIXED_TIMESTAMP)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    return Artifact(
        name=name,
        path=destination,
        files=len(files),
        unzipped_bytes=sum(path.stat().st_size for path in files),
        zipped_bytes=destination.stat().st_size,
    )


def function_dirs() -> list[Path]:
    return sorted(path.parent for path in (ROOT / "functions").glob("*/app.py"))


def readable(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:8.1f} KiB"
    return f"{size / 1024 / 1024:8.2f} MiB"


def print_table(artifacts: list[Artifact]) -> None:
    width = max(len(artifact.name) for artifact in artifacts)
    print(f"{'artifact':<{width}}  {'files':>6}  {'unzipped':>12}  {'zipped':>12}  path")
    for artifact in artifacts:
        print(
            f"{artifact.name:<{width}}  {artifact.files:>6}  {readable(artifact.unzipped_bytes)}"
            f"  {readable(artifact.zipped_bytes)}  {artifact.path.relative_to(ROOT)}"
        )


def main() -> int:
    removed = build_layer()
    layer = zip_tree("layer", LAYER_DIR, BUILD / "layer.zip", skipped=set())
    functions = [
        zip_tree(directory.name, directory, BUILD / "functions" / f"{directory.name}.zip")
        for directory in function_dirs()
    ]
    print_table([layer, *functions])
    if removed:
        print(f"left to the Lambda runtime: {', '.join(removed)}")
    source_bytes = sum(path.stat().st_size for path in files_of(LAYER_DIR, SKIPPED_PARTS))
    print(f"layer bytecode: {readable(layer.unzipped_bytes - source_bytes).strip()} of the unzipped size")
    if source_bytes >= LAYER_LIMIT_BYTES:
        print(
            f"the layer's sources are {readable(source_bytes).strip()} unzipped: "
            f"the budget is under {readable(LAYER_LIMIT_BYTES).strip()} (bytecode aside)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
