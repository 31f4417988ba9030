"""Signals the supplier app sends; the activity records listen (their factors change)."""

from django.dispatch import Signal

# Sent after an accepted submission committed, with supplier_id and product_ids: purchases of
# these products (and of this supplier, for its intensity) choose their factors again.
supplier_data_accepted = Signal()
