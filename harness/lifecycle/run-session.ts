/** @module A run's mutation session: begun lazily on the first mutation, always finished with a restore. */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Certificate } from "../../contracts/certificate.ts";
import { hostSlug } from "../certificate.ts";
import type { CertifyHostOptions } from "../certify-host.ts";
import type { Discovery } from "../discovery.ts";
import { describeError } from "../errors.ts";
import type { HttpClient } from "../http/client.ts";
import { acquireHostLock, defaultJournalDir } from "./host-lock.ts";
import { resolveServerKey } from "../net/server-identity.ts";
import { pickDriver } from "./pick-driver.ts";
import { MutationSession } from "./session.ts";

export async function beginSession(options: CertifyHostOptions, http: HttpClient, discovery: () => Promise<Discovery>): Promise<MutationSession> {
  const loadTimeoutMs = options.standard.lifecycle.loadTimeoutSeconds * 1000;
  const driver = await pickDriver({ discovery: await discovery(), http, loadTimeoutMs, sdkTimeoutMs: options.timeoutMs ?? 5_000 });
  const dir = options.journalDir ?? defaultJournalDir();
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  // The lock comes before the snapshot: a snapshot taken while another session has a load in flight would make
  // that load part of "the state to return to".
  const journalPath = join(dir, `${hostSlug(options.host.name)}.${stamp}.restore-journal.json`);
  let lock;
  try {
    // A DNS name is locked by the address it resolves to: the name and its IP must share one lock.
    await resolveServerKey(options.host.url);
    lock = acquireHostLock(options.host.url, defaultJournalDir(), resolve(journalPath));
  } catch (error) {
    await driver.close();
    throw error;
  }
  try {
    return await MutationSession.begin(driver, {
      host: options.host,
      tokenEnv: options.tokenEnv ?? null,
      journalPath,
      loadTimeoutMs,
      lock,
    });
  } catch (error) {
    lock.release();
    await driver.close();
    throw error;
  }
}

/** The final restore: runs whatever happened before (failure, timeout, Ctrl-C), and says how it went. */
export async function finishSession(session: Promise<MutationSession> | undefined, allowed: boolean): Promise<Certificate["mutations"]> {
  const none = { driver: null, performed: false, restore: "not-needed" as const, journal: null };
  if (!session) return { ...none, detail: allowed ? "no check needed to change the host" : "mutations not allowed (--allow-mutations not given)" };
  let s: MutationSession;
  try {
    s = await session;
  } catch (error) {
    return { ...none, detail: `no mutation session: ${describeError(error)}` };
  }
  const outcome = await s.finish();
  await s.driver.close();
  const snapshot = `[${s.snapshot.map((i) => i.id).join(", ")}]`;
  return {
    driver: s.driver.name,
    performed: s.performed,
    restore: outcome.ok ? (s.performed ? "restored" : "not-needed") : "failed",
    detail:
      (outcome.ok
        ? `${s.performed ? "the host was changed and put back" : "nothing was changed"}: the loaded set matches the snapshot ${snapshot} (${outcome.detail})`
        : outcome.detail) + (s.lockNote ? `; ${s.lockNote}` : ""),
    journal: s.journal.path,
  };
}

