// PieterPost MCP App: shows what a quote_order / get_order / link tool returned — the preview
// pages (image items of the result), the recipients (from the tool arguments) and the price —
// and, for payment, checkout and compose links, a button that asks the host to open the link
// (ui/open-link). Everything arrives through the ext-apps App bridge; nothing is fetched.
import { App, PostMessageTransport } from "@modelcontextprotocol/ext-apps";

const IMAGE_TYPES = new Set(["image/png", "image/jpeg"]);
const $ = (id) => document.getElementById(id);
const state = { args: null, result: null, tool: null, pages: null, asked: null };

function money(cents, currency) {
  if (typeof cents !== "number") return "";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: (currency || "eur").toUpperCase() })
      .format(cents / 100);
  } catch (_) {
    return `${(cents / 100).toFixed(2)} ${(currency || "eur").toUpperCase()}`;
  }
}

function recipientsOf(args) {
  if (!args || typeof args !== "object") return [];
  const out = [];
  if (Array.isArray(args.letters)) for (const l of args.letters) if (l && l.recipient) out.push(l.recipient);
  if (args.recipient) out.push(args.recipient);  // create_compose_link
  const card = args.postcard;
  if (card && card.recipient) out.push(card.recipient);
  if (card && Array.isArray(card.recipients)) out.push(...card.recipients);
  return out.filter((r) => r && typeof r === "object");
}

function describe(recipient) {
  const place = [recipient.postalCode, recipient.city, recipient.country].filter(Boolean).join(" ");
  return [recipient.name, place].filter(Boolean).join(" — ");
}

function linkOf(data) {
  const url = data.paymentLinkUrl || data.publicCheckoutUrl || data.checkoutUrl || data.url;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) return null;
  const compose = typeof data.url === "string" && url === data.url && !data.orderId;
  return { url, label: compose ? "Open the compose editor" : "Open checkout to pay" };
}

function errorText(result) {
  const text = (result.content || []).find((c) => c.type === "text");
  try { return JSON.parse(text.text).error || "The tool failed."; } catch (_) { return "The tool failed."; }
}

function imagesOf(result) {
  return ((result && result.content) || []).filter((c) => c.type === "image" && IMAGE_TYPES.has(c.mimeType)
                                                          && /^[A-Za-z0-9+/=]+$/.test(c.data || ""));
}

// Link results carry no picture; ask the host to call get_order (which does) when it can proxy tools.
async function fetchPreview(orderId) {
  state.asked = orderId;
  const caps = app.getHostCapabilities();
  if (!caps || !caps.serverTools) return;
  try {
    const answer = await app.callServerTool({ name: "get_order", arguments: { orderId } });
    if (answer && !answer.isError) { state.pages = imagesOf(answer); render(); }
  } catch (err) {
    console.warn("no preview for", orderId, err);
  }
}

function render() {
  const result = state.result;
  $("waiting").hidden = !!result;
  const people = recipientsOf(state.args);
  const list = $("recipients");
  list.replaceChildren(...people.map((r) => { const li = document.createElement("li"); li.textContent = describe(r); return li; }));
  list.hidden = people.length === 0;
  if (!result) return;
  if (result.isError) {
    $("error").textContent = errorText(result);
    $("error").hidden = false;
    return;
  }
  const data = result.structuredContent || {};
  const kind = data.requestType === "postcard" ? "Postcard" : data.requestType === "letter" ? "Letter" : "";
  $("title").textContent = [kind || "PieterPost", data.orderId ? `order ${data.orderId}` : ""].filter(Boolean).join(" · ");
  const currency = data.currency || (data.wallet && data.wallet.currency) || "eur";
  $("price").textContent = money(data.amountCents, currency);
  const bits = [];
  if (typeof data.recipientCount === "number") bits.push(`${data.recipientCount} recipient${data.recipientCount === 1 ? "" : "s"}`);
  if (data.status) bits.push(`status ${data.status}`);
  if (data.mode === "test" || data.testMode === true) bits.push("test mode");
  $("details").textContent = bits.join(" · ");
  $("summary").hidden = !$("price").textContent && !bits.length;

  const own = imagesOf(result);
  const images = own.length ? own : (state.pages || []);
  if (!own.length && data.orderId && state.asked !== data.orderId) fetchPreview(data.orderId);
  $("pages").replaceChildren(...images.map((c, i) => {
    const img = document.createElement("img");
    img.src = `data:${c.mimeType};base64,${c.data}`;
    img.alt = `Preview of page ${i + 1} as it will be printed`;
    return img;
  }));

  const link = linkOf(data);
  const button = $("open");
  button.hidden = !link;
  if (link) {
    button.textContent = link.label;
    button.onclick = async () => {
      const answer = await app.openLink({ url: link.url });
      const note = $("opened");
      note.hidden = false;
      note.textContent = answer && answer.isError ? `Open this link yourself: ${link.url}` : "Opened in your browser.";
    };
  }
}

const app = new App({ name: "PieterPost order preview", version: "1.0.0" }, {});
app.ontoolinput = (params) => { state.args = params.arguments || null; render(); };
app.ontoolresult = (result) => { state.result = result; render(); };
app.connect(new PostMessageTransport(window.parent, window.parent)).then(() => {
  const info = app.getHostContext() && app.getHostContext().toolInfo;
  state.tool = info && info.tool ? info.tool.name : null;
}).catch((err) => {
  $("waiting").textContent = "This preview needs an MCP Apps host.";
  console.error(err);
});
