"""Template reading: short and long intrinsic forms, resource attributes, Globals, Conditions."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from trackguard_dev.local.template import Resolver, TemplateError, load_template, resolve_parameters

TEMPLATE = """
Parameters:
  Stage: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: "a, b ,c"}
  Secret: {Type: String}
  Shards: {Type: Number, Default: 8}
Mappings:
  Sizes:
    dev: {memory: 256}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsNotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsNotProd, !Equals [a, a]]
  Either: {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": ["x", "x"]}]}
Globals:
  Function:
    Timeout: 10
    Layers: [!Ref Layer]
    Environment:
      Variables:
        TABLE: !Ref Table
        STAGE: !Ref Stage
Resources:
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties: {LayerName: shared, ContentUri: shared/}
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: !Sub "orders-${Stage}"}
  Queue:
    Type: AWS::SQS::Queue
  Fifo:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true}
  Bucket:
    Type: AWS::S3::Bucket
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: bus-dev}
  ProdOnly:
    Type: AWS::S3::Bucket
    Condition: IsProd
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/fn/
      Timeout: 30
      Environment:
        Variables:
          QUEUE: !Ref Queue
"""


@pytest.fixture
def resolver(tmp_path: Path) -> Resolver:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    template = load_template(path)
    parameters = resolve_parameters(template, {"Secret": "arn:secret"})
    return Resolver(template, parameters, queue_endpoint="http://127.0.0.1:5000", api_url="http://api")


def test_parameters_take_local_values_then_defaults_and_split_lists(resolver: Resolver) -> None:
    assert resolver.resolve({"Ref": "Secret"}) == "arn:secret"
    assert resolver.resolve({"Ref": "Stage"}) == "dev"
    assert resolver.resolve({"Ref": "Names"}) == ["a", "b", "c"]
    assert resolver.resolve({"Ref": "Shards"}) == "8"


def test_a_parameter_without_default_or_local_value_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    template = load_template(path)
    bare = Resolver(template, resolve_parameters(template, {}))

    with pytest.raises(TemplateError, match="Secret"):
        bare.resolve({"Ref": "Secret"})


def test_pseudo_parameters(resolver: Resolver) -> None:
    assert resolver.resolve({"Fn::Sub": "${AWS::Region}/${AWS::AccountId}/${AWS::StackName}"}) == (
        "us-east-1/000000000000/trackguard-local"
    )
    assert resolver.resolve({"Fn::Sub": "${AWS::Partition}.${AWS::URLSuffix}"}) == "aws.amazonaws.com"


def test_queue_attributes(resolver: Resolver) -> None:
    url = "http://127.0.0.1:5000/000000000000/trackguard-local-Queue"
    assert resolver.resolve({"Ref": "Queue"}) == url
    assert resolver.resolve({"Fn::GetAtt": ["Queue", "QueueUrl"]}) == url
    arn = resolver.resolve({"Fn::GetAtt": "Queue.Arn"})
    assert arn == "arn:aws:sqs:us-east-1:000000000000:trackguard-local-Queue"
    assert resolver.resolve({"Fn::GetAtt": ["Fifo", "QueueName"]}) == "trackguard-local-Fifo.fifo"


def test_table_bucket_bus_and_function_attributes(resolver: Resolver) -> None:
    assert resolver.resolve({"Ref": "Table"}) == "orders-dev"
    assert resolver.resolve({"Fn::GetAtt": ["Table", "Arn"]}) == (
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders-dev"
    )
    assert resolver.resolve({"Fn::GetAtt": ["Table", "StreamArn"]}).startswith(
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders-dev/stream/"
    )
    assert resolver.resolve({"Ref": "Bucket"}) == "trackguard-local-bucket"
    assert resolver.resolve({"Ref": "Bus"}) == "bus-dev"
    bus_arn = resolver.resolve({"Fn::GetAtt": ["Bus", "Arn"]})
    assert bus_arn == "arn:aws:events:us-east-1:000000000000:event-bus/bus-dev"
    assert resolver.resolve({"Ref": "Fn"}) == "trackguard-local-Fn"
    assert resolver.resolve({"Fn::GetAtt": ["Fn", "Arn"]}).endswith(":function:trackguard-local-Fn")


def test_an_attribute_learnt_at_creation_replaces_the_computed_one(resolver: Resolver) -> None:
    resolver.override_attribute("Queue", "Ref", "http://elsewhere/q")

    assert resolver.resolve({"Ref": "Queue"}) == "http://elsewhere/q"


def test_sub_with_variables_attributes_and_escapes(resolver: Resolver) -> None:
    text = "${Name}:${Table.Arn}:${!Literal}:${Stage}"
    value = resolver.resolve({"Fn::Sub": [text, {"Name": {"Ref": "Bus"}}]})

    assert value == "bus-dev:arn:aws:dynamodb:us-east-1:000000000000:table/orders-dev:${Literal}:dev"


def test_join_select_split_findinmap_base64_getazs(resolver: Resolver) -> None:
    assert resolver.resolve({"Fn::Join": ["-", ["a", {"Ref": "Stage"}]]}) == "a-dev"
    assert resolver.resolve({"Fn::Select": [1, {"Ref": "Names"}]}) == "b"
    assert resolver.resolve({"Fn::Split": [",", "x,y"]}) == ["x", "y"]
    assert resolver.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "memory"]}) == 256
    assert resolver.resolve({"Fn::FindInMap": ["Sizes", "prod", "memory", {"DefaultValue": 1}]}) == 1
    assert base64.b64decode(resolver.resolve({"Fn::Base64": "hi"})) == b"hi"
    assert resolver.resolve({"Fn::GetAZs": ""})[0] == "us-east-1a"


def test_conditions_and_if_with_no_value(resolver: Resolver) -> None:
    properties = {
        "Kept": {"Fn::If": ["IsNotProd", "yes", "no"]},
        "Dropped": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]},
        "List": ["a", {"Fn::If": ["IsProd", "b", {"Ref": "AWS::NoValue"}]}],
    }

    assert resolver.resolve(properties) == {"Kept": "yes", "List": ["a"]}
    assert resolver.condition("Both") is True
    assert resolver.condition("Either") is True
    assert resolver.is_enabled("ProdOnly") is False
    assert resolver.is_enabled("Bucket") is True


def test_short_form_tags_load_as_long_forms(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"
        "Outputs:\n"
        "  A: {Value: !GetAtt Q.Arn}\n"
        "  B: {Value: !Sub ['${X}', {X: !Ref Q}]}\n"
        "  C: {Value: !If [Cond, !Base64 x, !ImportValue y]}\n"
        "  D: {Value: !Select [0, !Split [',', !Join [',', [a, b]]]]}\n"
        "  E: {Value: !FindInMap [M, k, v]}\n"
        "  F: {Value: !GetAZs ''}\n"
        "  G: {Value: !Or [!Not [!Condition C], !And [!Equals [1, 1]]]}\n"
    )
    outputs = load_template(path)["Outputs"]

    assert outputs["A"]["Value"] == {"Fn::GetAtt": ["Q", "Arn"]}
    assert outputs["B"]["Value"] == {"Fn::Sub": ["${X}", {"X": {"Ref": "Q"}}]}
    assert outputs["C"]["Value"] == {"Fn::If": ["Cond", {"Fn::Base64": "x"}, {"Fn::ImportValue": "y"}]}
    assert outputs["D"]["Value"] == {"Fn::Select": [0, {"Fn::Split": [",", {"Fn::Join": [",", ["a", "b"]]}]}]}
    assert outputs["E"]["Value"] == {"Fn::FindInMap": ["M", "k", "v"]}
    assert outputs["F"]["Value"] == {"Fn::GetAZs": ""}
    assert outputs["G"]["Value"] == {
        "Fn::Or": [{"Fn::Not": [{"Condition": "C"}]}, {"Fn::And": [{"Fn::Equals": [1, 1]}]}]
    }


def test_import_value_has_no_local_source(resolver: Resolver) -> None:
    with pytest.raises(TemplateError, match="ImportValue"):
        resolver.resolve({"Fn::ImportValue": "other-stack-output"})


def test_unknown_resource_is_an_error(resolver: Resolver) -> None:
    with pytest.raises(TemplateError, match="Nope"):
        resolver.resolve({"Ref": "Nope"})


def test_globals_merge_into_functions(resolver: Resolver) -> None:
    properties = resolver.resources["Fn"]["Properties"]

    assert properties["Timeout"] == 30
    assert properties["Layers"] == [{"Ref": "Layer"}]
    assert properties["Environment"]["Variables"] == {
        "TABLE": {"Ref": "Table"},
        "STAGE": {"Ref": "Stage"},
        "QUEUE": {"Ref": "Queue"},
    }
