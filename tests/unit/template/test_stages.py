"""Two stages deploy side by side in one account and region: no physical name of one is the other's."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.unit.template.transform import of_type, transformed

ACCOUNT, REGION = "123456789012", "us-east-1"

# The property holding each resource type's physical name, which must be unique in an account and
# region. Every type the template uses is either here or in NAMELESS_TYPES.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Events::EventBus": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::Scheduler::ScheduleGroup": "Name",
    "AWS::Scheduler::Schedule": "Name",
}
# Types whose resources have no account-wide name (an id, or a name that need not be unique).
NAMELESS_TYPES = {
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::SNS::Subscription",
}


class Generated:
    """A name CloudFormation generates from the stack (unique per stack), or a resource's own id."""

    def __init__(self, stack: str, logical_id: str) -> None:
        self.text = f"<generated:{stack}:{logical_id}>"


def resolve(value: Any, stack: str, parameters: dict[str, str]) -> str:
    """A name as CloudFormation would compute it in stack ``stack``."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return _ref(value["Ref"], stack, parameters)
    if "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return Generated(stack, target[0] if isinstance(target, list) else target.split(".")[0]).text
    if "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        return re.sub(r"\$\{([^}]+)\}", lambda m: _ref(m.group(1).split(".")[0], stack, parameters), text)
    if "Fn::Join" in value:
        delimiter, parts = value["Fn::Join"]
        return str(delimiter).join(resolve(part, stack, parameters) for part in parts)
    raise AssertionError(f"cannot compute a name from {value!r}")


def _ref(name: str, stack: str, parameters: dict[str, str]) -> str:
    pseudo = {"AWS::StackName": stack, "AWS::AccountId": ACCOUNT, "AWS::Region": REGION}
    if name in pseudo:
        return pseudo[name]
    return parameters.get(name) or Generated(stack, name).text


def physical_names(stage: str, template: dict[str, Any] | None = None) -> dict[tuple[str, str], str]:
    """(type, name) → logical id of every resource that has an account-wide name in this stage."""
    template = template or transformed(Stage=stage)
    defaults = {name: str(p["Default"]) for name, p in template["Parameters"].items() if "Default" in p}
    parameters = {**defaults, "Stage": stage}
    stack = f"trackguard-{stage}"
    names: dict[tuple[str, str], str] = {}
    for logical_id, resource in template["Resources"].items():
        resource_type = resource["Type"]
        assert resource_type in NAME_PROPERTIES or resource_type in NAMELESS_TYPES, resource_type
        if resource_type not in NAME_PROPERTIES:
            continue
        properties = resource.get("Properties", {})
        declared = properties.get(NAME_PROPERTIES[resource_type])
        name = Generated(stack, logical_id).text if declared is None else resolve(declared, stack, parameters)
        if resource_type == "AWS::Scheduler::Schedule":  # unique within its group ("default" if none)
            name = f"{resolve(properties.get('GroupName', 'default'), stack, parameters)}/{name}"
        assert (resource_type, name) not in names, (logical_id, names.get((resource_type, name)))
        names[(resource_type, name)] = logical_id
    return names


def test_staging_and_prod_share_no_physical_name() -> None:
    staging, prod = physical_names("staging"), physical_names("prod")

    assert len(staging) == len(prod) > 50
    assert {key: staging[key] for key in staging.keys() & prod.keys()} == {}


def test_schedules_take_generated_names_in_the_stacks_own_group() -> None:
    """SAM names a ScheduleV2 schedule after its logical id unless told otherwise: that collided."""
    schedules = list(of_type(transformed(Stage="prod"), "AWS::Scheduler::Schedule").values())

    assert len(schedules) == 3
    for schedule in schedules:
        assert "Name" not in schedule["Properties"]
        assert schedule["Properties"]["GroupName"] == {"Ref": "ScheduleGroup"}


@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_stage_scoped_names_carry_the_stage(stage: str) -> None:
    names = physical_names(stage)

    assert ("AWS::Events::EventBus", f"trackguard-{stage}") in names
    assert ("AWS::Lambda::LayerVersion", f"trackguard-shared-{stage}") in names


def test_schedules_named_as_sam_names_them_by_default_would_collide() -> None:
    """What the template did before: no OmitName (SAM names a schedule after its logical id) and no
    group of the stack's own (every schedule in the account's default group)."""

    def with_default_schedule_names(stage: str) -> dict[str, Any]:
        template = transformed(Stage=stage)
        for logical_id, schedule in of_type(template, "AWS::Scheduler::Schedule").items():
            schedule["Properties"]["Name"] = logical_id
            del schedule["Properties"]["GroupName"]
        return template

    staging = physical_names("staging", with_default_schedule_names("staging"))
    prod = physical_names("prod", with_default_schedule_names("prod"))

    assert sorted(staging[key] for key in staging.keys() & prod.keys()) == [
        "ReconcilePlannerFunctionSchedule",
        "ReportFunctionSchedule",
        "TokenRefreshFunctionSchedule",
    ]
