/** @module Every published contract, by the id its JSON Schema file is named after. */
import type { z } from "zod";
import { Certificate } from "./certificate.ts";
import { FleetSummary } from "./fleet-summary.ts";
import { Inventory } from "./inventory.ts";
import { RestoreJournal } from "./journal.ts";
import { OpenAiError, RestV1Error, UnknownEndpointError } from "./lmstudio/errors.ts";
import { Greeting } from "./lmstudio/greeting.ts";
import { OpenAiModel, OpenAiModelList } from "./lmstudio/openai-models.ts";
import { RestV0Model, RestV0ModelList } from "./lmstudio/rest-v0-models.ts";
import {
  RestV1LoadRequest,
  RestV1LoadResponse,
  RestV1ModelList,
  RestV1UnloadRequest,
  RestV1UnloadResponse,
} from "./lmstudio/rest-v1-models.ts";
import { HttpServerConfig, LmStudioAppSettings } from "./lmstudio/server-config.ts";
import { Standard } from "./standard.ts";

/** Wire payloads: validated leniently (extra fields are drift). Files: strict, published for editors. */
export const contracts = {
  "lmstudio.openai.ModelList": { schema: OpenAiModelList, io: "output" },
  "lmstudio.openai.Model": { schema: OpenAiModel, io: "output" },
  "lmstudio.v0.ModelList": { schema: RestV0ModelList, io: "output" },
  "lmstudio.v0.Model": { schema: RestV0Model, io: "output" },
  "lmstudio.v1.ModelList": { schema: RestV1ModelList, io: "output" },
  "lmstudio.v1.LoadRequest": { schema: RestV1LoadRequest, io: "output" },
  "lmstudio.v1.LoadResponse": { schema: RestV1LoadResponse, io: "output" },
  "lmstudio.v1.UnloadRequest": { schema: RestV1UnloadRequest, io: "output" },
  "lmstudio.v1.UnloadResponse": { schema: RestV1UnloadResponse, io: "output" },
  "lmstudio.error.OpenAi": { schema: OpenAiError, io: "output" },
  "lmstudio.error.RestV1": { schema: RestV1Error, io: "output" },
  "lmstudio.error.UnknownEndpoint": { schema: UnknownEndpointError, io: "output" },
  "lmstudio.Greeting": { schema: Greeting, io: "output" },
  "lmstudio.HttpServerConfig": { schema: HttpServerConfig, io: "output" },
  "lmstudio.AppSettings": { schema: LmStudioAppSettings, io: "output" },
  "lmcert.Standard": { schema: Standard, io: "input" },
  "lmcert.Inventory": { schema: Inventory, io: "input" },
  "lmcert.Certificate": { schema: Certificate, io: "output" },
  "lmcert.RestoreJournal": { schema: RestoreJournal, io: "output" },
  "lmcert.FleetSummary": { schema: FleetSummary, io: "output" },
} as const satisfies Record<string, { schema: z.ZodType; io: "input" | "output" }>;

export type ContractId = keyof typeof contracts;
