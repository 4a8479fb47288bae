"""Setting up Docker on a machine: install plans as data (see model.py for the shape, plans.py for the builders)."""
