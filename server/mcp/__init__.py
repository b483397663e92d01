"""MCP endpoint: Streamable HTTP and legacy SSE transports (``app.McpEndpoint``), the gate that
checks bearer tokens and scopes before a transport answers, and the MCP docs pages."""
