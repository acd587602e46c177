"""Sign-in beyond the password: staff's second factor (django-otp), staff session limits,
and re-authentication before tier-3 exports (reauth.py)."""
