/** @module A process serving N compliant mock hosts on ephemeral loopback ports (bound to 0.0.0.0), for benchmarks. */
import { preset } from "../fixtures/mock/presets.ts";
import { startMock } from "../fixtures/mock/server.ts";

const count = Number(process.argv[2] ?? 25);
const mocks = await Promise.all(Array.from({ length: count }, () => startMock(preset("compliant"))));
console.log(JSON.stringify(mocks.map((m) => m.url)));
process.on("SIGTERM", () => void Promise.all(mocks.map((m) => m.close())).then(() => process.exit(0)));
