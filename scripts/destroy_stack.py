"""`make destroy ENV=...`: empty the stack's reports bucket, delete the stack, say what was kept.

CloudFormation cannot delete a bucket that still holds objects, and reports are rebuilt from the
table, so the bucket is emptied first. The table has DeletionPolicy Retain: it outlives the stack with
every order, flag and seller key, and this prints its name so it can be deleted by hand when wanted.

    python scripts/destroy_stack.py trackguard-staging
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

BUCKET_ID = "ReportsBucket"
WAIT = {"Delay": 15, "MaxAttempts": 120}  # up to 30 minutes


def physical_ids(cloudformation: Any, stack: str) -> dict[str, tuple[str, str]]:
    """logical id → (resource type, physical id) of every resource of the stack."""
    found: dict[str, tuple[str, str]] = {}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack):
        for resource in page["StackResourceSummaries"]:
            found[resource["LogicalResourceId"]] = (
                resource["ResourceType"],
                resource.get("PhysicalResourceId", ""),
            )
    return found


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object (and version, should versioning ever be turned on); returns how many."""
    deleted = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        keys = [
            {"Key": entry["Key"], "VersionId": entry["VersionId"]}
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
        deleted += len(keys)
    return deleted


def retained(cloudformation: Any, stack: str, resources: dict[str, tuple[str, str]]) -> list[str]:
    """The resources the template keeps on deletion (DeletionPolicy Retain), as 'type name'."""
    template = cloudformation.get_template(StackName=stack, TemplateStage="Processed")["TemplateBody"]
    declared = template.get("Resources", {}) if isinstance(template, dict) else {}
    return [
        f"{resources[logical_id][0]} {resources[logical_id][1]}"
        for logical_id, resource in declared.items()
        if resource.get("DeletionPolicy") == "Retain" and logical_id in resources
    ]


def destroy(stack: str) -> int:
    cloudformation = boto3.client("cloudformation")
    resources = physical_ids(cloudformation, stack)
    kept = retained(cloudformation, stack, resources)
    if BUCKET_ID in resources and resources[BUCKET_ID][1]:
        bucket = resources[BUCKET_ID][1]
        print(f"emptying {bucket}: {empty_bucket(boto3.client('s3'), bucket)} objects deleted")
    cloudformation.delete_stack(StackName=stack)
    print(f"deleting {stack} …")
    cloudformation.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig=WAIT)
    print(f"{stack} deleted; kept (delete by hand when no longer wanted):")
    for line in kept:
        print(f"  {line}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("stack", help="the stack name, e.g. trackguard-staging")
    args = parser.parse_args()
    try:
        return destroy(args.stack)
    except (BotoCoreError, ClientError) as error:
        print(f"destroy_stack: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
