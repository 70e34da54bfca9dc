/** @module Prometheus textfile for node_exporter's textfile collector (exposition format 0.0.4). */
import type { Certificate } from "../../contracts/certificate.ts";
import { summarizeCertificate } from "../fleet/host-summary.ts";
import { promLabel } from "./escape.ts";

const CHECK_VALUE = { passed: 1, failed: 0, inconclusive: -1, skipped: -1, error: -1 } as const;

export function renderPrometheus(certificates: readonly Certificate[], runAt: Date): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, rows: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of rows) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${promLabel(v)}"`).join(",");
      lines.push(`${name}${text ? `{${text}}` : ""} ${value}`);
    }
  };
  const hosts = certificates.map((c) => ({ cert: c, summary: summarizeCertificate(c, null) }));
  metric("lmcert_certified", "1 if the host is certified against the standard, else 0.", hosts.map(({ cert }) => [{ host: cert.host.name }, cert.verdict === "certified" ? 1 : 0]));
  metric(
    "lmcert_check_status",
    "Per check: 1 passed, 0 failed, -1 anything else (inconclusive, skipped, error).",
    hosts.flatMap(({ cert }) => cert.checks.map((c): [Record<string, string>, number] => [{ host: cert.host.name, check: c.id }, CHECK_VALUE[c.status]])),
  );
  metric("lmcert_models_loaded", "Models with a loaded instance, from the host's authoritative state.", hosts.flatMap(({ cert, summary }) => (summary.modelsLoaded === null ? [] : [[{ host: cert.host.name }, summary.modelsLoaded] as [Record<string, string>, number]])));
  metric("lmcert_models_available", "Downloaded models, where the host states them.", hosts.flatMap(({ cert, summary }) => (summary.modelsAvailable === null ? [] : [[{ host: cert.host.name }, summary.modelsAvailable] as [Record<string, string>, number]])));
  metric("lmcert_certificate_expiry_timestamp_seconds", "When the host's certificate expires (validUntil), Unix seconds.", hosts.map(({ cert }) => [{ host: cert.host.name }, Math.floor(Date.parse(cert.validUntil) / 1000)]));
  metric("lmcert_run_timestamp_seconds", "When this lmcert run finished, Unix seconds.", [[{}, Math.floor(runAt.getTime() / 1000)]]);
  return `${lines.join("\n")}\n`;
}
