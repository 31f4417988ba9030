"""Load test: locust against gunicorn with the production settings (see harness.py)."""
