"""MCP endpoint (SPEC "MCP server"): see ``app.McpEndpoint``."""
