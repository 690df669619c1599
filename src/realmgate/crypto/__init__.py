"""Passwords, secrets and realm keys, on argon2-cffi, joserfc and cryptography."""
