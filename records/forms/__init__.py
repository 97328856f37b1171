"""Forms of the records pages, one module per kind of record: validation of input, no writes."""
