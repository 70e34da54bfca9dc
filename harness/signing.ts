/** @module ed25519 keys, certificate signatures and verification, with node:crypto only. */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import type { Certificate } from "../contracts/certificate.ts";
import { Certificate as CertificateSchema } from "../contracts/certificate.ts";
import { jsonMemberProblems, protoMemberPaths } from "./canonical-json.ts";
import { certificateDigest } from "./certificate.ts";

export interface KeyPairPem {
  readonly privatePem: string;
  readonly publicPem: string;
  readonly keyId: string;
}

/** A short, stable name for a public key: the first 16 hex digits of the sha256 of its SPKI encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

export function generateKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** Signs the digest, which covers every other field: editing anything breaks the digest, editing the digest breaks the signature. */
export function signCertificate(certificate: Certificate, privatePem: string): Certificate {
  const key = createPrivateKey(privatePem);
  const publicKey = createPublicKey(key);
  const value = sign(null, Buffer.from(certificate.digest), key).toString("base64");
  return { ...certificate, signature: { alg: "ed25519", keyId: keyIdOf(publicKey), value } };
}

/** The public key (SPKI PEM) of an ed25519 private key: what a certificate signed with it verifies against. */
export function publicPemOf(privatePem: string): string {
  return createPublicKey(createPrivateKey(privatePem)).export({ type: "spki", format: "pem" }).toString();
}

export interface VerifyResult {
  readonly valid: boolean;
  /** Each thing that does not match, said exactly. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/**
 * A certificate file's text, parsed for verification: duplicate keys and `__proto__` members are refused before
 * JSON.parse can hide them, and a text that is not JSON (truncated, damaged) is a problem, not a crash.
 */
export function parseCertificateText(text: string): { raw: unknown } | { problems: string[] } {
  const members = jsonMemberProblems(text);
  if (members.length > 0) return { problems: members.map((p) => `forged or damaged: ${p}`) };
  try {
    return { raw: JSON.parse(text) as unknown };
  } catch (cause) {
    return { problems: [`not a whole certificate: the file is not valid JSON (truncated or damaged?): ${(cause as Error).message}`] };
  }
}

export function verifyCertificate(raw: unknown, options: { publicPem?: string; strict?: boolean; now?: Date } = {}): VerifyResult {
  const problems: string[] = [];
  const notes: string[] = [];
  // Refused outright: a `__proto__` member is dropped or turned into a prototype by the schema parse below, so a
  // digest over the parsed copy would not cover it (issue 15.7).
  const protos = protoMemberPaths(raw);
  if (protos.length > 0) {
    return { valid: false, problems: protos.map((path) => `forged or damaged: forbidden member "__proto__" at ${path}`), notes };
  }
  const parsed = CertificateSchema.safeParse(raw);
  if (!parsed.success) {
    return { valid: false, problems: parsed.error.issues.map((i) => `not a valid certificate: ${i.path.join(".") || "(top level)"}: ${i.message}`), notes };
  }
  const cert = parsed.data;
  // Over the exact parsed member set, not the schema's copy of it: whatever the file holds is what is digested.
  const expected = certificateDigest(raw as Certificate);
  if (expected !== cert.digest) problems.push(`digest mismatch: the certificate says ${cert.digest} but its content hashes to ${expected} (it was edited after it was written)`);
  if (cert.signature) {
    if (!options.publicPem) {
      notes.push(`signed with key ${cert.signature.keyId}, but no --key was given, so the signature was not checked`);
    } else {
      const publicKey = createPublicKey(options.publicPem);
      const keyId = keyIdOf(publicKey);
      if (keyId !== cert.signature.keyId) problems.push(`signed with key ${cert.signature.keyId}, but the given key is ${keyId}`);
      else if (!verify(null, Buffer.from(cert.digest), publicKey, Buffer.from(cert.signature.value, "base64"))) {
        problems.push(`signature does not match the digest for key ${keyId}`);
      } else if (expected !== cert.digest) {
        // The signature covers the stated digest, which no longer describes the content: nothing here is "valid".
        problems.push(`the signature (key ${keyId}) matches only the stated digest, not this content: the certificate was edited after it was signed`);
      } else notes.push(`signature valid (ed25519, key ${keyId})`);
    }
  } else if (options.publicPem) {
    problems.push("the certificate is not signed, but a key was given");
  }
  const now = options.now ?? new Date();
  if (Date.parse(cert.validUntil) < now.getTime()) problems.push(`expired: valid until ${cert.validUntil}`);
  if (options.strict) {
    // Deselected checks (--skip/--only) are recorded as skipped too, so this covers both.
    for (const c of cert.checks.filter((x) => x.required && x.status === "skipped")) problems.push(`strict: required check ${c.id} was skipped (${c.reason})`);
  }
  return { valid: problems.length === 0, problems, notes };
}
