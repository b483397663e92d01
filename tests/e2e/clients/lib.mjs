// Shared by the client scripts: the person's half of the OAuth redirect, and an in-memory
// OAuthClientProvider (the interface of the TypeScript SDK, which @ai-sdk/mcp copies).
//
// The browser step is done by the pytest side: a script prints "AUTHORIZE <url>" on stderr
// and waits for one line on stdin, the URL the authorization server redirected the browser
// to (the client's redirect_uri with code, state and iss), as a local callback would get it.
import { createInterface } from "node:readline";

let lines;
function nextLine() {
  if (!lines) {
    const rl = createInterface({ input: process.stdin });
    const queue = [];
    const waiters = [];
    rl.on("line", (line) => (waiters.length ? waiters.shift()(line) : queue.push(line)));
    lines = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
  }
  return lines();
}

export async function askPerson(authorizationUrl) {
  process.stderr.write(`AUTHORIZE ${authorizationUrl}\n`);
  return new URL(await nextLine());
}

export function result(value) {
  process.stdout.write(JSON.stringify({ result: value }) + "\n");
  process.exit(0);
}

export function fail(error) {
  process.stderr.write(`CLIENT FAILED: ${error?.stack ?? error}\n`);
  process.exit(1);
}

export class MemoryProvider {
  constructor(name, redirectUrl = "http://127.0.0.1:33420/callback") {
    this.name = name;
    this._redirectUrl = redirectUrl;
    this._client = undefined;
    this._tokens = undefined;
    this._verifier = undefined;
    this.callback = undefined; // the redirect URL the person's browser ended on
  }
  get redirectUrl() {
    return this._redirectUrl;
  }
  get clientMetadata() {
    return {
      client_name: this.name,
      redirect_uris: [this._redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this._client;
  }
  saveClientInformation(info) {
    this._client = info;
  }
  isClientInformationDynamicallyRegistered() {
    return this._client !== undefined;
  }
  tokens() {
    return this._tokens;
  }
  saveTokens(tokens) {
    this._tokens = tokens;
  }
  saveCodeVerifier(verifier) {
    this._verifier = verifier;
  }
  codeVerifier() {
    return this._verifier;
  }
  async redirectToAuthorization(url) {
    this.authorizationUrl = url;
    this.callback = await askPerson(url.href);
  }
  get code() {
    return this.callback?.searchParams.get("code");
  }
}
