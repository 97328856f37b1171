"""Credentials beside the password: expiring API tokens stored hashed, and the administrators'
second factor (TOTP, django-otp)."""
