/** @module Renders a contract as a JSON Schema (draft 2020-12), the form ajv validates and editors complete. */
import { z } from "zod";
import { contracts, type ContractId } from "./index.ts";

export type JsonSchema = Record<string, unknown>;

export function contractJsonSchema(id: ContractId): JsonSchema {
  const { schema, io } = contracts[id];
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  return { ...json, $id: `https://lmcert.dev/schemas/${id}.json` };
}

export function contractIds(): ContractId[] {
  return Object.keys(contracts) as ContractId[];
}

/** The exact text committed under contracts/json/, so a test can compare byte for byte. */
export function renderContractFile(id: ContractId): string {
  return `${JSON.stringify(contractJsonSchema(id), null, 2)}\n`;
}
