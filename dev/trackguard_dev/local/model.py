"""What the local stack serves, read from a resolved template: functions, routes, queues, schedules."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackguard_dev.local.template import Resolver, TemplateError

FUNCTION_TYPES = ("AWS::Serverless::Function",)
HTTP_API_TYPE = "AWS::Serverless::HttpApi"
IMPLICIT_HTTP_API = "ServerlessHttpApi"
DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 128
DEFAULT_REAUTHORIZE_SECONDS = 300
DEFAULT_STREAM_RETRIES = 3  # Lambda retries until the record expires; locally a few attempts
DEFAULT_ASYNC_RETRIES = 2  # Lambda's own for asynchronous invocations

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AsyncInvokeSpec:
    """EventInvokeConfig: retries of a failed asynchronous invocation, then the OnFailure SQS queue."""

    max_retries: int = DEFAULT_ASYNC_RETRIES
    on_failure_queue_url: str | None = None


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    timeout_seconds: float
    memory_mb: int
    layer_dirs: tuple[Path, ...] = ()
    async_invoke: AsyncInvokeSpec = AsyncInvokeSpec()


@dataclass(frozen=True)
class AuthorizerSpec:
    name: str
    function_id: str
    identity_headers: tuple[str, ...]
    identity_query_strings: tuple[str, ...]
    reauthorize_seconds: int
    simple_responses: bool


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    function_id: str
    api_id: str
    authorizer: AuthorizerSpec | None

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class QueueSourceSpec:
    function_id: str
    queue_id: str
    queue_url: str
    queue_arn: str
    batch_size: int
    report_item_failures: bool
    concurrency: int = 1


@dataclass(frozen=True)
class StreamSourceSpec:
    """A DynamoDB stream event source; ``filters`` are the FilterCriteria patterns (any must match)."""

    function_id: str
    table_id: str
    table_name: str
    event_source_arn: str
    batch_size: int
    starting_position: str
    report_item_failures: bool
    filters: tuple[dict[str, Any], ...]
    max_retries: int
    on_failure_queue_url: str | None


@dataclass(frozen=True)
class ScheduleSpec:
    function_id: str
    event_id: str
    expression: str
    timezone: str
    input: Any
    source: str = "aws.scheduler"


@dataclass
class StackModel:
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    routes: list[RouteSpec] = field(default_factory=list)
    queue_sources: list[QueueSourceSpec] = field(default_factory=list)
    stream_sources: list[StreamSourceSpec] = field(default_factory=list)
    schedules: list[ScheduleSpec] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def build_model(resolver: Resolver, template_dir: Path) -> StackModel:
    model = StackModel()
    resources = resolver.resources
    function_ids = [
        logical_id
        for logical_id, resource in resources.items()
        if resource.get("Type") in FUNCTION_TYPES and resolver.is_enabled(logical_id)
    ]
    for logical_id in function_ids:
        model.functions[logical_id] = _function(resolver, logical_id, template_dir)
    functions_by_arn = {spec.arn: logical_id for logical_id, spec in model.functions.items()}
    authorizers = _authorizers(resolver, functions_by_arn)
    for logical_id in function_ids:
        events = (resources[logical_id].get("Properties") or {}).get("Events") or {}
        for event_id, event in events.items():
            _add_event(
                model,
                resolver=resolver,
                function_id=logical_id,
                event_id=event_id,
                event=event,
                authorizers=authorizers,
            )
    return model


def _function(resolver: Resolver, logical_id: str, template_dir: Path) -> FunctionSpec:
    properties = resolver.resolve(resolver.resources[logical_id].get("Properties") or {})
    code_uri = properties.get("CodeUri")
    if not isinstance(code_uri, str):
        raise TemplateError(f"{logical_id}: only a local CodeUri directory can run locally")
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    return FunctionSpec(
        logical_id=logical_id,
        name=str(resolver.attribute(logical_id, "Ref")),
        arn=str(resolver.attribute(logical_id, "Arn")),
        code_dir=(template_dir / code_uri).resolve(),
        handler=str(properties.get("Handler", "app.lambda_handler")),
        environment={name: _env_value(value) for name, value in variables.items()},
        timeout_seconds=float(properties.get("Timeout", DEFAULT_TIMEOUT_SECONDS)),
        memory_mb=int(properties.get("MemorySize", DEFAULT_MEMORY_MB)),
        layer_dirs=_layer_dirs(resolver, template_dir, properties.get("Layers") or []),
        async_invoke=_async_invoke(resolver, properties.get("EventInvokeConfig") or {}),
    )


def _async_invoke(resolver: Resolver, config: Mapping[str, Any]) -> AsyncInvokeSpec:
    destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    queue_id = _resource_with(resolver, "AWS::SQS::Queue", "Arn", str(destination)) if destination else None
    return AsyncInvokeSpec(
        max_retries=int(config.get("MaximumRetryAttempts", DEFAULT_ASYNC_RETRIES)),
        on_failure_queue_url=str(resolver.attribute(queue_id, "QueueUrl")) if queue_id else None,
    )


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, str) else json.dumps(value)


def _layer_dirs(resolver: Resolver, template_dir: Path, layers: list[Any]) -> tuple[Path, ...]:
    """Local layers (a LayerVersion of this template with a directory ContentUri) join the import path."""
    by_arn = {
        str(resolver.attribute(logical_id, "Ref")): resource
        for logical_id, resource in resolver.resources.items()
        if resource.get("Type") in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
    }
    directories = []
    for layer in layers:
        content = resolver.resolve((by_arn.get(str(layer)) or {}).get("Properties", {}).get("ContentUri"))
        if isinstance(content, str):
            directories.append((template_dir / content).resolve())
    return tuple(directories)


def _authorizers(resolver: Resolver, functions_by_arn: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Per API id: its named Lambda authorizers and its DefaultAuthorizer."""
    apis: dict[str, dict[str, Any]] = {}
    for logical_id, resource in resolver.resources.items():
        if resource.get("Type") != HTTP_API_TYPE or not resolver.is_enabled(logical_id):
            continue
        auth = resolver.resolve((resource.get("Properties") or {}).get("Auth") or {})
        named = {}
        for name, declaration in (auth.get("Authorizers") or {}).items():
            spec = _authorizer(name, declaration, functions_by_arn)
            if spec is not None:
                named[name] = spec
        apis[logical_id] = {"authorizers": named, "default": auth.get("DefaultAuthorizer")}
    return apis


def _authorizer(
    name: str, declaration: Mapping[str, Any], functions_by_arn: Mapping[str, str]
) -> AuthorizerSpec | None:
    function_arn = declaration.get("FunctionArn")
    if function_arn is None:
        log.warning("authorizer %s is not a Lambda authorizer: not supported locally", name)
        return None
    if str(function_arn) not in functions_by_arn:
        raise TemplateError(f"authorizer {name}: {function_arn} is not a function of this template")
    identity = declaration.get("Identity") or {}
    return AuthorizerSpec(
        name=name,
        function_id=functions_by_arn[str(function_arn)],
        identity_headers=tuple(identity.get("Headers") or ()),
        identity_query_strings=tuple(identity.get("QueryStrings") or ()),
        reauthorize_seconds=int(identity.get("ReauthorizeEvery", DEFAULT_REAUTHORIZE_SECONDS)),
        simple_responses=str(declaration.get("EnableSimpleResponses", False)).lower() == "true",
    )


def _add_event(
    model: StackModel,
    *,
    resolver: Resolver,
    function_id: str,
    event_id: str,
    event: Mapping[str, Any],
    authorizers: Mapping[str, dict[str, Any]],
) -> None:
    event_type = event.get("Type")
    properties = resolver.resolve(event.get("Properties") or {})
    if event_type == "HttpApi":
        model.routes.append(_route(resolver, function_id, properties, authorizers))
    elif event_type == "SQS":
        if _enabled(properties):
            model.queue_sources.append(_queue_source(resolver, function_id, properties))
    elif event_type == "DynamoDB":
        if _enabled(properties):
            model.stream_sources.append(_stream_source(resolver, function_id, properties))
    elif event_type in ("ScheduleV2", "Schedule"):
        if _enabled(properties):
            model.schedules.append(_schedule(function_id, event_id, event_type, properties))
    else:
        model.unsupported.append(f"{function_id}.{event_id} ({event_type})")


def _enabled(properties: Mapping[str, Any]) -> bool:
    state = str(properties.get("State", "ENABLED")).upper()
    return state != "DISABLED" and str(properties.get("Enabled", True)).lower() != "false"


def _route(
    resolver: Resolver,
    function_id: str,
    properties: Mapping[str, Any],
    authorizers: Mapping[str, dict[str, Any]],
) -> RouteSpec:
    api_id = _api_logical_id(resolver, properties.get("ApiId"))
    api = authorizers.get(api_id, {"authorizers": {}, "default": None})
    authorizer_name = (properties.get("Auth") or {}).get("Authorizer", api["default"])
    authorizer = None
    if authorizer_name not in (None, "NONE"):
        if authorizer_name not in api["authorizers"]:
            raise TemplateError(f"{function_id}: authorizer {authorizer_name} is not declared on {api_id}")
        authorizer = api["authorizers"][authorizer_name]
    path = properties.get("Path")
    return RouteSpec(
        method=str(properties.get("Method", "ANY")).upper() if path else "ANY",
        path=str(path) if path else "$default",
        function_id=function_id,
        api_id=api_id,
        authorizer=authorizer,
    )


def _api_logical_id(resolver: Resolver, api_ref: Any) -> str:
    if api_ref is None:
        return IMPLICIT_HTTP_API
    for logical_id, resource in resolver.resources.items():
        if resource.get("Type") == HTTP_API_TYPE and resolver.attribute(logical_id, "Ref") == api_ref:
            return logical_id
    raise TemplateError(f"HttpApi event refers to an unknown API {api_ref}")


def _queue_source(resolver: Resolver, function_id: str, properties: Mapping[str, Any]) -> QueueSourceSpec:
    queue_arn = str(properties.get("Queue"))
    for logical_id, resource in resolver.resources.items():
        if resource.get("Type") == "AWS::SQS::Queue" and resolver.attribute(logical_id, "Arn") == queue_arn:
            return QueueSourceSpec(
                function_id=function_id,
                queue_id=logical_id,
                queue_url=str(resolver.attribute(logical_id, "QueueUrl")),
                queue_arn=queue_arn,
                batch_size=int(properties.get("BatchSize", 10)),
                report_item_failures="ReportBatchItemFailures"
                in (properties.get("FunctionResponseTypes") or []),
                concurrency=int((properties.get("ScalingConfig") or {}).get("MaximumConcurrency", 1)),
            )
    raise TemplateError(f"{function_id}: queue {queue_arn} is not a queue of this template")


def _stream_source(resolver: Resolver, function_id: str, properties: Mapping[str, Any]) -> StreamSourceSpec:
    stream_arn = str(properties.get("Stream"))
    table_id = _resource_with(resolver, "AWS::DynamoDB::Table", "StreamArn", stream_arn)
    filters = ((properties.get("FilterCriteria") or {}).get("Filters")) or []
    destination = ((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    queue_id = _resource_with(resolver, "AWS::SQS::Queue", "Arn", str(destination)) if destination else None
    return StreamSourceSpec(
        function_id=function_id,
        table_id=table_id,
        table_name=str(resolver.attribute(table_id, "Ref")),
        event_source_arn=stream_arn,
        batch_size=int(properties.get("BatchSize", 100)),
        starting_position=str(properties.get("StartingPosition", "LATEST")),
        report_item_failures="ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or []),
        filters=tuple(json.loads(item["Pattern"]) for item in filters),
        max_retries=int(properties.get("MaximumRetryAttempts", DEFAULT_STREAM_RETRIES)),
        on_failure_queue_url=str(resolver.attribute(queue_id, "QueueUrl")) if queue_id else None,
    )


def _resource_with(resolver: Resolver, resource_type: str, attribute: str, value: str) -> str:
    for logical_id, resource in resolver.resources.items():
        if resource.get("Type") == resource_type and resolver.attribute(logical_id, attribute) == value:
            return logical_id
    raise TemplateError(f"{value} is not the {attribute} of a {resource_type} of this template")


def _schedule(
    function_id: str, event_id: str, event_type: str, properties: Mapping[str, Any]
) -> ScheduleSpec:
    expression = properties.get("ScheduleExpression" if event_type == "ScheduleV2" else "Schedule")
    raw_input = properties.get("Input")
    return ScheduleSpec(
        function_id=function_id,
        event_id=event_id,
        expression=str(expression),
        timezone=str(properties.get("ScheduleExpressionTimezone", "UTC")),
        input=json.loads(raw_input) if isinstance(raw_input, str) else raw_input,
        source="aws.scheduler" if event_type == "ScheduleV2" else "aws.events",
    )
