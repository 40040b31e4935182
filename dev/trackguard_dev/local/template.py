"""Read a SAM/CloudFormation template and resolve its intrinsic functions to local values.

Short-form tags (``!Ref``, ``!GetAtt`` …) load as their long forms, so the resolver only knows one
syntax. Resource attributes (names, ARNs, queue URLs) are computed on demand from the resource's
own definition, so resources can refer to each other in any order.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "000000000000"
STACK_NAME = "trackguard-local"
AVAILABILITY_ZONES = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]


class TemplateError(ValueError):
    pass


class _NoValue:
    """``AWS::NoValue``: the property that resolves to it disappears."""


NO_VALUE = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class _TemplateLoader(yaml.SafeLoader):  # type: ignore[misc]
    pass


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_TemplateLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    document = yaml.load(path.read_text(), Loader=_TemplateLoader)  # noqa: S506 (a SafeLoader subclass)
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path} is not a CloudFormation template (no Resources)")
    return merge_globals(document)


def merge_globals(template: dict[str, Any]) -> dict[str, Any]:
    """Apply SAM's Globals: maps merge (environment variables included), scalars and lists are defaults."""
    globals_section = template.get("Globals", {})
    kinds = {"Function": "AWS::Serverless::Function", "HttpApi": "AWS::Serverless::HttpApi"}
    for kind, resource_type in kinds.items():
        defaults = globals_section.get(kind)
        if not defaults:
            continue
        for resource in template["Resources"].values():
            if resource.get("Type") == resource_type:
                resource["Properties"] = _merged(defaults, resource.get("Properties") or {})
    return template


def _merged(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(defaults)
    for key, value in overrides.items():
        current = result.get(key)
        is_intrinsic = isinstance(value, dict) and len(value) == 1 and _is_intrinsic_key(next(iter(value)))
        if isinstance(current, dict) and isinstance(value, dict) and not is_intrinsic:
            result[key] = _merged(current, value)
        else:
            result[key] = value
    return result


def _is_intrinsic_key(key: str) -> bool:
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def resolve_parameters(template: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Each declared parameter's value: the local override, else its Default (lists split)."""
    values: dict[str, Any] = {}
    for name, declaration in (template.get("Parameters") or {}).items():
        if name in overrides:
            value = overrides[name]
        elif "Default" in declaration:
            value = declaration["Default"]
        else:
            continue
        is_list = declaration.get("Type", "String") in ("CommaDelimitedList",) or str(
            declaration.get("Type", "")
        ).startswith("List<")
        values[name] = [item.strip() for item in str(value).split(",")] if is_list else str(value)
    return values


@dataclass
class Resolver:
    """Resolves intrinsic functions. ``queue_endpoint`` is where queue URLs point (the SQS endpoint)."""

    template: Mapping[str, Any]
    parameters: Mapping[str, Any]
    queue_endpoint: str = "http://127.0.0.1:4566"
    api_url: str = "http://127.0.0.1:3000"
    _attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _conditions: dict[str, bool] = field(default_factory=dict)

    @property
    def resources(self) -> Mapping[str, Any]:
        resources: Mapping[str, Any] = self.template["Resources"]
        return resources

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            key, argument = next(iter(value.items()))
            if _is_intrinsic_key(key):
                return self._intrinsic(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def is_enabled(self, logical_id: str) -> bool:
        """Whether a resource exists under the template's Conditions."""
        condition = self.resources[logical_id].get("Condition")
        return condition is None or self.condition(condition)

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self.template.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self.resolve(conditions[name]))
        return self._conditions[name]

    def ref(self, name: str) -> Any:
        pseudo = self._pseudo_parameter(name)
        if pseudo is not None:
            return pseudo
        if name in self.parameters:
            return self.parameters[name]
        declared = self.template.get("Parameters") or {}
        if name in declared:
            raise TemplateError(f"parameter {name} has no Default and no local value")
        return self.attribute(name, "Ref")

    def attribute(self, logical_id: str, name: str) -> Any:
        attributes = self.attributes(logical_id)
        if name not in attributes:
            raise TemplateError(f"{logical_id} has no attribute {name} locally")
        return attributes[name]

    def attributes(self, logical_id: str) -> dict[str, Any]:
        if logical_id not in self._attributes:
            if logical_id not in self.resources:
                raise TemplateError(f"unknown resource or parameter {logical_id}")
            self._attributes[logical_id] = self._compute_attributes(logical_id)
        return self._attributes[logical_id]

    def override_attribute(self, logical_id: str, name: str, value: Any) -> None:
        """Record an attribute learnt when the resource was created (e.g. the real queue URL)."""
        self.attributes(logical_id)[name] = value

    def _pseudo_parameter(self, name: str) -> Any:
        return {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }.get(name)

    def _compute_attributes(self, logical_id: str) -> dict[str, Any]:
        resource = self.resources[logical_id]
        properties = resource.get("Properties") or {}
        resource_type = resource.get("Type", "")

        def name_from(prop: str, default: str) -> str:
            return str(self.resolve(properties[prop])) if prop in properties else default

        default_name = f"{STACK_NAME}-{logical_id}"
        prefix = f"arn:aws:{{service}}:{REGION}:{ACCOUNT_ID}"
        if resource_type == "AWS::DynamoDB::Table":
            name = name_from("TableName", default_name)
            arn = f"{prefix.format(service='dynamodb')}:table/{name}"
            return {"Ref": name, "Arn": arn, "StreamArn": f"{arn}/stream/1970-01-01T00:00:00.000"}
        if resource_type == "AWS::SQS::Queue":
            fifo = str(self.resolve(properties.get("FifoQueue", False))).lower() == "true"
            name = name_from("QueueName", default_name + (".fifo" if fifo else ""))
            url = f"{self.queue_endpoint}/{ACCOUNT_ID}/{name}"
            arn = f"{prefix.format(service='sqs')}:{name}"
            return {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}
        if resource_type == "AWS::S3::Bucket":
            name = name_from("BucketName", default_name.lower())
            return {
                "Ref": name,
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
            }
        if resource_type == "AWS::Events::EventBus":
            name = name_from("Name", default_name)
            return {"Ref": name, "Name": name, "Arn": f"{prefix.format(service='events')}:event-bus/{name}"}
        if resource_type in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            name = name_from("FunctionName", default_name)
            return {"Ref": name, "Arn": f"{prefix.format(service='lambda')}:function:{name}"}
        if resource_type in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            name = name_from("LayerName", default_name)
            return {"Ref": f"{prefix.format(service='lambda')}:layer:{name}:1"}
        if resource_type in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"):
            return {"Ref": logical_id.lower(), "ApiEndpoint": self.api_url}
        if resource_type == "AWS::SecretsManager::Secret":
            name = name_from("Name", default_name)
            return {"Ref": f"{prefix.format(service='secretsmanager')}:secret:{name}", "Name": name}
        service = resource_type.split("::")[1].lower() if resource_type.count("::") == 2 else "local"
        return {"Ref": default_name, "Arn": f"{prefix.format(service=service)}:{logical_id}"}

    def _intrinsic(self, key: str, argument: Any) -> Any:
        handlers: dict[str, Callable[[], Any]] = {
            "Ref": lambda: self.ref(argument),
            "Condition": lambda: self.condition(argument),
            "Fn::GetAtt": lambda: self._get_att(argument),
            "Fn::Sub": lambda: self._sub(argument),
            "Fn::Join": lambda: self._join(argument),
            "Fn::If": lambda: self._if(argument),
            "Fn::Select": lambda: self._select(argument),
            "Fn::Split": lambda: self._split(argument),
            "Fn::FindInMap": lambda: self._find_in_map(argument),
            "Fn::Equals": lambda: self._equals(argument),
            "Fn::Not": lambda: not self._truth(self.resolve(argument)[0]),
            "Fn::And": lambda: all(self._truth(item) for item in self.resolve(argument)),
            "Fn::Or": lambda: any(self._truth(item) for item in self.resolve(argument)),
            "Fn::Base64": lambda: base64.b64encode(str(self.resolve(argument)).encode()).decode(),
            "Fn::GetAZs": lambda: list(AVAILABILITY_ZONES),
            "Fn::ImportValue": lambda: self._import_value(argument),
        }
        if key not in handlers:
            raise TemplateError(f"intrinsic function {key} is not supported locally")
        return handlers[key]()

    def _get_att(self, argument: Any) -> Any:
        resolved = self.resolve(argument)
        logical_id, name = resolved.split(".", 1) if isinstance(resolved, str) else resolved
        return self.attribute(str(logical_id), str(name))

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], self.resolve(argument[1])
        else:
            text, variables = argument, {}

        def substitute(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in variables:
                return str(variables[expression])
            if "." in expression and not expression.startswith("AWS::"):
                logical_id, name = expression.split(".", 1)
                return str(self.attribute(logical_id, name))
            return str(self.ref(expression))

        return _SUB_VARIABLE.sub(substitute, str(text))

    def _join(self, argument: Any) -> str:
        delimiter, items = argument
        return str(delimiter).join(str(item) for item in self.resolve(items))

    def _if(self, argument: Any) -> Any:
        name, when_true, when_false = argument
        return self.resolve(when_true if self.condition(name) else when_false)

    def _select(self, argument: Any) -> Any:
        index, items = self.resolve(argument)
        return items[int(index)]

    def _split(self, argument: Any) -> list[str]:
        delimiter, text = self.resolve(argument)
        return str(text).split(str(delimiter))

    def _find_in_map(self, argument: Any) -> Any:
        map_name, top_key, second_key, *options = self.resolve(argument)
        mapping = (self.template.get("Mappings") or {}).get(map_name, {})
        if second_key in mapping.get(top_key, {}):
            return mapping[top_key][second_key]
        if options and isinstance(options[0], dict) and "DefaultValue" in options[0]:
            return options[0]["DefaultValue"]
        raise TemplateError(f"Fn::FindInMap: {map_name}.{top_key}.{second_key} is not in the template")

    def _equals(self, argument: Any) -> bool:
        left, right = self.resolve(argument)
        return bool(str(left) == str(right))

    def _import_value(self, argument: Any) -> Any:
        raise TemplateError(f"Fn::ImportValue {self.resolve(argument)}: a local stack has no other stacks")

    @staticmethod
    def _truth(value: Any) -> bool:
        return value is True or str(value).lower() == "true"
