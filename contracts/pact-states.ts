/**
 * @module Provider states the cluster router's Pact contract names. The consumer tests use them in `given()`;
 * `lmcert pact verify` puts a real host into each one through the lifecycle drivers. Params: `{ model }`, the
 * consumer's example only: the host's own model is injected in its place (see PACT_VALUES).
 */
export const PACT_STATES = {
  modelLoaded: "model is loaded",
  modelNotLoaded: "model is downloaded but not loaded",
  noModelLoaded: "no model is loaded",
  onlyModelLoaded: "only this model is loaded",
} as const;

export type PactState = (typeof PACT_STATES)[keyof typeof PACT_STATES];

export const PACT_CONSUMER = "lmcert-cluster-router";
export const PACT_PROVIDER = "lmstudio";
/** Where consumer tests write the contract, and where `lmcert pact verify` reads it by default. */
export const PACT_FILE = `contracts/pacts/${PACT_CONSUMER}-${PACT_PROVIDER}.json`;

/**
 * Provider-state values the verifier injects (Pact V3 `fromProviderState("${model}", example)`): the state handler
 * answers with the model the host really has and the id of its loaded instance, so the contract verifies on any
 * host, not only one that has the consumer's example model.
 */
export const PACT_VALUES = {
  model: "model",
  instanceId: "instanceId",
} as const;
