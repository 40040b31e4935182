"""Why a shop delivery cannot be applied yet, raised by the shop sync and handled by the processor."""


class ShopNotReadyError(Exception):
    """The delivery's shop is not registered, inactive (uninstalled) or without API credentials.

    The delivery is parked: kept, with no order, flag or statistic, until the shop is ready; then
    `ParkedDeliveries.release` sends it to be processed again.
    """
