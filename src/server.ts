import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createApp, type AppDeps } from "./app.js";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import { V2Client } from "./v2/client.js";
import { createSandbox, type Sandbox } from "./v2/sandbox.js";
import { httpTransport, inProcessTransport } from "./v2/transport.js";

export interface RunningServer {
  server: ServerType;
  port: number;
  /** Present when no DIGICERT_API_URL is configured and the built-in sandbox stands in for v2. */
  sandbox: Sandbox | undefined;
  close(): Promise<void>;
}

export interface ServerOptions {
  newAlternativeOrderId?: AppDeps["newAlternativeOrderId"];
}

/** The shim wired to v2 (or to its sandbox) and listening; resolves once it accepts connections. */
export async function startServer(config: Config, logger: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  const upstream = config.digicertApiUrl ? httpTransport(config.digicertApiUrl, config.upstreamTimeoutMs) : undefined;
  const sandbox = upstream ? undefined : createSandbox();
  const transport = upstream?.send ?? inProcessTransport(sandbox!.app);
  const app = createApp({ config, logger, v2: new V2Client(transport), ...options });

  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(listening));
    listening.once("error", reject);
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    sandbox,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream?.close();
    },
  };
}
