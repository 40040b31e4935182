"""Messages on the processing queue. Small on purpose: the data itself is already in the table."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class ShopDeliveryMessage(BaseModel):
    """A stored shop delivery to process (the body is read back from the table)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["shop_delivery"] = "shop_delivery"
    source: str
    delivery_id: str


class TrackingUpdateMessage(BaseModel):
    """Numbers whose stored events changed: re-derive their packages' state."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["tracking_update"] = "tracking_update"
    numbers: tuple[str, ...] = Field(min_length=1)


ProcessingMessage = Annotated[ShopDeliveryMessage | TrackingUpdateMessage, Field(discriminator="kind")]

processing_message = TypeAdapter(ProcessingMessage)
