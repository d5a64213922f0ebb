"""Sign-in with a national eID through OpenID Connect (authorization code flow with PKCE).

``config`` reads the settings and the provider's discovery document and keys, ``client`` speaks the
protocol (authorization request, token request with ``client_secret_basic`` or
``private_key_jwt``, ID token and userinfo checks), ``views`` are the two pages (start and
callback). Turned off unless ``OIDC_ISSUER`` is set.
"""
