"""The typer CLI: parse, prompt, print. Nothing else lives here."""
