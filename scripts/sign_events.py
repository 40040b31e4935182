"""Write the signed sample webhook events (events/*.json) from local/secrets.json.

Run ``.venv/bin/python scripts/sign_events.py`` after changing a dev secret or a sample body. One function per
signing scheme; each returns the headers that sign a body. The generic (Standard Webhooks) sample signs the
current time, so it goes stale after 5 minutes: regenerate it right before ``sam local invoke``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SECRETS = ROOT / "local" / "secrets.json"
EPOCH_MS = 1793610000000  # 2026-11-02T09:00:00Z, the time the samples' request contexts claim

Secrets = dict[str, dict[str, str]]
Signer = Callable[[bytes, Secrets], dict[str, str]]


def _b64_hmac(key: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest()).decode()


def sign_17track(body: bytes, secrets: Secrets) -> dict[str, str]:
    return {"sign": hashlib.sha256(body + b"/" + secrets["17track"]["api_key"].encode()).hexdigest()}


def sign_ship24(_body: bytes, secrets: Secrets) -> dict[str, str]:
    return {"authorization": "Bearer " + secrets["ship24"]["webhook_secret"]}


def sign_aftership(body: bytes, secrets: Secrets) -> dict[str, str]:
    return {"aftership-hmac-sha256": _b64_hmac(secrets["aftership"]["webhook_secret"], body)}


def sign_ups(_body: bytes, secrets: Secrets) -> dict[str, str]:
    """Track Alert v1 sends the subscription's credential in a header named ``credential``."""
    return {"credential": secrets["ups"]["credential"]}


def sign_fedex(body: bytes, secrets: Secrets) -> dict[str, str]:
    return {"fdx-signature": _b64_hmac(secrets["fedex"]["security_token"], body)}


def sign_dhl(_body: bytes, secrets: Secrets) -> dict[str, str]:
    return {"dhl-webhook-token": secrets["dhl"]["token"]}


def sign_usps(body: bytes, secrets: Secrets) -> dict[str, str]:
    envelope = json.loads(body)
    message = (envelope["timestamp"] + envelope["payload"]).encode()
    return {"x-hmac": _b64_hmac(secrets["usps"]["hmac_secret"], message)}


def sign_standard_webhooks(body: bytes, secrets: Secrets, msg_id: str = "msg_2f9Qm1sample") -> dict[str, str]:
    key = base64.b64decode(secrets["generic"]["secret"].removeprefix("whsec_"))
    timestamp = str(int(time.time()))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def http_api_event(method: str, path: str, headers: dict[str, str], body: str) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) request, as ``sam local invoke -e`` takes it."""
    all_headers = {
        "content-type": "application/json",
        "host": "api.trackguard.example",
        "user-agent": "sample-sender/1.0",
        **headers,
    }
    source = path.rsplit("/", 1)[-1]
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "domainName": "api.trackguard.example",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.20",
                "userAgent": all_headers["user-agent"],
            },
            "requestId": f"sample-{source}-{method.lower()}",
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": "02/Nov/2026:09:00:00 +0000",
            "timeEpoch": EPOCH_MS,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _json(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


USPS_PAYLOAD = {
    "trackingNumber": "9400111899223456789012",
    "destinationZIP": "78701",
    "destinationCountryCode": "US",
    "trackingEvents": [
        {
            "eventType": "Out for Delivery",
            "eventCode": "OF",
            "eventTimestamp": "2026-11-02T07:58:00",
            "GMTTimestamp": "2026-11-02T13:58:00Z",
            "GMTOffset": "-06:00",
            "eventCity": "AUSTIN",
            "eventState": "TX",
            "eventZIP": "78701",
        }
    ],
}

CARRIER_BODIES: dict[str, tuple[Signer, Any]] = {
    "17track": (
        sign_17track,
        {
            "event": "TRACKING_UPDATED",
            "data": {
                "number": "YT2412345678901234",
                "carrier": 190008,
                "track_info": {
                    "shipping_info": {
                        "shipper_address": {"country": "CN", "city": "Shenzhen"},
                        "recipient_address": {"country": "US", "postal_code": "78701", "city": "Austin"},
                    },
                    "latest_status": {"status": "InTransit", "sub_status": "InTransit_CustomsProcessing"},
                    "latest_event": {
                        "time_iso": "2026-11-01T22:10:00-05:00",
                        "time_utc": "2026-11-02T03:10:00Z",
                        "description": "Customs clearance in progress",
                        "location": "Chicago, IL, US",
                        "stage": "InTransit",
                        "sub_status": "InTransit_CustomsProcessing",
                        "address": {"country": "US", "state": "IL", "city": "Chicago"},
                    },
                    "tracking": {
                        "providers": [
                            {
                                "provider": {"key": 190008, "name": "YunExpress"},
                                "events": [
                                    {
                                        "time_iso": "2026-10-28T09:12:00+08:00",
                                        "time_utc": "2026-10-28T01:12:00Z",
                                        "description": "Picked up by carrier",
                                        "location": "Shenzhen, CN",
                                        "stage": "InTransit",
                                        "sub_status": "InTransit_PickedUp",
                                        "address": {"country": "CN", "city": "Shenzhen"},
                                    }
                                ],
                            }
                        ]
                    },
                },
            },
        },
    ),
    "ship24": (
        sign_ship24,
        {
            "trackings": [
                {
                    "metadata": {
                        "generatedAt": "2026-11-02T08:59:58.000Z",
                        "messageId": "5b3a6c1e-9d2f-4c1a-8e7b-2f0d9a1c3e55",
                    },
                    "tracker": {
                        "trackerId": "9a1f0e3c-2b7d-4c55-a0a1-6f3e2d1c0b9a",
                        "trackingNumber": "1Z999AA10123456784",
                        "courierCode": ["ups"],
                    },
                    "shipment": {
                        "statusMilestone": "out_for_delivery",
                        "originCountryCode": "US",
                        "destinationCountryCode": "US",
                        "delivery": {"estimatedDeliveryDate": "2026-11-02T00:00:00.000Z"},
                    },
                    "events": [
                        {
                            "eventId": "c1e0d5b2-3a4f-4e6d-9b8a-7c6d5e4f3a2b",
                            "occurrenceDatetime": "2026-11-02T07:45:00",
                            "utcOffset": "-06:00",
                            "status": "Out For Delivery Today",
                            "statusCode": "delivery_out_for_delivery",
                            "statusMilestone": "out_for_delivery",
                            "location": "Austin, TX, US",
                            "courierCode": "ups",
                        }
                    ],
                }
            ]
        },
    ),
    "aftership": (
        sign_aftership,
        {
            "ts": 1793609990,
            "event": "tracking_update",
            "event_id": "b1d9b2e0-5f3c-4a8e-9d21-0c7e4f6a8b3d",
            "msg": {
                "tracking_number": "92612903029511573030094531",
                "slug": "fedex",
                "tag": "AttemptFail",
                "subtag": "AttemptFail_001",
                "destination_country_iso3": "USA",
                "expected_delivery": "2026-11-03",
                "checkpoints": [
                    {
                        "checkpoint_time": "2026-11-02T14:20:00-05:00",
                        "tag": "AttemptFail",
                        "subtag": "AttemptFail_001",
                        "message": "Delivery attempted - customer not available",
                        "city": "Memphis",
                        "state": "TN",
                        "zip": "38118",
                        "country_iso3": "USA",
                    }
                ],
            },
        },
    ),
    "ups": (
        sign_ups,
        {
            "trackingNumber": "1Z999AA10123456784",
            "localActivityDate": "20261102",
            "localActivityTime": "101500",
            "gmtActivityDate": "20261102",
            "gmtActivityTime": "161500",
            "gmtOffset": "-06:00",
            "activityLocation": {
                "city": "AUSTIN",
                "stateProvince": "TX",
                "postalCode": "78701",
                "country": "US",
            },
            "activityStatus": {"type": "D", "code": "FS", "description": "DELIVERED"},
            "scheduledDeliveryDate": "20261102",
            "actualDeliveryDate": "20261102",
        },
    ),
    "fedex": (
        sign_fedex,
        {
            "transactionId": "624deea6-b709-470c-8c39-4b5511281492",
            "output": {
                "completeTrackResults": [
                    {
                        "trackingNumber": "794644790138",
                        "trackResults": [
                            {
                                "trackingNumberInfo": {
                                    "trackingNumber": "794644790138",
                                    "carrierCode": "FDXE",
                                },
                                "scanEvents": [
                                    {
                                        "date": "2026-11-01T18:02:00-05:00",
                                        "eventType": "CD",
                                        "eventDescription": "Clearance delay - Import",
                                        "derivedStatusCode": "CD",
                                        "scanLocation": {
                                            "city": "MEMPHIS",
                                            "stateOrProvinceCode": "TN",
                                            "countryCode": "US",
                                        },
                                    }
                                ],
                                "recipientInformation": {
                                    "address": {"postalCode": "10001", "countryCode": "US"}
                                },
                            }
                        ],
                    }
                ]
            },
        },
    ),
    "dhl": (
        sign_dhl,
        {
            "shipments": [
                {
                    "id": "1234567890",
                    "service": "express",
                    "status": {
                        "timestamp": "2026-11-02T08:30:00+01:00",
                        "statusCode": "transit",
                        "status": "PROCESSED AT LEIPZIG - GERMANY",
                        "description": "Processed at LEIPZIG - GERMANY",
                    },
                    "destination": {"address": {"postalCode": "10001", "countryCode": "US"}},
                    "events": [
                        {
                            "timestamp": "2026-11-02T08:30:00+01:00",
                            "statusCode": "transit",
                            "description": "Processed at LEIPZIG - GERMANY",
                            "location": {
                                "address": {"addressLocality": "LEIPZIG - GERMANY", "countryCode": "DE"}
                            },
                        }
                    ],
                }
            ]
        },
    ),
    "usps": (
        sign_usps,
        {
            "subscriptionId": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
            "subscriptionType": "TRACKING",
            "timestamp": "2026-11-02T14:00:05Z",
            "payload": json.dumps(USPS_PAYLOAD, separators=(",", ":")),
        },
    ),
    "generic": (
        sign_standard_webhooks,
        {
            "events": [
                {
                    "tracking_number": "LP00123456789NL",
                    "carrier": "postnl",
                    "occurred_at": "2026-11-02T09:05:00+01:00",
                    "status": "DELIVERED",
                    "code": "J01",
                    "description": "Delivered at the front door",
                    "location": {"city": "Utrecht", "postal_code": "3511 AB", "country": "NL"},
                    "destination": {"postal_code": "3511 AB", "country": "NL"},
                    "event_id": "evt_000123",
                }
            ]
        },
    ),
}


def carrier_event(source: str, secrets: Secrets) -> dict[str, Any]:
    signer, document = CARRIER_BODIES[source]
    body = _json(document)
    path = f"/webhooks/carriers/{source}"
    return http_api_event("POST", path, signer(body, secrets), body.decode())


def ship24_probe() -> dict[str, Any]:
    return http_api_event("HEAD", "/webhooks/carriers/ship24", {}, "")


def write(name: str, event: dict[str, Any]) -> None:
    (EVENTS / name).write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    secrets: Secrets = json.loads(SECRETS.read_text(encoding="utf-8"))
    for source in CARRIER_BODIES:
        write(f"carrier_{source}.json", carrier_event(source, secrets))
    write("carrier_ship24_head.json", ship24_probe())


if __name__ == "__main__":
    main()
