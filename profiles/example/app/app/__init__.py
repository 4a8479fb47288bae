"""The example profile's application: one package, three roles (web, worker, seed)."""
