"""Every failure mode of docs/operations.md has an alarm on its metric, for every resource of its scope."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest

from tests.unit.template.transform import ROOT, of_type, transformed

OPERATIONS = ROOT / "docs" / "operations.md"
OWN_NAMESPACE = "Trackguard"
_INSIGHTS = re.compile(r'^SELECT (?:SUM|MIN|MAX|AVG)\((\w+)\) FROM "([^"]+)"$')

Watched = tuple[str, str, str | None]
"""(namespace, metric, the logical id its dimension names, or None for a whole namespace)."""


def documented_modes() -> list[tuple[str, str, str, str]]:
    """(failure mode, namespace, metric, scope) of each row of the failure-mode table."""
    rows = []
    for line in OPERATIONS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`"):
            namespace, metric = cells[1].strip("`").split(" ")
            rows.append((cells[0], namespace, metric, cells[2]))
    return rows


def watched(alarm: dict[str, Any]) -> Watched:
    """What an alarm watches: a metric of one resource, or (Metrics Insights) a metric of a namespace."""
    if "Metrics" in alarm:
        [query] = alarm["Metrics"]
        match = _INSIGHTS.match(query["Expression"]["Fn::Sub"])
        assert match, query
        return match.group(2).split("/")[0], match.group(1), None
    [dimension] = alarm["Dimensions"]
    value = dimension["Value"]
    target = value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]
    return alarm["Namespace"], alarm["MetricName"], target


def scope(template: dict[str, Any], name: str) -> Sequence[str | None]:
    """The logical ids a documented scope covers in this template."""
    resources = template["Resources"]
    queues = of_type(template, "AWS::SQS::Queue")
    consumed = {
        m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
        for m in of_type(template, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][1] == "Arn"
    }
    scopes: dict[str, Sequence[str | None]] = {
        "every function": sorted(of_type(template, "AWS::Lambda::Function")),
        "every dead-letter queue": sorted(set(queues) - consumed),
        "every consumed queue": sorted(consumed),
        "every stream consumer": sorted(
            m["Properties"]["FunctionName"]["Ref"]
            for m in of_type(template, "AWS::Lambda::EventSourceMapping").values()
            if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
        ),
        "the HTTP API": sorted(of_type(template, "AWS::ApiGatewayV2::Api")),
        "the schedule group": sorted(of_type(template, "AWS::Scheduler::ScheduleGroup")),
        "the stage": [None],
    }
    assert all(target is None or target in resources for target in scopes[name])
    return scopes[name]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return transformed(Stage="prod")


@pytest.fixture(scope="module")
def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in of_type(template, "AWS::CloudWatch::Alarm").items()}


def test_every_documented_failure_mode_has_an_alarm_for_each_resource(
    template: dict[str, Any], alarms: dict[str, dict[str, Any]]
) -> None:
    covered = {watched(alarm) for alarm in alarms.values()}
    modes = documented_modes()
    missing = [
        (mode, metric, target)
        for mode, namespace, metric, scope_name in modes
        for target in scope(template, scope_name)
        if (namespace, metric, target) not in covered
    ]

    assert len(modes) >= 14
    assert missing == []


def test_every_alarm_watches_a_documented_failure_mode(alarms: dict[str, dict[str, Any]]) -> None:
    documented = {(namespace, metric) for _, namespace, metric, _ in documented_modes()}

    assert {name: watched(a)[:2] for name, a in alarms.items() if watched(a)[:2] not in documented} == {}


def test_the_dead_letter_queues_are_the_five_expected(template: dict[str, Any]) -> None:
    assert scope(template, "every dead-letter queue") == [
        "InvocationFailureDLQ",
        "ProcessingDLQ",
        "ReconcileDLQ",
        "ReportDLQ",
        "ScheduleDLQ",
        "StreamFailureDLQ",
    ]


def test_own_metrics_are_queried_in_the_stages_namespace(
    template: dict[str, Any], alarms: dict[str, dict[str, Any]]
) -> None:
    namespace = template["Resources"]["HealthFunction"]["Properties"]["Environment"]["Variables"][
        "POWERTOOLS_METRICS_NAMESPACE"
    ]
    queries = [a["Metrics"][0]["Expression"]["Fn::Sub"] for a in alarms.values() if "Metrics" in a]

    assert namespace == {"Fn::Sub": f"{OWN_NAMESPACE}/${{Stage}}"}
    assert len(queries) == 6
    assert all(query.endswith(f'FROM "{OWN_NAMESPACE}/${{Stage}}"') for query in queries)


def test_every_alarm_notifies_the_stacks_topic_or_the_given_one(alarms: dict[str, dict[str, Any]]) -> None:
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [
            {"Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmTopicArn"}]}
        ], name


def test_the_quota_alarm_fires_below_its_threshold_parameter(alarms: dict[str, dict[str, Any]]) -> None:
    quota = alarms["SeventeenTrackQuotaAlarm"]

    assert watched(quota) == (OWN_NAMESPACE, "SeventeenTrackQuotaRemaining", None)
    assert quota["ComparisonOperator"] == "LessThanThreshold"
    assert quota["Threshold"] == {"Ref": "SeventeenTrackQuotaAlarmThreshold"}


def test_the_dashboard_shows_every_alarm(template: dict[str, Any], alarms: dict[str, dict[str, Any]]) -> None:
    [dashboard] = of_type(template, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]

    assert set(re.findall(r'"\$\{(\w+)\.Arn\}"', body)) == set(alarms)


@pytest.mark.parametrize(
    ("parameters", "topic_created", "subscribed"),
    [
        ({}, True, False),
        ({"AlarmEmail": "oncall@example.com"}, True, True),
        ({"AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:pager"}, False, False),
    ],
)
def test_the_topic_is_the_stacks_unless_one_is_given(
    parameters: dict[str, str], topic_created: bool, subscribed: bool
) -> None:
    template = transformed(Stage="prod")
    conditions = template["Conditions"]
    resources = template["Resources"]
    values = {"AlarmTopicArn": "", "AlarmEmail": "", **parameters}

    def holds(condition: str) -> bool:
        equals = conditions[condition].get("Fn::Equals") or conditions[condition]["Fn::Not"][0]["Fn::Equals"]
        result = values[equals[0]["Ref"]] == equals[1]
        return result if "Fn::Equals" in conditions[condition] else not result

    assert resources["AlarmTopic"]["Condition"] == "CreateAlarmTopic"
    assert resources["AlarmEmailSubscription"]["Condition"] == "HasAlarmEmail"
    assert (holds("CreateAlarmTopic"), holds("HasAlarmEmail")) == (topic_created, subscribed)
