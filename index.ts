/** @module lmcert's package entry: the client fix, and the types a caller needs to use it. */
export {
  readModelState,
  ModelStateUnavailableError,
  type ModelState,
  type ReadModelStateOptions,
} from "./harness/model-state/read-model-state.ts";
export type { ModelInstance, StateSource } from "./harness/model-state/views.ts";
export type { Certificate } from "./contracts/certificate.ts";
export type { Standard, ListingSemantics } from "./contracts/standard.ts";
export { loadModel, unloadModel, type ModelAdminOptions } from "./harness/client/model-admin.ts";
