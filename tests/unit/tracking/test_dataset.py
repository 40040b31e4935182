"""Every test number of the format dataset (jkeen/tracking_number_data) is judged as the dataset says."""

import json
from pathlib import Path
from typing import Any

import pytest

from trackguard.tracking import identify

DATASET = Path(__file__).parents[3] / ".." / "shared" / "reference" / "tracking_number_data" / "couriers"

# dataset format name -> (trackguard carrier, trackguard format name); S10's carrier is its country's post.
FORMAT_NAMES: dict[str, tuple[str, str]] = {
    "Amazon Logistics": ("amazon", "Amazon Logistics"),
    "Amazon International": ("amazon", "Amazon International"),
    "Canada Post (16)": ("canada_post", "Canada Post (16)"),
    "Canpar (22)": ("canpar", "Canpar (22)"),
    "DHL Express": ("dhl", "DHL Express"),
    "DHL Express (Piece ID)": ("dhl", "DHL Express Piece ID"),
    "DHL E-Commerce": ("dhl_ecommerce", "DHL eCommerce"),
    "DHL E-Commerce (14)": ("dhl_ecommerce", "DHL eCommerce (14)"),
    "DPD (28)": ("dpd", "DPD (28)"),
    "DPD (14)": ("dpd", "DPD (14)"),
    "FedEx Express (12)": ("fedex", "FedEx Express (12)"),
    "FedEx Express (34)": ("fedex", "FedEx Express (34)"),
    "FedEx ASTRA (32)": ("fedex", "FedEx ASTRA (32)"),
    "FedEx Ground": ("fedex", "FedEx Ground (15)"),
    "FedEx Ground (SSCC-18)": ("fedex", "FedEx Ground SSCC-18"),
    "FedEx Ground 96 (22)": ("fedex", "FedEx Ground 96 (22)"),
    "FedEx Ground GSN": ("fedex", "FedEx Ground GSN (34)"),
    "GOFO Express (US)": ("gofo", "GOFO Express (US)"),
    "Landmark Global LTN": ("landmark", "Landmark Global LTN"),
    "LaserShip LX": ("lasership", "LaserShip LX"),
    "LaserShip 1LS7 (15)": ("lasership", "LaserShip 1LS7 (15)"),
    "LaserShip 1LS7 (18)": ("lasership", "LaserShip 1LS7 (18)"),
    "LaserShip 1LSCX (15)": ("lasership", "LaserShip 1LSCX (15)"),
    "Old Dominion": ("old_dominion", "Old Dominion"),
    "Old Dominion Guaranteed Shipment": ("old_dominion", "Old Dominion Guaranteed"),
    "OnTrac": ("ontrac", "OnTrac C"),
    "OnTrac D": ("ontrac", "OnTrac D"),
    "Purolator (12)": ("purolator", "Purolator (12)"),
    "Purolator (alpha + 9)": ("purolator", "Purolator (alpha + 9)"),
    "S10": ("s10", "UPU S10"),
    "Spee-Dee (20)": ("speedee", "Spee-Dee (20)"),
    "UPS": ("ups", "UPS"),
    "UPS Waybill": ("ups", "UPS Waybill"),
    "USPS 20": ("usps", "USPS 20"),
    "USPS IMpb N": ("usps", "USPS IMpb N"),
    "USPS Legacy": ("usps", "USPS Legacy"),
    "USPS IMpb C": ("usps", "USPS IMpb C"),
    "Yodel": ("yodel", "Yodel"),
    "YunExpress": ("yunexpress", "YunExpress"),
}
S10_POSTS = {"GB": "royal_mail", "US": "usps"}


def _dataset_formats() -> list[dict[str, Any]]:
    if not DATASET.is_dir():
        return []
    return [
        tracking_format
        for path in sorted(DATASET.glob("*.json"))
        for tracking_format in json.loads(path.read_text(encoding="utf-8"))["tracking_numbers"]
    ]


FORMATS = _dataset_formats()
VALID = [(fmt["name"], number) for fmt in FORMATS for number in fmt["test_numbers"]["valid"]]
INVALID = [(fmt["name"], number) for fmt in FORMATS for number in fmt["test_numbers"].get("invalid", [])]
VALID_BY_CARRIER = {(FORMAT_NAMES[name][0], number) for name, number in VALID}

needs_dataset = pytest.mark.skipif(not DATASET.is_dir(), reason="shared/reference dataset is absent")


def _expected_carrier(dataset_name: str, number: str) -> str:
    carrier = FORMAT_NAMES[dataset_name][0]
    return S10_POSTS.get(number.strip()[-2:], "upu_s10") if carrier == "s10" else carrier


@needs_dataset
def test_every_dataset_format_is_in_trackguards_table() -> None:
    assert {fmt["name"] for fmt in FORMATS} == set(FORMAT_NAMES)


@needs_dataset
@pytest.mark.parametrize(("dataset_name", "number"), VALID)
def test_valid_dataset_number_is_valid_in_its_format_with_its_carrier(dataset_name: str, number: str) -> None:
    _, format_name = FORMAT_NAMES[dataset_name]
    fits = [match for match in identify(number) if match.format == format_name]
    assert fits, f"{number!r} does not fit {format_name}"
    assert fits[0].valid
    assert fits[0].carrier == _expected_carrier(dataset_name, number)


@needs_dataset
@pytest.mark.parametrize(("dataset_name", "number"), INVALID)
def test_invalid_dataset_number_is_not_valid_in_its_format(dataset_name: str, number: str) -> None:
    _, format_name = FORMAT_NAMES[dataset_name]
    assert not [match for match in identify(number) if match.format == format_name and match.valid]


@needs_dataset
@pytest.mark.parametrize(("dataset_name", "number"), INVALID)
def test_invalid_dataset_number_is_not_valid_for_its_carrier(dataset_name: str, number: str) -> None:
    carrier = FORMAT_NAMES[dataset_name][0]
    if (carrier, number) in VALID_BY_CARRIER:
        pytest.skip("the dataset lists this number as valid in another format of the same carrier")
    if carrier == "s10":
        assert not [match for match in identify(number) if match.format == "UPU S10" and match.valid]
    else:
        assert not [match for match in identify(number) if match.carrier == carrier and match.valid]
