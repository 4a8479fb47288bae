"""The comparisons: each rule takes a matched pair (or an external declaration) and yields findings."""
