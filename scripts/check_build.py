"""`make build`'s check of what `sam build` built, before anything is deployed from it.

- The layer holds only the ``trackguard`` runtime package and the distributions shared/requirements.txt
  brings (its closure, markers read for Lambda's Python 3.12 on arm64): no ``trackguard_dev``, nothing
  a requirement does not pull in, nothing a requirement needs missing.
- Each function holds only its own handler directory's files.
- The layer with any one function fits Lambda's 250 MB unzipped limit (function + layers).
- Bytecode is there exactly when asked for (``--compiled``): a ``.pyc`` for CPython 3.12 beside every module.

It prints the sizes and file counts (the layer's, botocore's share of it, each function's) and exits 1
naming every problem it found.

    python scripts/check_build.py .aws-sam/build [--compiled]
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import Distribution, distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "shared" / "requirements.txt"
LAYER = "SharedLayer"
RUNTIME_PACKAGE = "trackguard"
DEV_PACKAGE = "trackguard_dev"
# sam build copies the layer's ContentUri (shared/) whole, its requirements file included.
COPIED_SOURCES = {RUNTIME_PACKAGE, "requirements.txt"}
LAMBDA_UNZIPPED_LIMIT = 262_144_000  # 250 MB: a function and all its layers, unzipped
BYTECODE_TAG = "cpython-312"
LAMBDA_MARKERS = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "platform_machine": "aarch64",
}
MIB = 1024 * 1024


@dataclass(frozen=True)
class Tree:
    files: int
    unzipped: int

    @classmethod
    def of(cls, directory: Path) -> Tree:
        paths = [path for path in directory.rglob("*") if path.is_file()]
        return cls(len(paths), sum(path.stat().st_size for path in paths))


def zipped_size(directory: Path) -> int:
    """What `sam deploy` uploads: the directory deflated into one archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory))
    return buffer.tell()


def requirement_closure(roots: Iterable[Requirement], installed: dict[str, Distribution]) -> set[str]:
    """Every distribution the root requirements pull in on Lambda; raises naming a missing one."""
    wanted: set[str] = set()
    pending = list(roots)
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name not in installed:
            raise LookupError(f"{requirement} is required but not in the layer")
        if name in wanted and not requirement.extras:
            continue
        wanted.add(name)
        extras = {"", *requirement.extras}
        for text in installed[name].requires or []:
            dependency = Requirement(text)
            marker = dependency.marker
            if marker is None or any(marker.evaluate({**LAMBDA_MARKERS, "extra": e}) for e in extras):
                pending.append(dependency)
    return wanted


def top_level_names(distribution: Distribution) -> set[str]:
    return {Path(str(file)).parts[0] for file in distribution.files or []}


def layer_problems(site: Path) -> list[str]:
    installed = {canonicalize_name(d.metadata["Name"]): d for d in distributions(path=[str(site)])}
    roots = [
        Requirement(line)
        for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    try:
        wanted = requirement_closure(roots, installed)
    except LookupError as error:
        return [str(error)]
    unwanted = sorted(set(installed) - wanted)
    problems = [f"{name} is in the layer but no requirement brings it" for name in unwanted]
    owned = set().union(*(top_level_names(d) for d in installed.values())) | COPIED_SOURCES | {"__pycache__"}
    strays = sorted(entry.name for entry in site.iterdir() if entry.name not in owned)
    problems += [f"{name} belongs to no requirement" for name in strays]
    if (site / DEV_PACKAGE).exists() or not (site / RUNTIME_PACKAGE / "__init__.py").is_file():
        problems.append(f"the layer must hold {RUNTIME_PACKAGE} and not {DEV_PACKAGE}")
    return problems


def bytecode_problems(site: Path, compiled: bool) -> list[str]:
    modules = list(site.rglob("*.py"))
    missing = [m for m in modules if not (m.parent / "__pycache__" / f"{m.stem}.{BYTECODE_TAG}.pyc").exists()]
    stray = list(site.rglob("*.pyc"))
    if compiled and missing:
        count = f"{len(missing)} of {len(modules)} modules"
        return [f"{count} have no {BYTECODE_TAG} bytecode, e.g. {missing[0]}"]
    if not compiled and stray:
        return [f"{len(stray)} .pyc files in a build that was not asked to compile, e.g. {stray[0]}"]
    return []


def files_under(directory: Path) -> set[Path]:
    return {
        p.relative_to(directory) for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }


def function_problems(function: Path) -> list[str]:
    """A built function holds its handler directory and nothing else (its code comes from the layer)."""
    handler = (function / "app.py").read_bytes()
    sources = [d for d in (ROOT / "functions").iterdir() if (d / "app.py").read_bytes() == handler]
    if len(sources) != 1:
        return [f"{function.name} is not the build of one functions/ directory"]
    expected = files_under(sources[0])
    built = files_under(function)
    return [f"{function.name} holds {sorted(map(str, built - expected))}"] if built != expected else []


def check(build: Path, compiled: bool) -> list[str]:
    layer_dir = build / LAYER
    site = layer_dir / "python"
    if not site.is_dir():
        return [f"no layer at {site}: run sam build first"]
    problems = layer_problems(site) + bytecode_problems(site, compiled)
    layer = Tree.of(layer_dir)
    botocore = Tree.of(site / "botocore") if (site / "botocore").is_dir() else Tree(0, 0)
    print(
        f"layer: {layer.files} files, {layer.unzipped / MIB:.1f} MiB unzipped, "
        f"{zipped_size(layer_dir) / MIB:.1f} MiB zipped; botocore {botocore.files} files, "
        f"{botocore.unzipped / MIB:.1f} MiB; bytecode {'compiled' if compiled else 'not compiled'}"
    )
    functions = sorted(d for d in build.iterdir() if d.is_dir() and (d / "app.py").is_file())
    if not functions:
        problems.append(f"no function in {build}")
    for function in functions:
        tree = Tree.of(function)
        total = tree.unzipped + layer.unzipped
        print(f"{function.name}: {tree.files} files, {tree.unzipped} B; with the layer {total / MIB:.1f} MiB")
        problems += function_problems(function)
        if total > LAMBDA_UNZIPPED_LIMIT:
            problems.append(f"{function.name} with the layer is {total} bytes, over {LAMBDA_UNZIPPED_LIMIT}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("build_dir", type=Path)
    parser.add_argument("--compiled", action="store_true", help="the layer was compiled to bytecode")
    args = parser.parse_args()
    problems = check(args.build_dir, args.compiled)
    for problem in problems:
        print(f"check_build: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
