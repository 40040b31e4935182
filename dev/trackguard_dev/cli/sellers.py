"""`trackguard sellers`: register and delete sellers, issue, rotate and revoke keys, set their delivery.

The table comes from the environment like every function's (``TABLE_NAME``; boto3 reads
``AWS_ENDPOINT_URL_DYNAMODB``, ``AWS_REGION`` and credentials): against the local stack, export what
`trackguard local up` uses; against AWS, the deployed table's name. A new key is printed last, alone
on its line, so scripts can take the last word of the output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trackguard.services.sellers import IssuedKey, SellerService
    from trackguard.storage.dynamo import Table
    from trackguard_dev.cli.settings import SellerSettings


@dataclass(frozen=True)
class _Context:
    service: SellerService
    table: Table
    settings: SellerSettings


PLATFORMS = ("tiktok_shop", "shopify")
_UNREACHABLE_HINT = (
    "Start the local stack with `make run` (or `trackguard local up`) and export its TABLE_NAME and "
    "AWS_ENDPOINT_URL_DYNAMODB, with AWS_REGION and any credentials; for AWS, set TABLE_NAME to the "
    "deployed table."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sellers = subparsers.add_parser("sellers", help="manage sellers and their API keys")
    commands = sellers.add_subparsers(dest="sellers_command", required=True)

    add = commands.add_parser("add", help="register a seller and print its first API key")
    add.add_argument("seller_id", help="the shop id: TikTok shop_id, or the Shopify shop domain")
    add.add_argument("--platform", choices=PLATFORMS, help="default: shopify for *.myshopify.com")
    add.add_argument("--email", help="where daily reports are e-mailed")
    add.add_argument("--webhook-url", help="where daily reports are posted (https)")
    add.set_defaults(handler=_handled(_add))

    listing = commands.add_parser("list", help="list sellers and their active key ids")
    listing.set_defaults(handler=_handled(_list))

    rotate = commands.add_parser("rotate-key", help="issue another API key (old keys stay active)")
    rotate.add_argument("seller_id")
    rotate.set_defaults(handler=_handled(_rotate))

    revoke = commands.add_parser("revoke", help="revoke one API key")
    revoke.add_argument("seller_id")
    revoke.add_argument("key_id", help="the id after tg_ in the key, as `sellers list` shows")
    revoke.set_defaults(handler=_handled(_revoke))

    show = commands.add_parser("show", help="a seller's settings and how its last report was delivered")
    show.add_argument("seller_id")
    show.set_defaults(handler=_handled(_show))

    settings = commands.add_parser("set", help="change how a seller receives its reports")
    settings.add_argument("seller_id")
    settings.add_argument("--email")
    settings.add_argument("--webhook-url")
    secret = settings.add_mutually_exclusive_group()
    secret.add_argument("--webhook-secret", help="a Standard Webhooks secret: whsec_<base64>")
    secret.add_argument("--new-webhook-secret", action="store_true", help="generate one and print it")
    settings.add_argument("--timezone", help="IANA name, e.g. Europe/Paris: the report hour's zone")
    settings.add_argument("--report-hour", type=int, help="local hour of the daily report, 0-23")
    settings.set_defaults(handler=_handled(_set))

    move = commands.add_parser(
        "move-webhook-secrets",
        help="move report-webhook secrets that older profiles keep in the table to Secrets Manager",
    )
    move.set_defaults(handler=_handled(_move_webhook_secrets))

    delete = commands.add_parser(
        "delete", help="erase a seller and everything of it (table, S3 reports, Secrets Manager)"
    )
    delete.add_argument("seller_id")
    delete.add_argument("--dry-run", action="store_true", help="print what would be erased, erase nothing")
    delete.set_defaults(handler=_handled(_delete))


def _handled(
    command: Callable[[_Context, argparse.Namespace], None],
) -> Callable[[argparse.Namespace], int]:
    """Run a command, turning the operator's mistakes and an unreachable table into one-line errors."""

    def run(args: argparse.Namespace) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        from trackguard.errors import TrackguardError
        from trackguard.services.sellers import SellerSecrets, SellerService
        from trackguard.storage.dynamo import Table
        from trackguard.storage.reports import ReportRecordRepository
        from trackguard.storage.sellers import SellerExistsError, SellerNotFoundError, SellerRepository
        from trackguard_dev.cli.settings import SellerSettings

        settings = SellerSettings.from_environ()
        where = settings.table_name
        try:
            table = Table(settings.table_name)
            where = f"{table.name} ({table.client.meta.endpoint_url})"
            secrets = SellerSecrets.in_secrets_manager(settings.seller_secrets_prefix)
            service = SellerService(SellerRepository(table), secrets, reports=ReportRecordRepository(table))
            command(_Context(service, table, settings), args)
        except SellerExistsError as error:
            return _fail(f"{error}: use `trackguard sellers rotate-key {args.seller_id}`")
        except SellerNotFoundError as error:
            return _fail(f"{error}: register it with `trackguard sellers add {args.seller_id}`")
        except TrackguardError as error:
            return _fail(error.message)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            return _fail(f"no table at {where}. {_UNREACHABLE_HINT}")
        except BotoCoreError as error:
            return _fail(f"cannot reach the table at {where}: {error}. {_UNREACHABLE_HINT}")
        return 0

    return run


def _fail(message: str) -> int:
    print(f"trackguard sellers: {message}", file=sys.stderr)
    return 1


def _add(context: _Context, args: argparse.Namespace) -> None:
    from trackguard.domain.orders import Platform

    platform = Platform(args.platform) if args.platform else None
    issued = context.service.register(
        args.seller_id, platform, email=args.email, webhook_url=args.webhook_url
    )
    print(f"registered seller {issued.seller_id}")
    _release_parked(context, issued.seller_id)
    _print_key(issued)


def _release_parked(context: _Context, seller_id: str) -> None:
    """Deliveries that arrived before the shop was registered are processed now."""
    from trackguard.messaging import MessageQueue
    from trackguard.services.parking import ParkedDeliveries
    from trackguard.storage.deliveries import DeliveryRepository, DeliveryStatus

    deliveries = DeliveryRepository(context.table)
    queue_url = context.settings.processing_queue_url
    if queue_url:
        released = ParkedDeliveries(deliveries, MessageQueue(queue_url)).release(seller_id)
        if released:
            print(f"{released} deliveries received before registration sent to processing")
        return
    parked = sum(1 for _ in deliveries.of_seller(seller_id, DeliveryStatus.PARKED))
    if parked:
        print(f"{parked} deliveries wait for this shop: set PROCESSING_QUEUE_URL to have them processed")


def _delete(context: _Context, args: argparse.Namespace) -> None:
    from trackguard.services.erasure import build_seller_erasure
    from trackguard_dev.cli.settings import ErasureSettings

    settings = ErasureSettings.from_environ()
    erasure = build_seller_erasure(
        context.table,
        reports_bucket=settings.reports_bucket,
        secret_prefixes=(settings.shop_tokens_secret_prefix, settings.seller_secrets_prefix),
    )
    plan = erasure.plan(args.seller_id) if args.dry_run else erasure.erase(args.seller_id)
    if plan.empty:
        print(f"nothing of seller {args.seller_id} is stored")
        return
    verb = "would erase" if args.dry_run else "erased"
    print(f"{verb} seller {args.seller_id}:")
    for line in plan.lines():
        print(f"  {line}")


def _move_webhook_secrets(context: _Context, _: argparse.Namespace) -> None:
    moved = context.service.move_webhook_secrets()
    print(
        f"moved {len(moved)} report-webhook secrets to Secrets Manager"
        + (f": {', '.join(moved)}" if moved else "")
    )


def _rotate(context: _Context, args: argparse.Namespace) -> None:
    issued = context.service.rotate_key(args.seller_id)
    print(f"issued another key for {issued.seller_id}; its older keys stay active until revoked")
    _print_key(issued)


def _print_key(issued: IssuedKey) -> None:
    print(f"API key {issued.key_id} (shown only now; trackguard keeps only its hash):")
    print(issued.api_key)


def _revoke(context: _Context, args: argparse.Namespace) -> None:
    revoked = context.service.revoke_key(args.seller_id, args.key_id)
    print(f"revoked key {revoked.key_id} of seller {revoked.seller_id}")


def _list(context: _Context, _: argparse.Namespace) -> None:
    from trackguard.domain.sellers import KeyStatus

    service = context.service
    sellers = service.sellers()
    if not sellers:
        print("no sellers yet: add one with `trackguard sellers add <seller_id>`")
    for seller in sellers:
        active = [key.key_id for key in service.keys(seller.seller_id) if key.status is KeyStatus.ACTIVE]
        print(
            f"{seller.seller_id}  platform={seller.platform}  email={seller.email or '-'}  "
            f"webhook={seller.webhook_url or '-'}  "
            f"webhook_secret={'set' if seller.webhook_secret_set else '-'}  "
            f"report={seller.report_hour:02d}:00 {seller.timezone}  "
            f"active={'yes' if seller.active else 'no'}  active_keys={','.join(active) or '-'}"
        )


def _show(context: _Context, args: argparse.Namespace) -> None:
    status = context.service.status(args.seller_id)
    seller, record = status.seller, status.last_report
    print(
        f"{seller.seller_id}  platform={seller.platform}  email={seller.email or '-'}  "
        f"webhook={seller.webhook_url or '-'}  report={seller.report_hour:02d}:00 {seller.timezone}"
    )
    if record is None:
        print("last report: none yet")
        return
    retry = record.retry_at.isoformat() if record.retry_at and not record.finished else "-"
    print(f"last report: {record.report_date.isoformat()}  state={record.state}  next_retry={retry}")
    for channel, outcome in sorted(record.deliveries.items()):
        tried = sum(1 for attempt in record.attempts if attempt.channel == channel)
        print(
            f"  {channel}: {outcome.status} at {outcome.at.isoformat()}  attempts={tried}  "
            f"reason={outcome.reason or '-'}"
        )


def _set(context: _Context, args: argparse.Namespace) -> None:
    from trackguard.services.sellers import SellerChanges

    configured = context.service.configure(
        args.seller_id,
        SellerChanges(
            email=args.email,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret,
            new_webhook_secret=args.new_webhook_secret,
            timezone=args.timezone,
            report_hour=args.report_hour,
        ),
    )
    seller = configured.seller
    print(
        f"seller {seller.seller_id}: email={seller.email or '-'}  webhook={seller.webhook_url or '-'}  "
        f"report={seller.report_hour:02d}:00 {seller.timezone}"
    )
    if configured.generated_webhook_secret:
        print("webhook signing secret (shown only now):")
        print(configured.generated_webhook_secret)
