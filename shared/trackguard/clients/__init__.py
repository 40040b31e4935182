"""Outbound API clients (they import httpx; source modules never do, to keep cold starts short)."""
