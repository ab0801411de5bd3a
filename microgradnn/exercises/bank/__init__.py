"""One module per exercise; each defines ``EXERCISE`` (see ``registry``)."""
