"""Engine-neutral storage errors: each engine translates its own into these."""


class IntegrityError(Exception):
    """A write broke a unique, foreign-key or check constraint; nothing of it was kept."""
