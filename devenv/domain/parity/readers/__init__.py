"""One reader per format, each from parsed data (no I/O) to the normalised model in `model.py`."""
