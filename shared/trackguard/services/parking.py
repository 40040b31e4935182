"""Parked deliveries: kept for a shop that was not ready (not registered, uninstalled, no credentials).

When the shop becomes ready (`trackguard sellers add`, a reinstall, credentials stored), its parked
deliveries are sent to the processing queue, found through the seller's delivery index (no Scan).
Sending one twice is harmless: processing skips a delivery already processed.
"""

from __future__ import annotations

from trackguard.messaging import MessageQueue
from trackguard.services.messages import ShopDeliveryMessage
from trackguard.storage.deliveries import DeliveryRepository, DeliveryStatus


class ParkedDeliveries:
    def __init__(self, deliveries: DeliveryRepository, queue: MessageQueue) -> None:
        self._deliveries = deliveries
        self._queue = queue

    def release(self, seller_id: str) -> int:
        """Queue every parked delivery of the seller; returns how many."""
        messages = [
            ShopDeliveryMessage(source=parked.source, delivery_id=parked.delivery_id)
            for parked in self._deliveries.of_seller(seller_id, DeliveryStatus.PARKED)
        ]
        if messages:
            self._queue.send_all(list(messages))
        return len(messages)
