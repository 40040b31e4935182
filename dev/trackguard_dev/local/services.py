"""The AWS services on loopback: DynamoDB Local and moto's server, or the endpoints the caller gave."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from trackguard_dev.local.config import LocalConfig
from trackguard_dev.local.dynamodb_local import DynamoDBLocal, free_port
from trackguard_dev.local.template import ACCOUNT_ID, REGION

READY_TIMEOUT_SECONDS = 60.0


class ServiceError(RuntimeError):
    pass


@dataclass
class Services:
    dynamodb_endpoint: str
    aws_endpoint: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    dynamodb_local: DynamoDBLocal | None = None

    def client(self, service: str) -> Any:
        endpoint = self.dynamodb_endpoint if service == "dynamodb" else self.aws_endpoint
        return aws_client(service, endpoint)

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def aws_client(service: str, endpoint: str, config: Config | None = None) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (the local services' dummy credentials)
        config=config,
    )


def start_services(config: LocalConfig) -> Services:
    """Start what the config does not point at; moto boots while DynamoDB Local's JVM does."""
    moto = None if config.aws_endpoint else _start_moto()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    if moto is not None:
        processes["moto"] = moto[0]
    dynamodb_local = None
    try:
        if config.dynamodb_endpoint is None:
            dynamodb_local = DynamoDBLocal.start(db_path=config.state_dir / "dynamodb")
            processes["dynamodb-local"] = dynamodb_local.process
        if moto is not None:
            _wait_for_moto(*moto)
    except BaseException:
        Services("", "", processes).stop()
        raise
    return Services(
        dynamodb_endpoint=config.dynamodb_endpoint or (dynamodb_local.endpoint_url if dynamodb_local else ""),
        aws_endpoint=config.aws_endpoint or (moto[1] if moto else ""),
        processes=processes,
        dynamodb_local=dynamodb_local,
    )


def _start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={"MOTO_ACCOUNT_ID": ACCOUNT_ID, "PATH": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_for_moto(process: subprocess.Popen[bytes], endpoint: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"moto's server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 (loopback)
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
            continue
        return
    raise ServiceError(f"moto's server did not answer within {READY_TIMEOUT_SECONDS} s")
