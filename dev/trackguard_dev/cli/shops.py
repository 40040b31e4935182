"""`trackguard shops connect | list | set-token`: TikTok shops and their authorisation.

`connect` prints TikTok Shop's authorisation link with a fresh state trackguard signed (it expires in
30 minutes); the seller opens it, approves, and TikTok redirects to the callback, which connects every
shop the authorisation covers. `list` shows each TikTok shop's state and when its tokens expire.
`set-token` stores an access token by hand (no refresh token, so nothing refreshes it): the access token
goes to Secrets Manager (`{SHOP_TOKENS_SECRET_PREFIX}{shop_id}`), encrypted at rest and never printed.
Deliveries parked because the shop had no credentials are then sent to processing (with
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
    connect = commands.add_parser("connect", help="print the TikTok Shop authorisation link for a seller")
    connect.set_defaults(handler=_connect)
    listing = commands.add_parser("list", help="each TikTok shop's state and token expiries")
    listing.set_defaults(handler=_list)
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
    from trackguard.storage.shop_connections import ShopConnectionRepository
    from trackguard_dev.cli.settings import ShopTokenSettings

    settings = ShopTokenSettings.from_environ()
    token = sys.stdin.readline().strip() if args.access_token == FROM_STDIN else args.access_token
    if not token:
        print("error: the access token is empty", file=sys.stderr)
        return 2
    record = ShopTokenRecord(shop_cipher=args.shop_cipher, access_token=SecretStr(token))
    ShopCredentialStore(settings.shop_tokens_secret_prefix).put(args.shop_id, record)
    table = Table(settings.table_name)
    ShopConnectionRepository(table).token_set_by_hand(args.shop_id, datetime.now(UTC))
    print(f"stored credentials for shop {args.shop_id}")
    if settings.processing_queue_url:
        released = ParkedDeliveries(DeliveryRepository(table), MessageQueue(settings.processing_queue_url))
        count = released.release(args.shop_id)
        if count:
            print(f"{count} deliveries that waited for these credentials sent to processing")
    return 0


def _connect(_args: argparse.Namespace) -> int:
    from trackguard.services.tiktok_authorization import STATE_LIFETIME, authorization_link, sign_state
    from trackguard.services.tiktok_tokens import tiktok_app
    from trackguard_dev.cli.settings import AuthorizationLinkSettings

    settings = AuthorizationLinkSettings.from_environ()
    current_secret = tiktok_app(settings.webhook_secrets_id).app_secret[0]
    now = datetime.now(UTC)
    state = sign_state(current_secret, settings.tiktok_shop_service_id, now)
    print(authorization_link(settings.tiktok_shop_authorize_url, settings.tiktok_shop_service_id, state))
    until = (now + STATE_LIFETIME).isoformat(timespec="minutes")
    print(f"give this link to the seller: it works until {until}", file=sys.stderr)
    return 0


def _list(_args: argparse.Namespace) -> int:
    from trackguard.storage.dynamo import Table
    from trackguard.storage.shop_connections import ShopConnectionRepository
    from trackguard_dev.cli.settings import TableSettings

    connections = ShopConnectionRepository(Table(TableSettings.from_environ().table_name)).all()
    print(
        f"{'shop_id':<22} {'state':<24} {'since':<27} {'access token expires':<27} "
        f"{'authorisation ends':<27} shares tokens of"
    )
    for shop in sorted(connections, key=lambda connection: connection.shop_id):
        print(
            f"{shop.shop_id:<22} {shop.state.value:<24} {_when(shop.changed_at):<27} "
            f"{_when(shop.access_token_expires_at):<27} {_when(shop.refresh_token_expires_at):<27} "
            f"{shop.token_owner or '-'}"
        )
    return 0


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at is not None else "-"
