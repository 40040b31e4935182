"""What the ingestion, cold-start and cost benchmarks share: the template, local AWS stand-ins, timing."""

from __future__ import annotations

import json
import logging
import statistics
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from trackguard_dev.local.dynamodb_local import free_port
from trackguard_dev.local.template import load_template

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
TEMPLATE = ROOT / "template.yaml"
LOCAL_SECRETS = ROOT / "local" / "secrets.json"
LAYER_REQUIREMENTS = ROOT / "shared" / "requirements.txt"
RUNTIME_DISTRIBUTIONS = ("boto3",)  # the Lambda Python runtime ships boto3
LAYER_PACKAGES = ("trackguard",)
REGION = "us-east-1"
WEBHOOK_SECRETS_ID = "trackguard/webhook-secrets"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def template() -> dict[str, Any]:
    """template.yaml as the local stack reads it: short-form tags as their long forms, Globals merged."""
    return load_template(TEMPLATE)


def function_directories() -> list[str]:
    return sorted(path.parent.name for path in FUNCTIONS.glob("*/app.py"))


@dataclass(frozen=True)
class FunctionSpec:
    """A function as the template declares it, with Globals.Function applied."""

    directory: str
    logical_id: str
    memory_mb: int
    environment: dict[str, Any]
    parameter_defaults: dict[str, Any]


def function_spec(directory: str) -> FunctionSpec:
    document = template()
    for logical_id, resource in document["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function" and _code_directory(properties) == directory:
            return FunctionSpec(
                directory=directory,
                logical_id=logical_id,
                memory_mb=int(properties.get("MemorySize", 128)),
                environment=_variables(properties),
                parameter_defaults={
                    name: parameter["Default"]
                    for name, parameter in document.get("Parameters", {}).items()
                    if "Default" in parameter
                },
            )
    raise LookupError(f"template.yaml declares no function with code in functions/{directory}")


def _code_directory(properties: dict[str, Any]) -> str:
    return Path(str(properties.get("CodeUri", ""))).name


def _variables(properties: dict[str, Any]) -> dict[str, Any]:
    variables: dict[str, Any] = properties.get("Environment", {}).get("Variables", {})
    return variables


def lambda_environment(spec: FunctionSpec, stand_ins: dict[str, str]) -> dict[str, str]:
    """The function's template variables: literals kept, the rest from `stand_ins` (else a local name)."""
    return {name: _local_value(spec, name, value, stand_ins) for name, value in spec.environment.items()}


def _local_value(spec: FunctionSpec, name: str, value: Any, stand_ins: dict[str, str]) -> str:
    if name in stand_ins:
        return stand_ins[name]
    if isinstance(value, dict) and value.get("Ref") in spec.parameter_defaults:
        value = spec.parameter_defaults[value["Ref"]]
    if isinstance(value, dict):
        return f"local-{name.lower().replace('_', '-')}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def layer_distributions() -> set[str]:
    """What a deployed function can import: the layer's requirements, their dependencies, and boto3."""
    lines = LAYER_REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    pending = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    pending += [Requirement(name) for name in RUNTIME_DISTRIBUTIONS]
    extras_of: dict[str, set[str]] = {}
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in extras_of and set(requirement.extras) <= extras_of[name]:
            continue
        extras_of[name] = extras_of.get(name, set()) | set(requirement.extras)
        pending += _dependencies(name, extras_of[name])
    return set(extras_of)


def _dependencies(name: str, extras: set[str]) -> list[Requirement]:
    try:
        declared = metadata.distribution(name).requires or []
    except metadata.PackageNotFoundError:
        return []
    environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
    requirements = [Requirement(line) for line in declared]
    return [
        requirement
        for requirement in requirements
        if requirement.marker is None or any(map(requirement.marker.evaluate, environments))
    ]


def modules_outside_layer() -> list[str]:
    """Top-level modules installed here (dev tools, test servers) that a deployed function would lack."""
    layer = layer_distributions()
    return sorted(
        module
        for module, distributions in metadata.packages_distributions().items()
        if module not in LAYER_PACKAGES and not any(canonicalize_name(d) in layer for d in distributions)
    )


def local_secrets() -> dict[str, Any]:
    secrets: dict[str, Any] = json.loads(LOCAL_SECRETS.read_text(encoding="utf-8"))
    return secrets


def aws_client(service: str, endpoint_url: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]  # boto3's stubs overload on each service's literal name
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def seed_webhook_secrets(moto_url: str) -> None:
    """The webhook-secrets document in moto's Secrets Manager, from local/secrets.json."""
    aws_client("secretsmanager", moto_url).create_secret(
        Name=WEBHOOK_SECRETS_ID, SecretString=json.dumps(local_secrets())
    )


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server on a free loopback port, emptied first (moto keeps state per process); yields its URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10)
        yield url
    finally:
        server.stop()


def median(samples: list[float]) -> float:
    return statistics.median(samples)
