// The parts of undici that lmcert uses, for the bundles only (scripts/build.mjs points `undici` here). undici's
// index loads everything it has: fetch, WebSocket, EventSource, caches, mocks, proxies. Evaluating all that cost
// every cold start ~45 ms and its code sat in the bundle and its V8 code cache; lmcert needs an Agent, the
// request() API on it, and the retry interceptor. The sources and tests use the full package; the build checks that
// this file exports every value the sources import from "undici".
'use strict'

const Dispatcher = require('undici/lib/dispatcher/dispatcher.js')

// What undici's index does for every dispatcher (Object.assign(Dispatcher.prototype, api)), cut to request().
Dispatcher.prototype.request = require('undici/lib/api/api-request.js')

module.exports = {
  Agent: require('undici/lib/dispatcher/agent.js'),
  interceptors: { retry: require('undici/lib/interceptor/retry.js') }
}
