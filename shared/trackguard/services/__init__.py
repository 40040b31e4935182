"""Use cases: each function's handler calls exactly one of these."""
