"""trackguard's own vocabulary: statuses, events, orders, packages, flags."""
