"""Running Greenroom in production: health checks, Prometheus metrics, request ids and JSON logs."""
