// The TypeScript SDK's own client with an OAuth provider: 401 -> discovery -> registration ->
// authorization (the person) -> token -> tools/list and one tool call.
// Usage: node ts_sdk_client.mjs <server url>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { MemoryProvider, fail, result } from "./lib.mjs";

const url = new URL(process.argv[2]);
const provider = new MemoryProvider("TypeScript SDK e2e");

async function connect() {
  const client = new Client({ name: "pieterpost-e2e-ts-sdk", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return client;
}

try {
  let client;
  try {
    client = await connect();
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await transport.finishAuth(provider.code);
    client = await connect();
  }
  const tools = await client.listTools();
  const wallet = await client.callTool({ name: "get_wallet", arguments: { currency: "usd" } });
  await client.close();
  result({
    tools: tools.tools.map((t) => t.name),
    call: { isError: wallet.isError ?? false, structuredContent: wallet.structuredContent },
    resourceParam: provider.authorizationUrl.searchParams.get("resource"),
    scope: provider.tokens()?.scope,
  });
} catch (error) {
  fail(error);
}
