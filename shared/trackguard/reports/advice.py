"""What a seller should do about each flag, in one sentence."""

from __future__ import annotations

from trackguard.domain.status import FlagCode

WHAT_TO_DO: dict[FlagCode, str] = {
    FlagCode.MISSING_TRACKING: "Upload the tracking number on the platform, or ship the order.",
    FlagCode.INVALID_TRACKING_FORMAT: "Check the number on the carrier's label and upload it again.",
    FlagCode.CARRIER_MISMATCH: "Correct the carrier on the platform to the one the number belongs to.",
    FlagCode.DUPLICATE_TRACKING: "Give each parcel its own number, or combine the orders on the platform.",
    FlagCode.NO_CARRIER_SCAN: "Hand the parcel to the carrier, or ask why it has not been scanned.",
    FlagCode.SCAN_BEFORE_ORDER: "Replace the number: the carrier scanned it before the order existed.",
    FlagCode.DESTINATION_MISMATCH: "Check the label's address against the buyer's; fix the number if reused.",
    FlagCode.STALLED_IN_TRANSIT: "Open a trace with the carrier and tell the buyer.",
    FlagCode.CUSTOMS_HOLD: "Send customs the documents it needs; tell the buyer about the delay.",
    FlagCode.DELIVERY_EXCEPTION: "Contact the carrier and the buyer to rearrange or replace the delivery.",
    FlagCode.REAUTHORIZATION_NEEDED: "Open trackguard's TikTok Shop authorisation link again and approve it.",
}
