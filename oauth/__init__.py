"""OAuth 2.1 authorization server for the MCP endpoint (docs/product.md § OAuth).

Library choice: **Authlib 1.9.6** for the grant logic, not the ``mcp`` SDK's ``mcp.server.auth``.

Both were read. The SDK's handlers are async and Starlette-native, but using them would mean
re-writing most of them anyway: its metadata and endpoints sit at fixed root paths; its
metadata advertises no ``none`` auth method and no CIMD; its client authenticator compares
the stored client secret in clear (we store only a hash); its revocation model requires a
``client_secret`` field, so public clients cannot revoke; the token handler checks code
expiry against the wall clock (no injectable clock), ignores ``resource`` at the token
endpoint and puts no ``iss`` in redirects; the bearer middleware has no ``scope`` in its
challenge and no audience check unless configured.

Authlib covers the protocol with hooks for exactly the parts we must own: client
authentication for ``none``/``client_secret_post``/``client_secret_basic`` through
``check_client_secret`` (hash compare), PKCE (narrowed to S256, required), the RFC 7591
metadata claims, RFC 7009 revocation, RFC 9207 ``iss``, and the RFC 6749 error rules
(which errors may be redirected). Its cost is that it is synchronous: each Authlib call runs
in a worker thread and its storage hooks hop back to the event loop (``oauth.server``).

Hand-written where no library covers it: RFC 8707 resource binding (``grants.py``),
Client ID Metadata Documents (``cimd.py``), metadata at every location clients look
(``metadata.py``), refresh-token family revocation and single-use codes as conditional
updates (``store.py``), bearer verification and challenges (``bearer.py``).

Routes are built by ``oauth.service.build_routes``; this package file imports nothing, so
``import oauth.models`` (done by ``migrations.schema``) stays light.
"""
