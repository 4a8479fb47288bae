"""Doctor: what machine this is, what engine answers, and pure checks of those facts (no I/O here)."""
