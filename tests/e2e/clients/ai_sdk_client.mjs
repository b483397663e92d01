// Vercel AI SDK: @ai-sdk/mcp's client signs in with an OAuth provider, its tools() turns all
// 21 tools into AI SDK tools, and generateText (the real `ai` loop, with a scripted model in
// place of a provider so no model API is called) hands every tool definition to the model and
// runs the tool the model asks for over MCP.
// Usage: node ai_sdk_client.mjs <server url>
import { UnauthorizedError, auth, createMCPClient } from "@ai-sdk/mcp";
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { MemoryProvider, fail, result } from "./lib.mjs";

const url = process.argv[2];
const provider = new MemoryProvider("AI SDK e2e");
const open = () => createMCPClient({ transport: { type: "http", url, authProvider: provider } });

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

try {
  let client;
  try {
    client = await open();
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    await auth(provider, {
      serverUrl: url,
      authorizationCode: provider.code,
      callbackState: provider.callback.searchParams.get("state") ?? undefined,
      callbackIssuer: provider.callback.searchParams.get("iss") ?? undefined,
    });
    client = await open();
  }
  const tools = await client.tools();
  let offered = [];
  const model = new MockLanguageModelV4({
    doGenerate: async (options) => {
      if (offered.length === 0) {
        offered = (options.tools ?? []).map((t) => ({ name: t.name, type: t.type, schemaType: t.inputSchema?.type }));
        return {
          content: [{ type: "tool-call", toolCallId: "call-1", toolName: "get_wallet", input: JSON.stringify({ currency: "usd" }) }],
          finishReason: { unified: "tool-calls", raw: "tool_calls" },
          usage,
          warnings: [],
        };
      }
      return { content: [{ type: "text", text: "done" }], finishReason: { unified: "stop", raw: "stop" }, usage, warnings: [] };
    },
  });
  const run = await generateText({ model, tools, prompt: "What is my wallet balance?", stopWhen: stepCountIs(3) });
  const toolResults = run.steps.flatMap((s) => s.toolResults ?? []);
  await client.close();
  result({
    tools: Object.keys(tools),
    offered,
    toolResult: toolResults.map((r) => ({ toolName: r.toolName, output: r.output })),
    resourceParam: provider.authorizationUrl?.searchParams.get("resource"),
  });
} catch (error) {
  fail(error);
}
