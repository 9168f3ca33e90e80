"""What operators and their tools read: health checks, Prometheus metrics, JSON log lines."""
