/** @module Fixes in LM Studio's own words, shared by the checks that can end in them. */

export const REMEDY = {
  token:
    "The host has \"Require Authentication\" on: create a token in Developer → Server Settings → Manage Tokens and pass its environment variable with --token-env VAR (lmcert never takes the token itself on the command line).",
  upgradeForState:
    "Update LM Studio: 0.3.6 adds /api/v0/models with a per-model `state`, and 0.4.0 adds /api/v1/models with `loaded_instances` (recommended). Then re-run.",
  jitOff:
    "In LM Studio: Developer → Server Settings → turn off \"Just-in-Time Model Loading\". /v1/models then lists only loaded models. Load the models this host should serve with `lms load <model>`.",
  jitOn:
    "In LM Studio: Developer → Server Settings → turn on \"Just-in-Time Model Loading\" so /v1/models lists every downloaded model.",
  serverRunning:
    "Start the LM Studio server (Developer → Start Server, or `lms server start --port 1234`) and check the URL and port. A server other than LM Studio answers at this address if the greeting is missing.",
  upgradeForLoad:
    "Update LM Studio to 0.4.0 or newer (adds POST /api/v1/models/load and /unload), or keep the LM Studio SDK websocket reachable on the server port so lmcert can load and unload through it.",
  inferenceBroken:
    "The server does not answer inference the way LM Studio does (a 5xx, or a page from something else). Check the server log (`lms log stream`), that the loaded model works in LM Studio's chat, and that no proxy answers in LM Studio's place; then re-run.",
  reportBug:
    "This is LM Studio answering inconsistently. Restart the server (`lms server stop && lms server start`); if it persists, report it at github.com/lmstudio-ai/lmstudio-bug-tracker with this certificate's evidence.",
} as const;
