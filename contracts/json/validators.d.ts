// Types for validators.js, which `npm run contracts:json` generates (precompiled ajv validators).
import type { ErrorObject } from "ajv";
import type { ContractId } from "../index.ts";
import type { JsonSchema } from "../json-schema.ts";

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const validators: Readonly<Record<ContractId, CompiledValidator>>;
export declare const schemas: Readonly<Record<ContractId, JsonSchema>>;
