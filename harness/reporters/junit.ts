/** @module JUnit XML: one testsuite per host, one testcase per check, run configuration as properties. */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import { severityCounts, severityOf } from "../severity.ts";
import { xml } from "./escape.ts";
import { concreteRemedy } from "./what-to-fix.ts";

function testcase(host: string, hostUrl: string, check: CheckRecord): string {
  const open = `    <testcase classname="lmcert.${xml(host)}" name="${xml(check.id)}" time="${(check.durationMs / 1000).toFixed(3)}">`;
  const fix = concreteRemedy(check, hostUrl);
  const detail = xml([check.reason, fix ? `Fix: ${fix}` : ""].filter(Boolean).join("\n"));
  // An optional check that did not pass is a warning: never a <failure> or <error>, which would keep CI red for a
  // check the host does not need. It is reported as <skipped> (shown, not counted as failing) with the reason.
  if (severityOf(check) === "warning") {
    return `${open}\n      <skipped message="${xml(`warning (optional check ${check.status}): ${check.reason.split("\n")[0] ?? ""}`)}"/>\n      <system-out>${detail}</system-out>\n    </testcase>`;
  }
  // An optional check the interruption left undecided says nothing about the host: not run, not a warning.
  if (severityOf(check) === "interrupted") {
    return `${open}\n      <skipped message="${xml(`not run (interrupted): ${check.reason.split("\n")[0] ?? ""}`)}"/>\n    </testcase>`;
  }
  if (check.carriedOver && check.status === "passed") {
    return `${open}\n      <system-out>${xml(`carried over: passed at ${check.carriedOver.at} (certificate ${check.carriedOver.from}), not re-run`)}</system-out>\n    </testcase>`;
  }
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
    ["interrupted", cert.interrupted ? `yes, at ${cert.interrupted.at}` : "no"],
  ];
  return props.map(([name, value]) => `      <property name="${xml(name)}" value="${xml(value)}"/>`).join("\n");
}

export function renderJunit(certificates: readonly Certificate[]): string {
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  const suites = certificates.map((cert) => {
    // Counted by the severity model, the same one the verdict uses: warnings go to `skipped`.
    const severity = severityCounts(cert.checks);
    const failures = severity.failure;
    const errors = cert.checks.filter((c) => severityOf(c) === "incomplete" && c.status !== "skipped").length;
    const skipped = cert.checks.length - severity.ok - failures - errors;
    const seconds = (Date.parse(cert.finishedAt) - Date.parse(cert.startedAt)) / 1000;
    total.tests += cert.checks.length;
    total.failures += failures;
    total.errors += errors;
    total.skipped += skipped;
    total.time += seconds;
    return [
      `  <testsuite name="${xml(cert.host.name)}" tests="${cert.checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${cert.startedAt.replace(/Z$/, "")}" time="${seconds.toFixed(3)}">`,
      "    <properties>",
      properties(cert),
      "    </properties>",
      ...cert.checks.map((c) => testcase(cert.host.name, cert.host.url, c)),
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
