"""Shop platforms: one folder each, listed in ``trackguard.sources.registry``."""
