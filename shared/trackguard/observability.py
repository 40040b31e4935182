"""Logger, Tracer and Metrics shared by every function (configured by POWERTOOLS_* variables)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace="Trackguard")
