"""Writes of the records app, one module per kind of record.

`dates` holds what every record shares: whether its date may still be written (`check_open`) and
the errors the services raise (`RecordRefused` and its kinds).
"""
