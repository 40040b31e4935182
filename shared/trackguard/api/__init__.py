"""The HTTP edge shared by the API functions: request limits, raw deliveries, JSON errors."""
