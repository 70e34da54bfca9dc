/**
 * @module Asks LM Studio's SDK websocket for `system.version`, the one place a 0.4 host states its version.
 *
 * It speaks the SDK's protocol directly (open `/system`, authenticate, one `rpcCall`) instead of loading
 * @lmstudio/sdk, because every certify of a 0.4 host asks this and loading the SDK costs about 300 ms and 15 MB
 * (bench/RESULTS.md keeps the SDK on demand). The messages are the SDK's own (lmstudio-js
 * AuthenticatedWsClientTransport, ClientPort.callRpc; `version` uses the default "raw" serialization, so the result
 * is the plain `{version, build}`), and the mock's SDK server answers both this and the SDK.
 */
import WebSocket from "ws";
import { RpcAnswer, SystemVersion, WsAuthenticationResult } from "../../contracts/lmstudio/sdk-protocol.ts";
import { sdkBaseUrl, sdkCredentials, SdkError } from "./sdk-client.ts";

export async function askSystemVersion(httpBaseUrl: string, timeoutMs: number, token?: string): Promise<SystemVersion> {
  const credentials = sdkCredentials(token);
  if ("error" in credentials) throw new SdkError(`SDK: ${credentials.error}`);
  const url = `${sdkBaseUrl(httpBaseUrl)}/system`;
  const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<SystemVersion>((resolve, reject) => {
      timer = setTimeout(() => reject(new SdkError(`SDK system.version: no valid answer within ${timeoutMs} ms (${url})`)), timeoutMs);
      let authenticated = false;
      ws.on("error", (error) => reject(new SdkError(`SDK system.version failed: ${error.message}`)));
      ws.on("close", () => reject(new SdkError(`SDK system.version failed: the server closed the connection${authenticated ? "" : " before authenticating"}`)));
      ws.on("open", () => ws.send(JSON.stringify({ authVersion: 1, ...credentials })));
      ws.on("message", (data) => {
        let message: unknown;
        try {
          message = JSON.parse(String(data)) as unknown;
        } catch {
          return;
        }
        if (!authenticated) {
          const auth = WsAuthenticationResult.safeParse(message);
          if (!auth.success) return reject(new SdkError("SDK system.version failed: the server's authentication answer is not one the SDK knows"));
          if (auth.data.success === false) return reject(new SdkError(`SDK system.version failed: Failed to authenticate: ${auth.data.error}`));
          authenticated = true;
          ws.send(JSON.stringify({ type: "rpcCall", endpoint: "version", callId: 0 }));
          return;
        }
        const answer = RpcAnswer.safeParse(message);
        if (!answer.success || answer.data.callId !== 0) return;
        if (answer.data.type === "rpcError") return reject(new SdkError("SDK system.version failed: the server answered with an error"));
        const version = SystemVersion.safeParse(answer.data.result);
        // A result the SDK could not parse either: like the SDK, keep waiting, so only the deadline ends it.
        if (version.success) resolve(version.data);
      });
    });
  } finally {
    clearTimeout(timer);
    ws.removeAllListeners();
    ws.on("error", () => undefined);
    ws.terminate();
  }
}
