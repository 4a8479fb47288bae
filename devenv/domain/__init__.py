"""The pure domain: no I/O, no prompts. Tested without Docker."""
