"""`trackguard demo`: a realistic day of orders and carrier events with planted faults, driven through the
local stack over HTTP, then scored: what trackguard flagged against what was planted.

``numbers`` makes valid tracking numbers, ``scenario`` plans the day, ``payloads`` writes what each sender
would send, ``stack`` reaches a running local stack, ``driver`` plays the day, ``scoring`` compares.
"""
