"""Profile sources: where published profiles live, how they are named and versioned, and the lock (pure)."""
