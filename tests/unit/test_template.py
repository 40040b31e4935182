"""template.yaml lints clean, transforms offline, wires routes, queues, schedules and grants as designed."""

from __future__ import annotations

import ast
import copy
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from tests.support.lambda_events import FakeLambdaContext, api_event, load_function
from trackguard.rules.thresholds import Thresholds
from trackguard.settings import (
    EnvironmentSettings,
    ProcessorSettings,
    ReconcilePlannerSettings,
    ReconcileWorkerSettings,
    ReportScheduleSettings,
    ReportSettings,
    SellerApiSettings,
    Settings,
    TikTokAuthorizationSettings,
    TokenRefreshSettings,
)
from trackguard.sources.registry import CARRIER_SOURCES, SHOP_SOURCES
from trackguard.storage.dynamo import Table
from trackguard.storage.sellers import SellerRepository

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
CONTRACT = ROOT.parent / "shared" / "CONTRACT.md"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:trackguard/webhook-secrets-AbCdEf"
SHOP_TOKENS = (
    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:trackguard/shop-tokens/*"
)

WEBHOOK_ROUTES = {
    **{("POST", f"/webhooks/{name.replace('_', '-')}"): "ShopWebhookFunction" for name in SHOP_SOURCES},
    **{("POST", f"/webhooks/carriers/{name}"): "CarrierWebhookFunction" for name in CARRIER_SOURCES},
    ("HEAD", "/webhooks/carriers/ship24"): "CarrierWebhookFunction",
}
"""Every sender in the registry has its route, and Ship24's probe its HEAD."""
SELLER_ROUTES = {
    ("GET", "/sellers/{seller_id}/flags"): "SellerApiFunction",
    ("POST", "/sellers/{seller_id}/flags/{flag_id}/acknowledge"): "SellerApiFunction",
    ("GET", "/sellers/{seller_id}/orders/{order_id}"): "SellerApiFunction",
    ("GET", "/sellers/{seller_id}/reports/latest"): "SellerApiFunction",
}
ONBOARDING_ROUTES = {("GET", "/oauth/tiktok-shop/callback"): "TikTokOAuthFunction"}
OPEN_ROUTES = {**WEBHOOK_ROUTES, **ONBOARDING_ROUTES, ("GET", "/health"): "HealthFunction"}
ALL_ROUTES = {**OPEN_ROUTES, **SELLER_ROUTES}

THRESHOLD_PARAMETERS = {
    "missing_tracking_shipped_hours": "MissingTrackingShippedHours",
    "missing_tracking_paid_hours": "MissingTrackingPaidHours",
    "no_carrier_scan_hours": "NoCarrierScanHours",
    "scan_before_order_hours": "ScanBeforeOrderHours",
    "stalled_domestic_business_days": "StalledDomesticBusinessDays",
    "stalled_cross_border_business_days": "StalledCrossBorderBusinessDays",
    "customs_hold_days": "CustomsHoldDays",
}
CONTRACT_THRESHOLD_DEFAULTS = {
    "MissingTrackingShippedHours": 24,
    "MissingTrackingPaidHours": 72,
    "NoCarrierScanHours": 24,
    "ScanBeforeOrderHours": 24,
    "StalledDomesticBusinessDays": 5,
    "StalledCrossBorderBusinessDays": 10,
    "CustomsHoldDays": 3,
}
JUDGING_FUNCTIONS = ("ProcessorFunction", "ReconcileWorkerFunction")
POWERTOOLS_VARIABLES = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
LIBRARY_VARIABLES = {"PYDANTIC_DISABLE_PLUGINS"}
FUNCTION_SETTINGS: dict[str, type[EnvironmentSettings] | None] = {
    "HealthFunction": None,
    "ShopWebhookFunction": Settings,
    "CarrierWebhookFunction": Settings,
    "SellerAuthorizerFunction": Settings,
    "ProcessorFunction": ProcessorSettings,
    "ReconcilePlannerFunction": ReconcilePlannerSettings,
    "ReconcileWorkerFunction": ReconcileWorkerSettings,
    "SellerApiFunction": SellerApiSettings,
    "ReportFunction": ReportScheduleSettings,
    "ReportWorkerFunction": ReportSettings,
    "TikTokOAuthFunction": TikTokAuthorizationSettings,
    "TokenRefreshFunction": TokenRefreshSettings,
}
"""The settings model each function's service reads (the health function reads none)."""


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, errors = decode(str(TEMPLATE))
    assert not errors, errors
    assert decoded is not None
    return dict(decoded)


@pytest.fixture(scope="module")
def transformed(template: dict[str, Any]) -> dict[str, Any]:
    """What CloudFormation receives after `sam package`: local code paths become S3 URIs first."""
    packaged = copy.deepcopy(template)
    for resource in packaged["Resources"].values():
        properties = resource.get("Properties", {})
        for code_property in ("CodeUri", "ContentUri"):
            if code_property in properties:
                properties[code_property] = f"s3://artifacts/{properties[code_property]}"
    translator = Translator({}, Parser(), boto_session=boto3.Session(region_name="us-east-1"))
    result: dict[str, Any] = translator.translate(packaged, {"WebhookSecretsArn": SECRET_ARN})
    return result


def functions_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def http_operations(transformed: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    apis = [r for r in transformed["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    assert len(apis) == 1
    paths: dict[str, dict[str, Any]] = apis[0]["Properties"]["Body"]["paths"]
    return {
        (method.upper(), path): operation
        for path, operations in paths.items()
        for method, operation in operations.items()
    }


def describe(value: Any) -> str:
    """A policy resource as readable text: ``Table.Arn``, ``${Table.Arn}/index/DueIndex``, ``Ref:X``."""
    if isinstance(value, str):
        return value
    if "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return ".".join(target) if isinstance(target, list) else str(target)
    if "Ref" in value:
        return f"Ref:{value['Ref']}"
    if "Fn::Sub" in value:
        return str(value["Fn::Sub"])
    raise AssertionError(f"unexpected policy resource {value!r}")


def statements(transformed: dict[str, Any], function: str) -> list[dict[str, Any]]:
    """The role's inline statements; one under ``Fn::If`` counts as granted (its condition may hold)."""
    role = transformed["Resources"][f"{function}Role"]["Properties"]
    return [
        statement["Fn::If"][1] if "Fn::If" in statement else statement
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants(transformed: dict[str, Any], function: str) -> dict[str, set[str]]:
    """Every inline action of a function's role, with the resources it is allowed on."""
    found: dict[str, set[str]] = {}
    for statement in statements(transformed, function):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            found.setdefault(action, set()).update(describe(r) for r in as_list(statement["Resource"]))
    return found


def environment(template: dict[str, Any], function: str) -> dict[str, Any]:
    shared: dict[str, Any] = template["Globals"]["Function"]["Environment"]["Variables"]
    own: dict[str, Any] = functions_of(template)[function]["Properties"]["Environment"]["Variables"]
    return {**shared, **own}


def contract_routes() -> Iterator[tuple[str, str]]:
    """(method, path) of every route in the tables of CONTRACT §2."""
    section = CONTRACT.read_text(encoding="utf-8").split("## 2.", 1)[1].split("## 3.", 1)[0]
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split(" | ", 1)[0]
        path = re.search(r"(/[^\s`?]+)", first_cell)
        assert path, line
        for method in re.findall(r"\b(GET|POST|HEAD|PUT|PATCH|DELETE)\b", first_cell):
            yield method, path.group(1)


def test_cfn_lint_finds_nothing() -> None:
    matches = lint_file(TEMPLATE, ManualArgs(regions=["us-east-1"]))
    assert [str(match) for match in matches] == []


@pytest.mark.skipif(not CONTRACT.exists(), reason="the shared contract is not beside this checkout")
def test_the_route_list_here_is_the_contracts() -> None:
    assert set(contract_routes()) == set(ALL_ROUTES)


def test_every_route_is_served_by_its_function(transformed: dict[str, Any]) -> None:
    operations = http_operations(transformed)

    assert set(operations) == set(ALL_ROUTES)
    for route, function in ALL_ROUTES.items():
        integration = operations[route]["x-amazon-apigateway-integration"]
        assert integration["payloadFormatVersion"] == "2.0"
        assert integration["uri"]["Fn::Sub"].endswith(f"${{{function}.Arn}}/invocations")


def test_seller_routes_use_the_authorizer_and_others_do_not(transformed: dict[str, Any]) -> None:
    operations = http_operations(transformed)

    for route in SELLER_ROUTES:
        assert operations[route]["security"] == [{"SellerAuthorizer": []}]
    for route in OPEN_ROUTES:
        assert "security" not in operations[route]


def test_the_authorizer_sees_every_request_uncached(transformed: dict[str, Any]) -> None:
    """No cache, so a revoked key is refused on its next request (CONTRACT §2: within 5 seconds); no
    identity source, so a request without the header reaches it and gets the contract's JSON 401."""
    api = transformed["Resources"]["HttpApi"]["Properties"]["Body"]
    authorizer = api["components"]["securitySchemes"]["SellerAuthorizer"]["x-amazon-apigateway-authorizer"]

    assert authorizer["authorizerPayloadFormatVersion"] == "2.0"
    assert authorizer["enableSimpleResponses"] is True
    assert authorizer["authorizerResultTtlInSeconds"] == 0
    assert authorizer["identitySource"] == []
    assert authorizer["authorizerUri"]["Fn::Sub"][1] == {
        "__FunctionArn__": {"Fn::GetAtt": ["SellerAuthorizerFunction", "Arn"]}
    }
    permissions = [
        resource["Properties"]
        for resource in transformed["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Permission"
        and resource["Properties"]["FunctionName"] == {"Fn::GetAtt": ["SellerAuthorizerFunction", "Arn"]}
    ]
    assert [permission["Principal"] for permission in permissions] == ["apigateway.amazonaws.com"]


def test_the_api_logs_access_and_throttles(template: dict[str, Any]) -> None:
    api = template["Resources"]["HttpApi"]["Properties"]

    assert api["FailOnWarnings"] is True
    assert api["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    assert api["AccessLogSettings"]["Format"].startswith("{")
    assert api["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert "DefaultAuthorizer" not in api["Auth"]


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("HealthFunction", {}),
        ("SellerAuthorizerFunction", {"dynamodb:GetItem": {"Table.Arn"}}),
        (
            "ReconcilePlannerFunction",
            {
                "dynamodb:Query": {"${Table.Arn}/index/DueIndex"},
                "sqs:SendMessage": {"ReconcileQueue.Arn", "InvocationFailureDLQ.Arn"},
            },
        ),
        (
            "ShopWebhookFunction",
            {
                "dynamodb:PutItem": {"Table.Arn"},
                "secretsmanager:GetSecretValue": {"Ref:WebhookSecretsArn"},
            },
        ),
        (
            "CarrierWebhookFunction",
            {
                "dynamodb:BatchWriteItem": {"Table.Arn"},
                "secretsmanager:GetSecretValue": {"Ref:WebhookSecretsArn"},
            },
        ),
        (
            "TikTokOAuthFunction",
            {
                "dynamodb:GetItem": {"Table.Arn"},
                "dynamodb:PutItem": {"Table.Arn"},
                "dynamodb:UpdateItem": {"Table.Arn"},
                "dynamodb:DeleteItem": {"Table.Arn"},
                "dynamodb:ConditionCheckItem": {"Table.Arn"},
                "dynamodb:Query": {"${Table.Arn}/index/GSI2"},
                "sqs:SendMessage": {"ProcessingQueue.Arn"},
                "secretsmanager:GetSecretValue": {"Ref:WebhookSecretsArn"},
                "secretsmanager:PutSecretValue": {SHOP_TOKENS},
                "secretsmanager:CreateSecret": {SHOP_TOKENS},
            },
        ),
        (
            "TokenRefreshFunction",
            {
                "dynamodb:GetItem": {"Table.Arn"},
                "dynamodb:PutItem": {"Table.Arn"},
                "dynamodb:UpdateItem": {"Table.Arn"},
                "dynamodb:DeleteItem": {"Table.Arn"},
                "dynamodb:Query": {"${Table.Arn}/index/GSI1"},
                "secretsmanager:GetSecretValue": {"Ref:WebhookSecretsArn", SHOP_TOKENS},
                "secretsmanager:PutSecretValue": {SHOP_TOKENS},
                "sqs:SendMessage": {"InvocationFailureDLQ.Arn"},
            },
        ),
    ],
)
def test_narrow_functions_hold_exactly_their_grants(
    transformed: dict[str, Any], function: str, expected: dict[str, set[str]]
) -> None:
    assert grants(transformed, function) == expected


def test_no_function_can_scan_or_use_wildcard_actions(
    template: dict[str, Any], transformed: dict[str, Any]
) -> None:
    for function in functions_of(template):
        for action, resources in grants(transformed, function).items():
            assert action != "dynamodb:Scan", function
            assert "*" not in action, (function, action)
            assert "*" not in resources, (function, action)


def test_only_the_functions_that_resolve_flags_delete(
    template: dict[str, Any], transformed: dict[str, Any]
) -> None:
    """Resolving a flag deletes its open-flag guard in a transaction; nothing else removes items. The
    callback (a seller authorised again) and the refresher (a refresh works again) resolve
    REAUTHORIZATION_NEEDED."""
    deleting = {f for f in functions_of(template) if "dynamodb:DeleteItem" in grants(transformed, f)}

    assert deleting == {*JUDGING_FUNCTIONS, "TikTokOAuthFunction", "TokenRefreshFunction"}


def test_secrets_are_read_only_where_needed(template: dict[str, Any], transformed: dict[str, Any]) -> None:
    readers = {
        function: grants(transformed, function).get("secretsmanager:GetSecretValue", set())
        for function in functions_of(template)
    }
    secrets = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
    shop_tokens = f"{secrets}trackguard/shop-tokens/*"
    seller_secrets = f"{secrets}trackguard/seller-secrets/*"

    assert {f for f, resources in readers.items() if resources} == {
        "ShopWebhookFunction",
        "CarrierWebhookFunction",
        "ProcessorFunction",
        "ReconcileWorkerFunction",
        "ReportWorkerFunction",
        "TikTokOAuthFunction",
        "TokenRefreshFunction",
    }
    assert readers["ProcessorFunction"] == {"Ref:WebhookSecretsArn", shop_tokens, seller_secrets}
    assert readers["ReconcileWorkerFunction"] == {"Ref:WebhookSecretsArn"}
    assert readers["ReportWorkerFunction"] == {seller_secrets}
    for function in ("ProcessorFunction", "TikTokOAuthFunction", "TokenRefreshFunction"):
        token_prefix = environment(template, function)["SHOP_TOKENS_SECRET_PREFIX"]
        assert f"{secrets}{token_prefix}*" == shop_tokens
    for function in ("ProcessorFunction", "ReportWorkerFunction"):
        assert f"{secrets}{environment(template, function)['SELLER_SECRETS_PREFIX']}*" == seller_secrets


def test_only_the_processor_deletes_secrets_and_only_its_own(transformed: dict[str, Any]) -> None:
    """shop/redact erases a shop's tokens and report-webhook secret; nothing else deletes a secret."""
    secrets = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
    deleters = {
        function: grants(transformed, function).get("secretsmanager:DeleteSecret", set())
        for function in (
            "ShopWebhookFunction",
            "ProcessorFunction",
            "ReportWorkerFunction",
            "SellerApiFunction",
        )
    }

    assert deleters == {
        "ShopWebhookFunction": set(),
        "ProcessorFunction": {f"{secrets}trackguard/shop-tokens/*", f"{secrets}trackguard/seller-secrets/*"},
        "ReportWorkerFunction": set(),
        "SellerApiFunction": set(),
    }


def test_the_authorizer_reads_api_key_items_only(transformed: dict[str, Any]) -> None:
    """Its one GetItem is limited to ``APIKEY#…`` partitions and the key's own fields."""
    [statement] = statements(transformed, "SellerAuthorizerFunction")

    assert statement["Action"] == "dynamodb:GetItem"
    assert statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == ["APIKEY#*"]
    allowed = set(statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])
    assert "webhook_secret" not in allowed
    assert "email" not in allowed
    assert statement["Condition"]["StringEqualsIfExists"]["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"


def test_only_the_token_keepers_write_shop_tokens(
    template: dict[str, Any], transformed: dict[str, Any]
) -> None:
    """The callback creates a shop's secret, the refresher and a 105002 renew it, a type 6 erases it."""
    writers = {
        action: {f for f in functions_of(template) if action in grants(transformed, f)}
        for action in (
            "secretsmanager:CreateSecret",
            "secretsmanager:PutSecretValue",
            "secretsmanager:DeleteSecret",
        )
    }

    assert writers == {
        "secretsmanager:CreateSecret": {"TikTokOAuthFunction"},
        "secretsmanager:PutSecretValue": {"TikTokOAuthFunction", "TokenRefreshFunction", "ProcessorFunction"},
        "secretsmanager:DeleteSecret": {"ProcessorFunction"},
    }
    for function in ("TikTokOAuthFunction", "TokenRefreshFunction", "ProcessorFunction"):
        for action in ("secretsmanager:PutSecretValue",):
            assert grants(transformed, function)[action] == {SHOP_TOKENS}


def test_report_objects_are_reached_under_reports_only(transformed: dict[str, Any]) -> None:
    seller_api = grants(transformed, "SellerApiFunction")
    reports = grants(transformed, "ReportWorkerFunction")

    assert seller_api["s3:GetObject"] == {"${ReportsBucket.Arn}/reports/*"}
    assert "s3:PutObject" not in seller_api
    assert reports["s3:PutObject"] == {"${ReportsBucket.Arn}/reports/*"}
    for function in ("SellerApiFunction", "ReportWorkerFunction"):
        listing = [s for s in statements(transformed, function) if s["Action"] == "s3:ListBucket"]
        assert [s["Condition"] for s in listing] == [{"StringLike": {"s3:prefix": "reports/*"}}]
    sending = [
        s for s in statements(transformed, "ReportWorkerFunction") if "ses:SendRawEmail" in s["Action"]
    ]
    assert [s["Condition"] for s in sending] == [
        {"StringEquals": {"ses:FromAddress": {"Ref": "ReportSenderEmail"}}}
    ]
    [conditional] = [
        s
        for p in transformed["Resources"]["ReportWorkerFunctionRole"]["Properties"]["Policies"]
        for s in p["PolicyDocument"]["Statement"]
        if "Fn::If" in s
    ]
    assert conditional["Fn::If"][0] == "SendsReportEmails"
    assert conditional["Fn::If"][2] == {"Ref": "AWS::NoValue"}


def test_judging_functions_publish_to_the_bus_only(
    template: dict[str, Any], transformed: dict[str, Any]
) -> None:
    publishers = {f: grants(transformed, f).get("events:PutEvents") for f in functions_of(template)}

    assert {f: r for f, r in publishers.items() if r} == {f: {"EventBus.Arn"} for f in JUDGING_FUNCTIONS}


def test_every_threshold_is_a_parameter_with_the_contract_default(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]

    assert set(THRESHOLD_PARAMETERS) == set(Thresholds.model_fields)
    for field, parameter in THRESHOLD_PARAMETERS.items():
        assert parameters[parameter]["Type"] == "Number"
        assert float(parameters[parameter]["Default"]) == CONTRACT_THRESHOLD_DEFAULTS[parameter]
        assert float(parameters[parameter]["Default"]) == Thresholds.model_fields[field].default


@pytest.mark.parametrize("function", JUDGING_FUNCTIONS)
def test_judging_functions_receive_every_threshold(template: dict[str, Any], function: str) -> None:
    variables = environment(template, function)

    for field, parameter in THRESHOLD_PARAMETERS.items():
        assert variables[field.upper()] == {"Ref": parameter}


def test_every_environment_variable_is_read_by_the_code(template: dict[str, Any]) -> None:
    """A misspelt variable would be silently ignored by the settings models."""
    readable = set().union(*(model.variables() for model in FUNCTION_SETTINGS.values() if model))
    readable |= POWERTOOLS_VARIABLES | {"LOG_LEVEL"} | LIBRARY_VARIABLES

    for function in functions_of(template):
        variables = environment(template, function)
        assert set(variables) <= readable, function
        assert variables["POWERTOOLS_SERVICE_NAME"]


def test_every_function_has_its_settings_model_here(template: dict[str, Any]) -> None:
    assert set(functions_of(template)) == set(FUNCTION_SETTINGS)


def deployed_value(template: dict[str, Any], value: Any) -> str:
    """A variable's value as a deployment would see it: a parameter's default, else a resource's name."""
    if isinstance(value, dict) and "Ref" in value:
        parameter = template["Parameters"].get(value["Ref"])
        return str(parameter["Default"]) if parameter and "Default" in parameter else f"{value['Ref']}-name"
    return str(value)


@pytest.mark.parametrize("function", sorted(name for name, model in FUNCTION_SETTINGS.items() if model))
def test_the_template_gives_each_function_every_variable_its_settings_require(
    template: dict[str, Any], function: str
) -> None:
    model = FUNCTION_SETTINGS[function]
    assert model is not None
    variables = environment(template, function)

    assert set(model.required_variables()) <= set(variables)
    settings = model.from_environ(
        {name: deployed_value(template, value) for name, value in variables.items()}
    )
    assert type(settings) is model


def test_functions_get_their_resources(template: dict[str, Any]) -> None:
    expected: dict[str, dict[str, Any]] = {
        "ProcessorFunction": {
            "TIKTOK_SHOP_API_BASE_URL": {"Ref": "TikTokShopApiBaseUrl"},
            "TIKTOK_SHOP_AUTH_BASE_URL": {"Ref": "TikTokShopAuthBaseUrl"},
        },
        "TikTokOAuthFunction": {
            "TIKTOK_SHOP_API_BASE_URL": {"Ref": "TikTokShopApiBaseUrl"},
            "TIKTOK_SHOP_AUTH_BASE_URL": {"Ref": "TikTokShopAuthBaseUrl"},
            "TIKTOK_SHOP_SERVICE_ID": {"Ref": "TikTokShopServiceId"},
        },
        "TokenRefreshFunction": {"TIKTOK_SHOP_AUTH_BASE_URL": {"Ref": "TikTokShopAuthBaseUrl"}},
        "ReconcilePlannerFunction": {"RECONCILE_QUEUE_URL": {"Ref": "ReconcileQueue"}},
        "ReconcileWorkerFunction": {"SEVENTEEN_TRACK_API_BASE_URL": {"Ref": "SeventeenTrackApiBaseUrl"}},
        "SellerApiFunction": {"REPORTS_BUCKET": {"Ref": "ReportsBucket"}},
        "ReportFunction": {"REPORT_QUEUE_URL": {"Ref": "ReportQueue"}},
        "ReportWorkerFunction": {
            "REPORTS_BUCKET": {"Ref": "ReportsBucket"},
            "REPORT_SENDER_EMAIL": {"Fn::If": ["SendsReportEmails", {"Ref": "ReportSenderEmail"}, ""]},
            "ALLOW_LOOPBACK_WEBHOOKS": {"Ref": "AllowLoopbackWebhooks"},
        },
    }
    for function, variables in expected.items():
        assert variables.items() <= environment(template, function).items(), function
    assert environment(template, "HealthFunction")["TABLE_NAME"] == {"Ref": "Table"}


def test_every_code_uri_holds_an_app_with_a_lambda_handler(template: dict[str, Any]) -> None:
    for function, resource in functions_of(template).items():
        app = ROOT / resource["Properties"]["CodeUri"] / "app.py"
        tree = ast.parse(app.read_text(encoding="utf-8"))
        handlers = [
            node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "lambda_handler"
        ]
        assert [len(handler.args.args) for handler in handlers] == [2], function


def test_functions_run_on_arm64_python_312_with_the_layer(transformed: dict[str, Any]) -> None:
    lambdas = [
        r["Properties"] for r in transformed["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
    ]

    assert len(lambdas) == 12
    for function in lambdas:
        assert function["Runtime"] == "python3.12"
        assert function["Architectures"] == ["arm64"]
        assert function["TracingConfig"] == {"Mode": "Active"}
        assert len(function["Layers"]) == 1


def test_webhook_functions_answer_fast(template: dict[str, Any]) -> None:
    functions = functions_of(template)

    for function in ("ShopWebhookFunction", "CarrierWebhookFunction"):
        assert functions[function]["Properties"]["Timeout"] < 10
        assert functions[function]["Properties"]["MemorySize"] >= 1024


@pytest.mark.parametrize(
    ("queue", "dead_letter_queue", "consumer"),
    [
        ("ProcessingQueue", "ProcessingDLQ", "ProcessorFunction"),
        ("ReconcileQueue", "ReconcileDLQ", "ReconcileWorkerFunction"),
        ("ReportQueue", "ReportDLQ", "ReportWorkerFunction"),
    ],
)
def test_queues_redrive_to_an_alarmed_dlq(
    template: dict[str, Any], queue: str, dead_letter_queue: str, consumer: str
) -> None:
    resources = template["Resources"]
    properties = resources[queue]["Properties"]
    function = resources[consumer]["Properties"]
    alarms = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and r["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letter_queue, "QueueName"]}}]
    ]

    assert properties["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [dead_letter_queue, "Arn"]}
    assert properties["RedrivePolicy"]["maxReceiveCount"] == 5
    assert properties["VisibilityTimeout"] >= 6 * function["Timeout"]
    assert resources[dead_letter_queue]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert [(a["MetricName"], a["Threshold"], a["ComparisonOperator"]) for a in alarms] == [
        ("ApproximateNumberOfMessagesVisible", 0, "GreaterThanThreshold")
    ]
    events = [e["Properties"] for e in function["Events"].values() if e["Type"] == "SQS"]
    assert [(e["Queue"], e["FunctionResponseTypes"]) for e in events] == [
        ({"Fn::GetAtt": [queue, "Arn"]}, ["ReportBatchItemFailures"])
    ]


def test_every_function_has_an_errors_alarm(template: dict[str, Any]) -> None:
    alarmed = {
        r["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("MetricName") == "Errors"
    }

    assert alarmed == set(functions_of(template))


def test_token_refresh_failures_alarm_from_both_functions_that_refresh(template: dict[str, Any]) -> None:
    """The schedule and the processor (renewing on a 105002) both count TokenRefreshFailures: the alarm
    sums the metric over the stage's whole namespace, whichever function (service) emitted it."""
    alarm = template["Resources"]["TokenRefreshFailuresAlarm"]["Properties"]
    [query] = alarm["Metrics"]
    namespaces = {
        f: environment(template, f)["POWERTOOLS_METRICS_NAMESPACE"]
        for f in ("TokenRefreshFunction", "ProcessorFunction")
    }

    assert query["Expression"] == {"Fn::Sub": 'SELECT SUM(TokenRefreshFailures) FROM "Trackguard/${Stage}"'}
    assert list(namespaces.values()) == [{"Fn::Sub": "Trackguard/${Stage}"}] * 2
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert alarm["AlarmActions"] == [
        {"Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmTopicArn"}]}
    ]


@pytest.mark.parametrize(
    ("function", "parameter", "default"),
    [
        ("ReconcilePlannerFunction", "ReconcileSchedule", "rate(15 minutes)"),
        ("ReportFunction", "ReportSchedule", "rate(1 hour)"),
        ("TokenRefreshFunction", "TokenRefreshSchedule", "rate(1 hour)"),
    ],
)
def test_schedules(template: dict[str, Any], function: str, parameter: str, default: str) -> None:
    events = functions_of(template)[function]["Properties"]["Events"].values()

    assert [(e["Type"], e["Properties"]["ScheduleExpression"]) for e in events] == [
        ("ScheduleV2", {"Ref": parameter})
    ]
    assert template["Parameters"][parameter]["Default"] == default


def test_the_table_has_the_keys_and_indexes_the_code_queries(template: dict[str, Any]) -> None:
    table = template["Resources"]["Table"]
    properties = table["Properties"]
    indexes = {index["IndexName"]: index for index in properties["GlobalSecondaryIndexes"]}

    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert [k["AttributeName"] for k in properties["KeySchema"]] == ["pk", "sk"]
    assert {name: [k["AttributeName"] for k in index["KeySchema"]] for name, index in indexes.items()} == {
        "GSI1": ["gsi1pk", "gsi1sk"],
        "GSI2": ["gsi2pk", "gsi2sk"],
        "DueIndex": ["due_pk", "due_sk"],
    }
    assert indexes["DueIndex"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_the_reports_bucket_is_private_and_expires_reports(template: dict[str, Any]) -> None:
    bucket = template["Resources"]["ReportsBucket"]["Properties"]

    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert [(r["Prefix"], r["ExpirationInDays"]) for r in bucket["LifecycleConfiguration"]["Rules"]] == [
        ("reports/", 90),
        ("exports/", 30),
    ]


def test_outputs_name_every_webhook_url(template: dict[str, Any]) -> None:
    urls = {
        output["Value"]["Fn::Sub"].split("${AWS::URLSuffix}", 1)[1]
        for name, output in template["Outputs"].items()
        if name.endswith("WebhookUrl")
    }

    assert urls == {path for _, path in WEBHOOK_ROUTES}


def test_samconfig_environments_deploy_with_only_the_secret_arn_missing(template: dict[str, Any]) -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    required = {name for name, p in template["Parameters"].items() if "Default" not in p}

    assert config["version"] == 0.1
    assert required == {"WebhookSecretsArn"}
    for env, stage in (("default", "dev"), ("staging", "staging"), ("prod", "prod")):
        deploy = config[env]["deploy"]["parameters"]
        overrides = dict(pair.split("=", 1) for pair in deploy["parameter_overrides"].split())
        assert set(overrides) <= set(template["Parameters"]), env
        assert overrides["Stage"] == stage
        assert (
            deploy["stack_name"] == config[env]["global"]["parameters"]["stack_name"] == f"trackguard-{stage}"
        )
        assert set(deploy["capabilities"].split()) == {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}
    assert config["prod"]["deploy"]["parameters"]["confirm_changeset"] is True
    assert config["prod"]["deploy"]["parameters"]["parameter_overrides"].count("LogLevel=INFO") == 1


@pytest.mark.filterwarnings("ignore:No application metrics")
def test_health_answers_ok_and_unknown_routes_404() -> None:
    health = load_function("health")

    answer = health.lambda_handler(api_event("GET", "/health", None), FakeLambdaContext())
    missing = health.lambda_handler(api_event("GET", "/nowhere", None), FakeLambdaContext())

    assert (answer["statusCode"], answer["body"]) == (200, '{"status":"ok"}')
    assert missing["statusCode"] == 404
    assert missing["headers"]["Content-Type"] == "application/json"


def test_the_authorizers_read_asks_only_for_what_its_policy_allows(transformed: dict[str, Any]) -> None:
    """The key lookup projects the key's own fields; an attribute outside the policy would be denied."""

    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    requests: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.dynamodb.GetItem", lambda params, **_: requests.append(params)
    )
    with Stubber(client) as dynamodb:
        dynamodb.add_response("get_item", {})
        SellerRepository(Table("t", client)).find_key("0" * 64)
    [request] = requests
    names = request.get("ExpressionAttributeNames", {})
    projected = {names.get(part.strip(), part.strip()) for part in request["ProjectionExpression"].split(",")}
    [statement] = statements(transformed, "SellerAuthorizerFunction")
    allowed = set(statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])

    assert request["Key"]["pk"]["S"].startswith("APIKEY#")
    assert projected <= allowed
    assert {"seller_id", "key_id", "status"} <= projected


def test_every_alarm_on_a_project_metric_watches_a_metric_the_code_emits(template: dict[str, Any]) -> None:
    """An alarm on a metric name no code emits never fires: the names must match the code's exactly."""
    source = "\n".join(path.read_text() for path in (ROOT / "shared" / "trackguard").rglob("*.py"))
    watched = {
        match
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
        for metric in resource["Properties"].get("Metrics", [])
        for match in re.findall(r"SELECT \w+\((\w+)\) FROM \"Trackguard", str(metric.get("Expression", "")))
    }

    assert watched, "the project's own metrics are alarmed"
    assert sorted(name for name in watched if f'"{name}"' not in source) == []
