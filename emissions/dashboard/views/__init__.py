"""One module per page; urls.py lists them."""
