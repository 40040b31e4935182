"""Carrier and aggregator senders: one module each, listed in ``trackguard.sources.registry``.

Each module exposes ``SOURCE``, a ``Sender`` whose ``parse`` turns the body into canonical carrier events
(``CarrierDelivery``); ``_common`` holds what they share.
"""
