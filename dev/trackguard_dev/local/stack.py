"""The whole local stack: services, resources, function pools, the gateway, queue consumers, schedules."""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.config import Config

from trackguard_dev.local.config import Endpoints, LocalConfig
from trackguard_dev.local.consumers import QueueConsumer
from trackguard_dev.local.gateway import Gateway, GatewayServer, Sandboxes
from trackguard_dev.local.lambda_api import LambdaApi
from trackguard_dev.local.model import QueueSourceSpec, StackModel, build_model
from trackguard_dev.local.provision import local_parameters, provision
from trackguard_dev.local.sandboxes import SANDBOXES
from trackguard_dev.local.schedules import Scheduler
from trackguard_dev.local.services import Services, aws_client, start_services
from trackguard_dev.local.streams import StreamConsumer
from trackguard_dev.local.template import Resolver, load_template, resolve_parameters
from trackguard_dev.local.workers import (
    MAX_WORKERS_PER_FUNCTION,
    FunctionPool,
    Invocation,
    function_environment,
)

log = logging.getLogger(__name__)

CONSUMER_CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2)


class StackError(RuntimeError):
    pass


@dataclass(frozen=True)
class RunningStack:
    """What ``stack.json`` records of a running stack, for ``local invoke`` and ``local reset``."""

    pid: int
    endpoints: Endpoints
    template: Path
    parameters: dict[str, Any]
    processes: dict[str, int]

    def to_json(self) -> str:
        return json.dumps(
            {
                "pid": self.pid,
                "api_url": self.endpoints.api,
                "dynamodb_endpoint": self.endpoints.dynamodb,
                "aws_endpoint": self.endpoints.aws,
                "template": str(self.template),
                "parameters": self.parameters,
                "processes": self.processes,
            },
            indent=2,
        )

    @classmethod
    def read(cls, stack_file: Path) -> RunningStack | None:
        """The stack recorded in ``stack_file`` if its process still runs."""
        if not stack_file.exists():
            return None
        document = json.loads(stack_file.read_text())
        if not process_exists(int(document["pid"])):
            return None
        return cls(
            pid=int(document["pid"]),
            endpoints=Endpoints(document["api_url"], document["dynamodb_endpoint"], document["aws_endpoint"]),
            template=Path(document["template"]),
            parameters=document["parameters"],
            processes=document["processes"],
        )


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def default_parameters_file(template: Path) -> Path:
    return template.parent / "local" / "parameters.json"


def stack_resolver(template: Path, parameters: dict[str, Any], endpoints: Endpoints) -> Resolver:
    return Resolver(load_template(template), parameters, queue_endpoint=endpoints.aws, api_url=endpoints.api)


def local_concurrency(source: QueueSourceSpec) -> int:
    """Pollers of a queue, each invoking the function on its own batch, as Lambda's concurrent pollers do:
    the event source's ``ScalingConfig.MaximumConcurrency`` when the template sets one (within the
    function's pool of warm workers), otherwise one, so batches run one after another."""
    return max(1, min(source.concurrency, MAX_WORKERS_PER_FUNCTION))


class LocalStack:
    def __init__(self, config: LocalConfig, template: Path, parameters_file: Path | None = None) -> None:
        self.config = config
        self.template = template.resolve()
        self.parameters_file = parameters_file or default_parameters_file(self.template)
        self.model = StackModel()
        self.resources: list[str] = []
        self._services: Services | None = None
        self._pools: dict[str, FunctionPool] = {}
        self._server: GatewayServer | None = None
        self._consumers: list[QueueConsumer | StreamConsumer] = []
        self._scheduler: Scheduler | None = None

    def start(self) -> None:
        """Bring everything up; on failure, stop what started and re-raise."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        self.config.state_dir.mkdir(parents=True, exist_ok=True)
        self._services = start_services(self.config)
        endpoints = Endpoints(
            self.config.api_url, self._services.dynamodb_endpoint, self._services.aws_endpoint
        )
        overrides, secrets = local_parameters(
            self.parameters_file, self.template.parent, endpoints.api, self._services.client
        )
        template = load_template(self.template)
        parameters = resolve_parameters(template, overrides)
        resolver = Resolver(template, parameters, queue_endpoint=endpoints.aws, api_url=endpoints.api)
        self.resources = provision(resolver, self._services.client)
        self.model = build_model(resolver, self.template.parent)
        for logical_id, spec in self.model.functions.items():
            self._pools[logical_id] = FunctionPool(spec, function_environment(spec, endpoints))
        sandboxes = Sandboxes(SANDBOXES, self.config.state_dir, secrets)
        sqs = aws_client("sqs", endpoints.aws, CONSUMER_CLIENT_CONFIG)
        functions = LambdaApi(self.model.functions, self.invoke, sqs)
        gateway = Gateway(self.model.routes, self.invoke, sandboxes, functions=functions)
        self._server = GatewayServer(gateway, self.config.port)
        self._server.start()
        threading.Thread(target=self._warm_pools, name="warm-pools", daemon=True).start()
        self._start_event_sources(endpoints, functions)
        running = RunningStack(os.getpid(), endpoints, self.template, parameters, self._services.pids())
        self.config.stack_file.write_text(running.to_json())

    def _start_event_sources(self, endpoints: Endpoints, functions: LambdaApi) -> None:
        for source in self.model.queue_sources:
            for _ in range(local_concurrency(source)):
                sqs = aws_client("sqs", endpoints.aws, CONSUMER_CLIENT_CONFIG)
                queue_consumer = QueueConsumer(source, sqs, self.invoke)
                self._consumers.append(queue_consumer)
                queue_consumer.start()
        for stream in self.model.stream_sources:
            consumer = StreamConsumer(
                stream,
                aws_client("dynamodb", endpoints.dynamodb, CONSUMER_CLIENT_CONFIG),
                aws_client("dynamodbstreams", endpoints.dynamodb, CONSUMER_CLIENT_CONFIG),
                aws_client("sqs", endpoints.aws, CONSUMER_CLIENT_CONFIG),
                self.invoke,
            )
            self._consumers.append(consumer)
            consumer.start()
        # EventBridge Scheduler invokes Lambda asynchronously: retries and OnFailure as the template says.
        self._scheduler = Scheduler(self.model.schedules, functions.invoke_async)
        self._scheduler.start()

    def _warm_pools(self) -> None:
        """One cold start at a time, functions behind routes first, so none starves the others of CPU."""
        routed = {route.function_id for route in self.model.routes}
        for logical_id in sorted(self._pools, key=lambda function_id: function_id not in routed):
            self._pools[logical_id].warm()

    def invoke(self, function_id: str, event: Any) -> Invocation:
        return self._pools[function_id].invoke(event)

    def describe(self) -> list[str]:
        lines = [f"API: {self.config.api_url}"]
        lines += [f"route {route.route_key} → {route.function_id}" for route in self.model.routes]
        lines += [
            f"queue {source.queue_id} → {source.function_id} (batch {source.batch_size}, "
            f"{local_concurrency(source)} at a time)"
            for source in self.model.queue_sources
        ]
        lines += [
            f"stream of {source.table_id} → {source.function_id}" for source in self.model.stream_sources
        ]
        lines += [f"schedule {spec.expression} → {spec.function_id}" for spec in self.model.schedules]
        lines += [f"not served locally: {event}" for event in self.model.unsupported]
        lines += [f"prefix {prefix} → sandbox" for prefix in SANDBOXES]
        return lines

    def stop(self) -> None:
        """Stop event sources, the gateway, every worker and the services; reap all children."""
        if self._scheduler is not None:
            self._scheduler.stop()
        for consumer in self._consumers:
            consumer.stop()
        for consumer in self._consumers:
            consumer.join()
        if self._server is not None:
            self._server.stop()
            self._server = None
        for pool in self._pools.values():
            pool.stop()
        if self._services is not None:
            self._services.stop()
            self._services = None
        self.config.stack_file.unlink(missing_ok=True)
