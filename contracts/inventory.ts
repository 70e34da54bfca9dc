/** @module The fleet inventory file (DESIGN.md "Inventory file"). Tokens are named by env var, never stored. */
import { z } from "zod";
import { ContainerTarget } from "./container.ts";
import { HostUrl } from "./host-url.ts";

export const InventoryServer = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, '.', '_' or '-' (it names a folder)"),
  url: HostUrl.optional(),
  /** Instead of `url`: lmcert starts this image and certifies it (an upgrade rehearsal host in the nightly run). */
  container: z.union([z.string().min(1), ContainerTarget]).optional(),
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  lifecycleModel: z.string().min(1).optional(),
}).refine((server) => (server.url === undefined) !== (server.container === undefined), {
  message: "give exactly one of url and container",
});

export const Inventory = z
  .strictObject({
    standard: z.string().min(1).optional(),
    servers: z.array(InventoryServer).min(1),
  })
  .meta({ id: "lmcert.Inventory", title: "lmcert inventory file" });

export type Inventory = z.infer<typeof Inventory>;
export type InventoryServer = z.infer<typeof InventoryServer>;
