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
  if (io.signal.aborted) io.stderr.write("\ninterrupted: the certificate is incomplete (the host was put back first)\n");
  return failed.length > 0 || io.signal.aborted ? 2 : null;
}
