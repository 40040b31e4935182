"""`trackguard outbox [--json] [--raw]`: the report e-mails the local stack's SES (moto) has accepted.

moto keeps what SES sent in memory; a moto *server* shows it at ``GET /moto-api/data.json`` (under
``ses.RawMessage``), which is what this reads. The endpoint is the one boto3 would use for SES
(``AWS_ENDPOINT_URL_SES`` or ``AWS_ENDPOINT_URL``, as `trackguard local up` exports), or ``--endpoint-url``.
Real SES has no outbox: against AWS this command refuses.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser("outbox", help="list e-mails sent through the local stack's SES (moto)")
    command.add_argument("--endpoint-url", help="moto's URL (default: boto3's SES endpoint)")
    command.add_argument("--json", action="store_true", help="print one JSON array")
    command.add_argument("--raw", action="store_true", help="print each message's full MIME source")
    command.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from email import message_from_string, policy

    import httpx

    from trackguard.clients.email import outbox, ses_endpoint_url

    endpoint = args.endpoint_url or ses_endpoint_url()
    if "amazonaws.com" in endpoint:
        print(
            f"trackguard outbox: {endpoint} is AWS SES, which has no outbox; point at moto", file=sys.stderr
        )
        return 1
    try:
        messages = outbox(endpoint)
    except httpx.HTTPError as error:
        print(f"trackguard outbox: cannot read {endpoint}/moto-api/data.json: {error}", file=sys.stderr)
        return 1
    listing = []
    for message in messages:
        parsed = message_from_string(message.raw, policy=policy.default)
        listing.append(
            {
                "message_id": message.message_id,
                "from": message.source,
                "to": list(message.destinations),
                "subject": str(parsed["Subject"] or ""),
                "date": str(parsed["Date"] or ""),
                "parts": [part.get_content_type() for part in parsed.walk()],
                **({"raw": message.raw} if args.raw else {}),
            }
        )
    print(json.dumps(listing, indent=2) if args.json else _as_text(listing))
    return 0


def _as_text(listing: list[dict[str, Any]]) -> str:
    if not listing:
        return "the outbox is empty"
    lines: list[str] = []
    for entry in listing:
        lines.append(
            f"{entry['date']}  {entry['message_id']}  to={','.join(entry['to'])}  {entry['subject']}"
        )
        lines.append(f"  parts: {' '.join(entry['parts'])}")
        if "raw" in entry:
            lines.append(entry["raw"])
    return "\n".join(lines)
