/** @module listing: what GET /v1/models means on this host, against what the standard declares. */
import { OpenAiModelList } from "../contracts/lmstudio/openai-models.ts";
import type { Evidence } from "../contracts/certificate.ts";
import type { Discovery } from "../harness/discovery.ts";
import { classifyListing, type ListingClassification } from "../harness/listing-classifier.ts";
import { authoritativeView, readingEvidence, stateReadings } from "../harness/model-state/authoritative.ts";
import { difference, sameSet } from "../harness/model-state/ids.ts";
import { serverList } from "../harness/server-text.ts";
import type { ModelStateView } from "../harness/model-state/views.ts";
import { defineCheck, type Outcome } from "../harness/types.ts";
import { breakTie } from "./listing-tiebreak.ts";
import { notPresentOutcome } from "./outcomes.ts";
import { REMEDY } from "./remedies.ts";

interface ListingInputs {
  readonly ids: readonly string[];
  readonly readings: ReturnType<typeof stateReadings>;
  readonly view: ModelStateView | null;
  readonly classification: ListingClassification;
  readonly evidence: Evidence[];
}

/** Reads /v1/models and the authoritative state; an Outcome instead when /v1/models cannot be used. */
function listingInputs(d: Discovery): ListingInputs | Outcome {
  const openai = d.surfaces.openai;
  if (openai.state !== "present") return notPresentOutcome(openai, "failed");
  const parsed = OpenAiModelList.safeParse(openai.json);
  if (!parsed.success) {
    return { status: "failed", reason: "GET /v1/models does not match its contract (see schema.openai-models)", evidence: [openai.evidence] };
  }
  const readings = stateReadings(d);
  const view = authoritativeView(readings);
  const ids = parsed.data.data.map((m) => m.id);
  const evidence = [openai.evidence, ...readingEvidence(readings)];
  return { ids, readings, view, classification: classifyListing(ids, view), evidence };
}

const listingMatches = defineCheck({
  id: "listing.matches-standard",
  title: "/v1/models means what the standard says",
  must: "GET /v1/models MUST list exactly the loaded models (standard `listing: loaded-only`) or exactly the downloaded models (`all-available`), proven against the host's authoritative state.",
  concern: "listing",
  required: true,
  mutates: false,
  needs: ["surfaces.discovered"],
  remedy: REMEDY.jitOff,
  async run(ctx) {
    const inputs = listingInputs(await ctx.discovery());
    if (!("classification" in inputs)) return inputs;
    const { view } = inputs;
    let { classification: c } = inputs;
    const evidence = [...inputs.evidence];
    let tieBreak: string | null = null;
    if (c.behaviour === "indeterminate" && ctx.allowMutations) {
      const result = await breakTie(ctx);
      if (result.decided) {
        tieBreak = `tie broken: ${result.action}, then restored`;
        c = result.classification;
        evidence.push(...result.evidence);
      } else {
        tieBreak = `tie-breaker failed: ${result.reason}`;
      }
    }
    const wanted = ctx.standard.listing;
    const observed = {
      behaviour: c.behaviour,
      standard: wanted,
      source: view?.source ?? null,
      listed: c.listed,
      available: c.available,
      loaded: c.loaded,
      differences: c.differences,
      tieBreak,
    };
    const base = { observed, evidence };
    const how = tieBreak ? ` (${tieBreak})` : "";
    switch (c.behaviour) {
      case "unknown":
        return { ...base, status: "inconclusive", reason: `cannot classify: ${c.explanation}`, remedy: REMEDY.upgradeForState };
      case "indeterminate":
        return {
          ...base,
          status: "inconclusive",
          reason: `indeterminate: ${c.explanation}; loaded-only and all-available look the same here${how}`,
          remedy: "Make the loaded set differ from the downloaded set (e.g. `lms unload <model>` one model, or download one more) and re-run, or run with --allow-mutations so lmcert does this itself and restores the host.",
        };
      case "inconsistent":
        return { ...base, status: "failed", reason: `inconsistent: ${c.explanation}${how}; ${describeDifferences(c)}`, remedy: REMEDY.reportBug };
      default:
        if (c.behaviour === wanted) return { ...base, status: "passed", reason: `${c.behaviour}: ${c.explanation}${how}` };
        return {
          ...base,
          status: "failed",
          reason: `${c.behaviour}, but the standard says ${wanted}: ${c.explanation}${how}; ${describeDifferences(c)}`,
          remedy: wanted === "loaded-only" ? REMEDY.jitOff : REMEDY.jitOn,
        };
    }
  },
});

const DIFFERENCE_WORDS: Record<string, string> = {
  listedNotLoaded: "listed but not loaded",
  loadedNotListed: "loaded but not listed",
  listedNotAvailable: "listed but not downloaded",
  availableNotListed: "downloaded but not listed",
};

/** The set differences that decided a failure, a few ids each, so the reason says which models. */
function describeDifferences(c: ListingClassification): string {
  const parts = Object.entries(c.differences)
    .filter(([, ids]) => ids.length > 0)
    .map(([key, ids]) => `${DIFFERENCE_WORDS[key] ?? key}: [${ids.slice(0, 5).join(", ")}${ids.length > 5 ? `, … ${ids.length - 5} more` : ""}]`);
  return parts.length > 0 ? parts.join("; ") : "no set differences";
}

/** Collects every surface's statement of one set, then reports each pair that disagrees. */
function disagreements(sources: Record<string, readonly string[]>): string[] {
  const names = Object.keys(sources);
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] = [names[i] as string, names[j] as string];
      const [sa, sb] = [sources[a] ?? [], sources[b] ?? []];
      if (!sameSet(sa, sb)) {
        // At most 50 ids per side, each capped: a host listing thousands of phantoms still gets a readable reason.
        out.push(`${a} vs ${b}: only in ${a} [${serverList(difference(sa, sb)).join(", ")}], only in ${b} [${serverList(difference(sb, sa)).join(", ")}]`);
      }
    }
  }
  return out;
}

/**
 * /v1/models is only compared above where its listing behaviour is clear. Whatever the behaviour, each model it
 * lists must be one some other surface reports, as downloaded or loaded; a listed model that nothing else knows is
 * an inconsistency on its own. Decided only where another surface states the downloaded set: otherwise an
 * unloaded download is indistinguishable from a phantom.
 */
function unreported(listed: readonly string[], loaded: Record<string, readonly string[]>, available: Record<string, readonly string[]>): string[] {
  const others = (sets: Record<string, readonly string[]>) => Object.entries(sets).filter(([name]) => name !== "/v1/models");
  const availableSources = others(available);
  if (availableSources.length === 0) return [];
  const known = new Set([...availableSources, ...others(loaded)].flatMap(([, ids]) => ids));
  const phantoms = listed.filter((id) => !known.has(id));
  if (phantoms.length === 0) return [];
  const shown = phantoms.slice(0, 5).join(", ") + (phantoms.length > 5 ? `, … ${phantoms.length - 5} more` : "");
  return [`/v1/models lists ${phantoms.length === 1 ? "a model" : `${phantoms.length} models`} that no other surface reports (${[...availableSources, ...others(loaded)].map(([n]) => n).filter((n, i, a) => a.indexOf(n) === i).join(", ")}): [${shown}]`];
}

const listingConsistent = defineCheck({
  id: "listing.consistent-across-surfaces",
  title: "Every surface agrees on what is loaded",
  must: "The loaded set MUST agree between /api/v1/models loaded_instances, /api/v0/models state, the SDK (where asked) and (on a loaded-only host) /v1/models, after the `:N` and `@quant` id rules.",
  concern: "listing",
  required: true,
  mutates: false,
  needs: ["surfaces.discovered"],
  remedy: REMEDY.reportBug,
  async run(ctx) {
    const d = await ctx.discovery();
    const inputs = listingInputs(d);
    if (!("classification" in inputs)) return inputs;
    const { readings, classification: c, ids } = inputs;
    const v1 = readings["rest-v1"].view;
    const v0 = readings["rest-v0"].view;
    const sdk = readings.sdk.view;
    const loaded: Record<string, readonly string[]> = {};
    const available: Record<string, readonly string[]> = {};
    const instances: Record<string, readonly string[]> = {};
    if (v1?.loaded) loaded["rest-v1 loaded_instances"] = v1.loaded;
    if (v0?.loaded) loaded["rest-v0 state"] = v0.loaded;
    if (sdk?.loaded) loaded["sdk listLoaded"] = sdk.loaded;
    if (c.behaviour === "loaded-only") loaded["/v1/models"] = c.listed;
    if (v1?.available) available["rest-v1 models"] = v1.available;
    if (v0?.available) available["rest-v0 models"] = v0.available;
    if (sdk?.available) available["sdk listDownloadedModels"] = sdk.available;
    if (c.behaviour === "all-available") available["/v1/models"] = c.listed;
    // Instance ids (`key:2`, custom identifiers) are compared exactly where two surfaces list instances.
    if (v1?.instances && c.behaviour === "loaded-only") instances["rest-v1 loaded_instances"] = v1.instances.map((i) => i.id);
    if (sdk?.instances && c.behaviour === "loaded-only") instances["sdk listLoaded"] = sdk.instances.map((i) => i.id);
    if (Object.keys(instances).length > 0) instances["/v1/models"] = ids;
    const observed = { loaded, available, instances };
    const evidence = [d.surfaces.openai.evidence, ...readingEvidence(readings)];
    const comparable = [loaded, available, instances].filter((s) => Object.keys(s).length >= 2);
    if (comparable.length === 0) {
      return { status: "inconclusive", reason: "only one surface states the model state here; there is nothing to cross-check", observed, evidence, remedy: REMEDY.upgradeForState };
    }
    const problems = [
      ...disagreements(loaded).map((p) => `loaded: ${p}`),
      ...disagreements(available).map((p) => `available: ${p}`),
      ...disagreements(instances).map((p) => `instances: ${p}`),
      ...unreported(c.listed, loaded, available),
    ];
    if (problems.length > 0) return { status: "failed", reason: problems.join("\n"), observed, evidence };
    const compared = [loaded, available, instances].flatMap((s) => (Object.keys(s).length >= 2 ? [Object.keys(s).join(" = ")] : []));
    return { status: "passed", reason: `agree: ${compared.join("; ")}`, observed, evidence };
  },
});

export const listingChecks = [listingMatches, listingConsistent];
