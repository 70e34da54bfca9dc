/** @module After an upgrade: what changed between two certificates or fleet summaries, regressions first. */
import { Certificate } from "../../contracts/certificate.ts";
import { FleetSummary, type HostSummary } from "../../contracts/fleet-summary.ts";
import { UsageError } from "../errors.ts";
import { summarizeCertificate } from "../fleet/host-summary.ts";
import { severityOf, type Severity } from "../severity.ts";
import type { CheckStatus } from "../../contracts/certificate.ts";

export interface StatusChange {
  readonly check: string;
  readonly from: string;
  readonly to: string;
  /** For a change that is not compared: why. */
  readonly why?: string;
}

export interface HostDiff {
  readonly host: string;
  /** Either run of this host was interrupted: its changes are shown but are not regressions (nothing was proven). */
  readonly interrupted: boolean;
  readonly version: { readonly from: string | null; readonly to: string | null } | null;
  readonly verdict: { readonly from: string; readonly to: string } | null;
  readonly listingBehaviour: { readonly from: string | null; readonly to: string | null } | null;
  /** A required check whose severity got worse (harness/severity.ts). */
  readonly regressions: readonly StatusChange[];
  /** An optional check that newly does not pass: a warning, shown but never a regression. */
  readonly newWarnings: readonly StatusChange[];
  readonly improvements: readonly StatusChange[];
  /** A check one of the runs did not select (--only/--skip, mutations allowed or not): the run changed, not the host. */
  readonly notCompared: readonly StatusChange[];
  readonly otherChanges: readonly StatusChange[];
  readonly driftAppeared: readonly string[];
  readonly driftGone: readonly string[];
}

export interface DiffReport {
  readonly hosts: readonly HostDiff[];
  readonly addedHosts: readonly string[];
  readonly removedHosts: readonly string[];
  readonly regressions: number;
}

/** One side of a diff: what the file was, and its host lines. */
export interface DiffInput {
  readonly kind: "certificate" | "fleet summary";
  readonly where: string;
  readonly hosts: readonly HostSummary[];
  /** The run behind it was interrupted (the fleet run, or any host in it). */
  readonly interrupted: boolean;
  /** A certificate of an upgrade rehearsal (`certify --container`): the image it started. */
  readonly rehearsalImage?: string;
}

/** A certificate or a fleet summary, as host lines. */
export function comparableInput(raw: unknown, where: string): DiffInput {
  const cert = Certificate.safeParse(raw);
  if (cert.success) {
    const container = cert.data.host.container;
    return {
      kind: "certificate",
      where,
      hosts: [summarizeCertificate(cert.data, where)],
      interrupted: cert.data.interrupted !== undefined,
      ...(container ? { rehearsalImage: container.image } : {}),
    };
  }
  const fleet = FleetSummary.safeParse(raw);
  if (fleet.success) return { kind: "fleet summary", where, hosts: fleet.data.hosts, interrupted: (fleet.data.interrupted ?? false) || fleet.data.hosts.some((h) => h.interrupted) };
  throw new UsageError(`${where} is neither an lmcert certificate nor a fleet summary (${cert.error.issues[0]?.message ?? "unknown shape"})`);
}

export interface MismatchOptions {
  /** --allow-mismatch: compare a fleet summary with a certificate, or two different hosts. */
  readonly allowMismatch?: boolean;
  /** --allow-interrupted: compare an interrupted run (its changes are flagged, never counted as regressions). */
  readonly allowInterrupted?: boolean;
}

/**
 * Why these two inputs should not be compared, or null. A fleet summary against one certificate, or two
 * certificates of different hosts, gives a diff full of "new host"/"no longer present" or changes that are
 * really differences between machines; an interrupted run gives regressions that never happened.
 */
export function mismatchRefusal(before: DiffInput, after: DiffInput, options: MismatchOptions = {}): string | null {
  if (!options.allowMismatch) {
    if (before.kind !== after.kind) return `${before.where} is a ${before.kind} but ${after.where} is a ${after.kind}: compare two certificates of one host, or two fleet summaries (--allow-mismatch compares them anyway)`;
    const [b, a] = [before.hosts[0], after.hosts[0]];
    // A container rehearsal against a fleet host is what the upgrade rehearsal is for (README): not a mismatch.
    if (before.kind === "certificate" && b && a && b.name !== a.name && rehearsalNote(before, after) === null) {
      return `the certificates are of different hosts: ${b.name} (${b.url}) and ${a.name} (${a.url}) (--allow-mismatch compares them anyway, e.g. after a rename)`;
    }
  }
  if (!options.allowInterrupted) {
    const interrupted = [before, after].filter((i) => i.interrupted).map((i) => i.where);
    if (interrupted.length > 0) {
      return `${interrupted.join(" and ")} ${interrupted.length > 1 ? "come from interrupted runs" : "comes from an interrupted run"}: its results are partial, so a diff would report regressions that never happened. Compare a complete run (a host's latest.json is never replaced by an interrupted one), or pass --allow-interrupted to see the changes flagged`;
    }
  }
  return null;
}

/**
 * "comparing rehearsal <image> with <host>" when exactly one side is an upgrade rehearsal (a certificate of a
 * container lmcert started) and the other a real host: said first, so nobody reads the diff as one host's history.
 */
export function rehearsalNote(before: DiffInput, after: DiffInput): string | null {
  if (before.kind !== "certificate" || after.kind !== "certificate") return null;
  const [b, a] = [before.hosts[0], after.hosts[0]];
  if (!b || !a) return null;
  if (after.rehearsalImage !== undefined && before.rehearsalImage === undefined) return `comparing rehearsal ${after.rehearsalImage} with ${b.name} (${b.url})`;
  if (before.rehearsalImage !== undefined && after.rehearsalImage === undefined) return `comparing ${a.name} (${a.url}) with rehearsal ${before.rehearsalImage}`;
  return null;
}

/** How bad each severity is (harness/severity.ts, the model every reporter uses): a higher rank is worse. */
const SEVERITY_RANK: Record<Severity, number> = { ok: 0, skipped: 1, interrupted: 1, warning: 2, incomplete: 3, failure: 4 };

/** Required checks of a summary; an older summary does not say, so every check that is not a warning counts. */
function requiredOf(h: HostSummary): (id: string) => boolean {
  if (h.required) {
    const required = new Set(h.required);
    return (id) => required.has(id);
  }
  const warnings = new Set(h.warnings ?? []);
  return (id) => !warnings.has(id);
}

/**
 * One check across two runs, judged by severity (harness/severity.ts), so diff and the reporters agree:
 * - a check that one run did not select (--only/--skip, mutations not allowed) is not compared: the run changed,
 *   not the host (an optional check the new run fails is still a new warning);
 * - a regression is a required check whose severity got worse (passed → failed/error/inconclusive/skipped;
 *   a required check that stopped being run is a loss too);
 * - an optional check that newly does not pass is a new warning: shown, never a regression.
 */
function classify(change: StatusChange, before: HostSummary, after: HostSummary): keyof Pick<HostDiff, "regressions" | "newWarnings" | "improvements" | "notCompared" | "otherChanges"> {
  const { check, from, to } = change;
  const requiredBefore = requiredOf(before)(check);
  const requiredAfter = requiredOf(after)(check);
  const fromSeverity = from === "absent" ? null : severityOf({ required: requiredBefore, status: from as CheckStatus });
  const toSeverity = to === "absent" ? null : severityOf({ required: requiredAfter, status: to as CheckStatus });
  if (toSeverity === "warning" && (fromSeverity === null || fromSeverity === "ok" || fromSeverity === "skipped")) return "newWarnings";
  const unselected = (h: HostSummary) => (h.notSelected ?? []).includes(check);
  if (unselected(before) || unselected(after)) return "notCompared";
  if (to === "passed") return "improvements";
  // A check that is gone counts as not run: a required pass that disappears is a loss.
  const toRank = SEVERITY_RANK[toSeverity ?? (requiredBefore ? "incomplete" : "skipped")];
  const fromRank = fromSeverity === null ? null : SEVERITY_RANK[fromSeverity];
  const requiredNow = toSeverity === null ? requiredBefore : requiredAfter;
  if (requiredNow && fromRank !== null && toRank > fromRank && toRank >= SEVERITY_RANK.incomplete) return "regressions";
  return "otherChanges";
}

/** Why a check is not compared: the side that did not select it. */
function notComparedWhy(check: string, before: HostSummary, after: HostSummary): string {
  const sides = [(before.notSelected ?? []).includes(check) ? "the first run" : null, (after.notSelected ?? []).includes(check) ? "the second run" : null].filter((s) => s !== null);
  return `not selected in ${sides.join(" or ")} (--only/--skip, or --allow-mutations not given)`;
}

function compareHost(before: HostSummary, after: HostSummary): HostDiff {
  const buckets = { regressions: [] as StatusChange[], newWarnings: [] as StatusChange[], improvements: [] as StatusChange[], notCompared: [] as StatusChange[], otherChanges: [] as StatusChange[] };
  for (const check of new Set([...Object.keys(before.checks), ...Object.keys(after.checks)])) {
    const from = before.checks[check] ?? "absent";
    const to = after.checks[check] ?? "absent";
    if (from === to) continue;
    const change: StatusChange = { check, from, to };
    const bucket = classify(change, before, after);
    buckets[bucket].push(bucket === "notCompared" ? { ...change, why: notComparedWhy(check, before, after) } : change);
  }
  const driftKey = (h: HostSummary) => new Set(Object.entries(h.drift).flatMap(([check, fields]) => fields.map((f) => `${check}: ${f.replace(/\/\d+\//g, "/*/")}`)));
  const [d0, d1] = [driftKey(before), driftKey(after)];
  return {
    host: after.name,
    interrupted: (before.interrupted ?? false) || (after.interrupted ?? false),
    version: before.lmstudioVersion !== after.lmstudioVersion ? { from: before.lmstudioVersion, to: after.lmstudioVersion } : null,
    verdict: before.verdict !== after.verdict ? { from: before.verdict, to: after.verdict } : null,
    listingBehaviour: before.listingBehaviour !== after.listingBehaviour ? { from: before.listingBehaviour, to: after.listingBehaviour } : null,
    ...buckets,
    driftAppeared: [...d1].filter((f) => !d0.has(f)).sort(),
    driftGone: [...d0].filter((f) => !d1.has(f)).sort(),
  };
}

export function diffHosts(before: readonly HostSummary[], after: readonly HostSummary[]): DiffReport {
  const old = new Map(before.map((h) => [h.name, h]));
  const fresh = new Map(after.map((h) => [h.name, h]));
  // Two single certificates of differently named hosts still compare: it is the same host, renamed.
  const pairs: [HostSummary, HostSummary][] =
    before.length === 1 && after.length === 1 && before[0] && after[0] && !fresh.has(before[0].name)
      ? [[before[0], after[0]]]
      : after.flatMap((h) => (old.has(h.name) ? [[old.get(h.name) as HostSummary, h] as [HostSummary, HostSummary]] : []));
  const hosts = pairs.map(([b, a]) => compareHost(b, a));
  const paired = new Set(pairs.flatMap(([b, a]) => [b.name, a.name]));
  return {
    hosts,
    addedHosts: after.filter((h) => !paired.has(h.name)).map((h) => h.name),
    removedHosts: before.filter((h) => !paired.has(h.name)).map((h) => h.name),
    // An interrupted host's changes are shown, flagged, and never counted: nothing was proven about it.
    regressions: hosts.filter((h) => !h.interrupted).reduce((n, h) => n + h.regressions.length + (h.verdict?.from === "certified" ? 1 : 0), 0),
  };
}

export function renderDiff(report: DiffReport): string {
  const lines: string[] = [];
  for (const h of report.hosts) {
    const changed = h.version || h.verdict || h.listingBehaviour || h.regressions.length || h.newWarnings.length || h.improvements.length || h.notCompared.length || h.otherChanges.length || h.driftAppeared.length || h.driftGone.length;
    lines.push(changed ? `${h.host}:${h.interrupted ? " (interrupted run: changes unconfirmed, not counted)" : ""}` : `${h.host}: no changes`);
    if (h.version) lines.push(`  LM Studio ${h.version.from ?? "unknown"} → ${h.version.to ?? "unknown"}`);
    if (h.verdict) lines.push(`  verdict ${h.verdict.from} → ${h.verdict.to}`);
    if (h.listingBehaviour) lines.push(`  listing behaviour ${h.listingBehaviour.from ?? "unknown"} → ${h.listingBehaviour.to ?? "unknown"}`);
    for (const r of h.regressions) lines.push(`  ${h.interrupted ? "unconfirmed" : "REGRESSION"} ${r.check}: ${r.from} → ${r.to}`);
    for (const r of h.newWarnings) lines.push(`  new warning ${r.check}: ${r.from} → ${r.to} (optional check)`);
    for (const r of h.improvements) lines.push(`  improved   ${r.check}: ${r.from} → ${r.to}`);
    for (const r of h.otherChanges) lines.push(`  changed    ${r.check}: ${r.from} → ${r.to}`);
    for (const r of h.notCompared) lines.push(`  not compared ${r.check}: ${r.from} → ${r.to} (${r.why ?? "the run's selection changed"})`);
    for (const f of h.driftAppeared) lines.push(`  schema drift, new field: ${f}`);
    for (const f of h.driftGone) lines.push(`  schema drift, field gone: ${f}`);
  }
  for (const name of report.addedHosts) lines.push(`${name}: new host`);
  for (const name of report.removedHosts) lines.push(`${name}: no longer present`);
  const warnings = report.hosts.reduce((n, h) => n + h.newWarnings.length, 0);
  lines.push(`${report.regressions > 0 ? `${report.regressions} regression(s)` : "no regressions"}${warnings > 0 ? ` · ${warnings} new warning(s)` : ""}`);
  return `${lines.join("\n")}\n`;
}
