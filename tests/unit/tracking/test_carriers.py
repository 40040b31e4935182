import pytest

from trackguard.tracking import UNDECLARED, resolve_carrier


@pytest.mark.parametrize(
    ("name", "source", "slug"),
    [
        ("USPS", "tiktok_shop", "usps"),
        ("UPS", "tiktok_shop", "ups"),
        ("FedEx", "tiktok_shop", "fedex"),
        ("DHL eCommerce", "tiktok_shop", "dhl_ecommerce"),
        ("DHL Express", "tiktok_shop", "dhl"),
        ("YunExpress", "tiktok_shop", "yunexpress"),
        ("4PX", "tiktok_shop", "4px"),
        ("China Post", "tiktok_shop", "china_post"),
        ("J&T Express", "tiktok_shop", "jt_express"),
        ("Cainiao", "tiktok_shop", "cainiao"),
        ("Canada Post", "shopify", "canada_post"),
        ("Royal Mail", "shopify", "royal_mail"),
        ("Amazon Logistics US", "shopify", "amazon"),
        ("DHL eCommerce Asia", "shopify", "dhl_ecommerce"),
        (100002, "17track", "ups"),
        (100003, "17track", "fedex"),
        ("21051", "17track", "usps"),
        (100001, "17track", "dhl"),
        (3011, "17track", "china_post"),
        ("us-post", "ship24", "usps"),
        ("china-post", "ship24", "china_post"),
        ("dhl-global-mail", "aftership", "dhl_ecommerce"),
        ("china-ems", "aftership", "china_post"),
        ("sf-express", "aftership", "sf_express"),
        ("jtexpress", "aftership", "jt_express"),
        ("canada-post", "aftership", "canada_post"),
        ("royal-mail", "aftership", "royal_mail"),
        (100002, "any", "ups"),
        ("dhl_ecommerce", "any", "dhl_ecommerce"),
    ],
)
def test_known_names_resolve_to_slug(name: str | int, source: str, slug: str) -> None:
    assert resolve_carrier(name, source) == slug


@pytest.mark.parametrize("spelling", ["  dhl ecommerce ", "DHL-ECOMMERCE", "Dhl_eCommerce", "dhl.e-commerce"])
def test_case_space_and_punctuation_do_not_matter(spelling: str) -> None:
    assert resolve_carrier(spelling, "shopify") == "dhl_ecommerce"


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("TT Virtual express", "tiktok_shop"),
        ("Other", "shopify"),
        ("Bob's Couriers", "any"),
        (None, "any"),
        ("", "ship24"),
        (100002, "shopify"),
        (999999, "17track"),
    ],
)
def test_unknown_or_placeholder_names_are_undeclared(name: str | int | None, source: str) -> None:
    assert resolve_carrier(name, source) == UNDECLARED


def test_unknown_source_is_rejected() -> None:
    with pytest.raises(ValueError, match="source"):
        resolve_carrier("UPS", "ebay")
