"""Fuzzing the local stack over HTTP: the seller API from openapi.json (schemathesis), and the ingestion
routes' bodies (hypothesis). Never a 5xx; every 4xx carries the error shape {"error", "message"}.

The one allowed exception: API Gateway's own 401 for a request without an Authorization header is
{"message": "Unauthorized"} (the authorizer never runs), as the local stack reproduces it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Err, Ok

from tests.reliability.senders import CARRIER_ROUTES, SHOP_ROUTES, route_path
from tests.support.fakes import DictSecrets
from tests.support.stacks import Stack, real_stack
from trackguard.services.sellers import SellerSecrets, SellerService
from trackguard.storage.dynamo import Table
from trackguard.storage.store import Store

__all__ = ["real_stack"]

pytestmark = [pytest.mark.e2e, pytest.mark.reliability_slow]

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.json"
SELLER_ID = "fuzz-gear.myshopify.com"
EXAMPLES_PER_OPERATION = 25
EXAMPLES_PER_ROUTE = 40
INGESTION_REFUSALS = {400, 401, 413, 415}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


def register_seller(stack: Stack) -> str:
    client = boto3.client(
        "dynamodb",
        endpoint_url=stack.stack_file["dynamodb_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    [table_name] = client.list_tables()["TableNames"]
    store = Store.for_table(Table(table_name, client), due_shards=8)
    return SellerService(store.sellers, SellerSecrets(DictSecrets())).register(SELLER_ID).api_key


def answer_problem(status: int, body: Any) -> str | None:
    """What is wrong with an answer, or None: no 5xx, and the error shape on every 4xx."""
    if status >= 500:
        return f"{status} {body!r}"
    if status < 400:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str) and isinstance(body.get("message"), str):
        return None
    return f"{status} without the error shape: {body!r}"


def json_or_text(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text


def fuzz_operation(operation: Any, stack: Stack, api_key: str, tally: dict[str, int]) -> list[str]:
    problems: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)
    )
    def run(case: Any) -> None:
        if case.path_parameters and "seller_id" in case.path_parameters:
            case.path_parameters["seller_id"] = SELLER_ID
        response = case.call(base_url=stack.url, headers={"Authorization": f"Bearer {api_key}"}, timeout=10)
        problem = answer_problem(response.status_code, json_or_text(response))
        tally["cases_tried"] += 1
        tally["cases_passed"] += problem is None
        if problem:
            problems.append(f"{operation.method.upper()} {case.formatted_path}: {problem}")

    run()
    return problems


def test_the_seller_api_never_answers_5xx_and_its_4xx_carry_the_error_shape(
    real_stack: Stack, tally: dict[str, int]
) -> None:
    api_key = register_seller(real_stack)
    schema = schemathesis.openapi.from_path(OPENAPI)
    results = list(schema.get_all_operations())
    assert [result.err() for result in results if isinstance(result, Err)] == [], "openapi.json is valid"
    operations = [result.ok() for result in results if isinstance(result, Ok)]

    problems = [
        problem
        for operation in operations
        for problem in fuzz_operation(operation, real_stack, api_key, tally)
    ]

    assert len(operations) == 5
    assert problems == [], "\n".join(problems[:30])


def test_the_seller_api_without_a_key_is_the_contracts_401(real_stack: Stack) -> None:
    """The authorizer has no identity source (template.yaml): a request without the header reaches it,
    and the seller API answers the contract's error shape, not the gateway's bare ``Unauthorized``."""
    response = httpx.get(f"{real_stack.url}/sellers/{SELLER_ID}/flags", timeout=10)

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert "Authorization: Bearer" in response.json()["message"]


bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=2000),
)
content_types = st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""])


@pytest.mark.parametrize("route", [*SHOP_ROUTES, *CARRIER_ROUTES])
def test_ingestion_routes_refuse_random_bodies_with_a_shaped_4xx(
    route: str, real_stack: Stack, tally: dict[str, int]
) -> None:
    problems: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(body=bodies, content_type=content_types)
    def run(body: bytes, content_type: str) -> None:
        headers = {"content-type": content_type} if content_type else {}
        response = httpx.post(
            f"{real_stack.url}{route_path(route)}", content=body, headers=headers, timeout=10
        )
        payload = json_or_text(response)
        problem = answer_problem(response.status_code, payload)
        if problem is None and response.status_code not in INGESTION_REFUSALS:
            problem = f"{response.status_code} for an unsigned random body"
        tally["cases_tried"] += 1
        tally["cases_passed"] += problem is None
        if problem:
            problems.append(f"{route} {body[:80]!r} ({content_type}): {problem}")

    run()
    assert problems == [], "\n".join(problems[:30])
