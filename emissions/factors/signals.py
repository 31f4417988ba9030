"""Signals the factor library sends; apps that store results computed from factors listen."""

from django.dispatch import Signal

# Sent with factor_ids=[...] when a user asks to recalculate what uses these factors.
# Each receiver returns how many rows it rewrote.
recalculation_requested = Signal()
