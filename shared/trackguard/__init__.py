"""trackguard: a tracking guard for marketplace sellers."""

__version__ = "0.1.0"
