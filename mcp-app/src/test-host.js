// The host side for the browser test: the extension's own AppBridge and PostMessageTransport.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

window.McpHost = { AppBridge, PostMessageTransport };
