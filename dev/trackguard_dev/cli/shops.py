"""`trackguard shops set-token`: store a TikTok shop's API credentials (and re-authorize the shop).

The access token goes to Secrets Manager (`{SHOP_TOKENS_SECRET_PREFIX}{shop_id}`), encrypted at rest and
never printed. Deliveries parked because the shop had no credentials are then sent to processing (with
``PROCESSING_QUEUE_URL`` set, as the local stack's environment has it). Pass `--access-token -` to read
it from standard input and keep it out of shell history.
Environment as for `trackguard sellers`: the local stack's endpoints, or AWS.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

FROM_STDIN = "-"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    shops = subparsers.add_parser("shops", help="manage TikTok Shop API credentials")
    commands = shops.add_subparsers(dest="shops_command", required=True)
    set_token = commands.add_parser("set-token", help="store a shop's shop_cipher and access token")
    set_token.add_argument("shop_id", help="TikTok shop_id")
    set_token.add_argument("--shop-cipher", required=True)
    set_token.add_argument("--access-token", required=True, help="the token, or - to read it from stdin")
    set_token.set_defaults(handler=_set_token)


def _set_token(args: argparse.Namespace) -> int:
    from pydantic import SecretStr

    from trackguard.clients.shop_credentials import ShopCredentialStore, ShopTokenRecord
    from trackguard.messaging import MessageQueue
    from trackguard.services.parking import ParkedDeliveries
    from trackguard.storage.deliveries import DeliveryRepository
    from trackguard.storage.dynamo import Table
    from trackguard.storage.sellers import SellerRepository
    from trackguard_dev.cli.settings import ShopTokenSettings

    settings = ShopTokenSettings.from_environ()
    token = sys.stdin.readline().strip() if args.access_token == FROM_STDIN else args.access_token
    if not token:
        print("error: the access token is empty", file=sys.stderr)
        return 2
    record = ShopTokenRecord(shop_cipher=args.shop_cipher, access_token=SecretStr(token))
    ShopCredentialStore(settings.shop_tokens_secret_prefix).put(args.shop_id, record)
    table = Table(settings.table_name)
    SellerRepository(table).set_shop_authorized(args.shop_id, True, datetime.now(UTC))
    print(f"stored credentials for shop {args.shop_id}")
    if settings.processing_queue_url:
        released = ParkedDeliveries(DeliveryRepository(table), MessageQueue(settings.processing_queue_url))
        count = released.release(args.shop_id)
        if count:
            print(f"{count} deliveries that waited for these credentials sent to processing")
    return 0
