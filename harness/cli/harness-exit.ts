/**
 * @module What outranks a verdict when a command ends: a failed restore (the host is not as lmcert found it) or
 * an interrupted run. Both mean the harness did not finish its job: exit 2, said loudly.
 */
import type { Certificate } from "../../contracts/certificate.ts";
import type { CommandIo } from "./io.ts";

export function harnessProblemExit(certificates: readonly Certificate[], io: CommandIo): 2 | null {
  const failed = certificates.filter((c) => c.mutations.restore === "failed");
  for (const cert of failed) {
    io.stderr.write(`\nRESTORE FAILED on ${cert.host.name}: the host is NOT as lmcert found it.\nRun: lmcert restore ${cert.mutations.journal}\n`);
  }
  if (io.signal.aborted) io.stderr.write(`\n${interruptedMessage(certificates)}\n`);
  return failed.length > 0 || io.signal.aborted ? 2 : null;
}

/**
 * What an interrupted run says about the hosts: "put back" only for a host that had a mutation session and whose
 * restore succeeded; in a fleet, host by host (issue 12: the message appeared without --allow-mutations, and in
 * fleet runs where it was not true of every host).
 */
export function interruptedMessage(certificates: readonly Certificate[]): string {
  const what = certificates.length === 1 ? "the certificate is incomplete" : "the certificates are incomplete";
  const changed = certificates.filter((c) => c.mutations.journal !== null);
  const restored = changed.filter((c) => c.mutations.restore !== "failed");
  if (changed.length === 0) {
    const allowed = certificates.some((c) => c.run.mutationsAllowed);
    return `interrupted: ${what} (${allowed ? "no check had changed a host yet" : "nothing was changed: --allow-mutations was not given"})`;
  }
  if (certificates.length === 1) return `interrupted: ${what} (${restored.length === 1 ? "the host was put back first" : "and the restore FAILED: see above"})`;
  return `interrupted: ${what}; put back first: ${restored.map((c) => c.host.name).join(", ") || "none"}`;
}
