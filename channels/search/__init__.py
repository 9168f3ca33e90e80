"""Search: finding what was said, in what the person may read now."""
