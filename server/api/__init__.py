"""The JSON API under /api/v1: one module per capability, the request-reading helpers (params), and the OpenAPI document assembled from per-capability parts."""
