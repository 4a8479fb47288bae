"""Use cases: plain functions taking the context; they raise DevenvError and never print."""
