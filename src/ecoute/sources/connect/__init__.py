"""Connecting a platform account to a source from the web app: OAuth 2's authorization code flow
(with PKCE where the platform supports it), the pending states it keeps server-side, and the
providers' descriptions."""
