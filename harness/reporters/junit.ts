/** @module JUnit XML: one testsuite per host, one testcase per check, run configuration as properties. */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import { xml } from "./escape.ts";

function testcase(host: string, check: CheckRecord): string {
  const open = `    <testcase classname="lmcert.${xml(host)}" name="${xml(check.id)}" time="${(check.durationMs / 1000).toFixed(3)}">`;
  const detail = xml([check.reason, check.remedy ? `Fix: ${check.remedy}` : ""].filter(Boolean).join("\n"));
  switch (check.status) {
    case "passed":
      return `${open}</testcase>`;
    case "failed":
      return `${open}\n      <failure message="${xml(check.reason.split("\n")[0] ?? "")}" type="failed">${detail}</failure>\n    </testcase>`;
    case "skipped":
      return `${open}\n      <skipped message="${xml(check.reason)}"/>\n    </testcase>`;
    // Inconclusive is never a pass: CI shows it as an error, with its own type.
    case "inconclusive":
    case "error":
      return `${open}\n      <error message="${xml(check.reason.split("\n")[0] ?? "")}" type="${check.status}">${detail}</error>\n    </testcase>`;
  }
}

function properties(cert: Certificate): string {
  const props: [string, string][] = [
    ["url", cert.host.url],
    ["verdict", cert.verdict],
    ["lmstudioVersion", cert.host.lmstudioVersion ?? "unknown"],
    ["standard", `${cert.standard.name} v${cert.standard.version}`],
    ["standard.sha256", cert.standard.sha256],
    ["mutationsAllowed", String(cert.run.mutationsAllowed)],
    ["selectedChecks", cert.run.selectedChecks.join(",")],
    ["skippedChecks", cert.run.skippedChecks.join(",")],
    ["validUntil", cert.validUntil],
    ["digest", cert.digest],
  ];
  return props.map(([name, value]) => `      <property name="${xml(name)}" value="${xml(value)}"/>`).join("\n");
}

export function renderJunit(certificates: readonly Certificate[]): string {
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  const suites = certificates.map((cert) => {
    const failures = cert.counts.failed;
    const errors = cert.counts.error + cert.counts.inconclusive;
    const seconds = (Date.parse(cert.finishedAt) - Date.parse(cert.startedAt)) / 1000;
    total.tests += cert.checks.length;
    total.failures += failures;
    total.errors += errors;
    total.skipped += cert.counts.skipped;
    total.time += seconds;
    return [
      `  <testsuite name="${xml(cert.host.name)}" tests="${cert.checks.length}" failures="${failures}" errors="${errors}" skipped="${cert.counts.skipped}" timestamp="${cert.startedAt.replace(/Z$/, "")}" time="${seconds.toFixed(3)}">`,
      "    <properties>",
      properties(cert),
      "    </properties>",
      ...cert.checks.map((c) => testcase(cert.host.name, c)),
      "  </testsuite>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lmcert" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}" time="${total.time.toFixed(3)}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
