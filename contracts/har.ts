/**
 * @module HAR 1.2 (HTTP Archive), the file `lmcert record` writes and `lmcert mock --replay` reads: the format
 * browsers' devtools export and open. Spec: http://www.softwareishard.com/blog/har-12-spec/ (W3C draft
 * "HTTP Archive (HAR) format"). Objects stay open: the spec allows custom fields (named with a leading `_`), and
 * browsers add their own, so a HAR from elsewhere still loads.
 */
import { z } from "zod";

const comment = z.string().optional();

export const HarNameValue = z.object({ name: z.string(), value: z.string(), comment });
export type HarNameValue = z.infer<typeof HarNameValue>;

export const HarPostData = z.object({
  mimeType: z.string(),
  text: z.string().optional(),
  params: z.array(z.object({ name: z.string() }).loose()).optional(),
  comment,
});

export const HarRequest = z.object({
  method: z.string().min(1),
  url: z.url(),
  httpVersion: z.string(),
  cookies: z.array(z.object({ name: z.string(), value: z.string() }).loose()),
  headers: z.array(HarNameValue),
  queryString: z.array(HarNameValue),
  postData: HarPostData.optional(),
  /** -1 when not known. */
  headersSize: z.number().int(),
  bodySize: z.number().int(),
  comment,
});

export const HarContent = z.object({
  size: z.number().int(),
  compression: z.number().int().optional(),
  mimeType: z.string(),
  text: z.string().optional(),
  /** "base64" for binary bodies; absent for text. */
  encoding: z.string().optional(),
  comment,
});

export const HarResponse = z.object({
  /** 0 when no response arrived (browsers write the same); lmcert adds `_error` saying why. */
  status: z.number().int().min(0).max(999),
  statusText: z.string(),
  httpVersion: z.string(),
  cookies: z.array(z.object({ name: z.string(), value: z.string() }).loose()),
  headers: z.array(HarNameValue),
  content: HarContent,
  redirectURL: z.string(),
  headersSize: z.number().int(),
  bodySize: z.number().int(),
  comment,
  _error: z.string().optional(),
});

/** send, wait and receive are required; the others are -1 when they do not apply. */
export const HarTimings = z.object({
  blocked: z.number().min(-1).optional(),
  dns: z.number().min(-1).optional(),
  connect: z.number().min(-1).optional(),
  send: z.number().min(0),
  wait: z.number().min(0),
  receive: z.number().min(0),
  ssl: z.number().min(-1).optional(),
  comment,
});

export const HarEntry = z.object({
  pageref: z.string().optional(),
  startedDateTime: z.iso.datetime({ offset: true }),
  /** Total milliseconds: the sum of the timings that apply. */
  time: z.number().min(0),
  request: HarRequest,
  response: HarResponse,
  cache: z.object({}).loose(),
  timings: HarTimings,
  serverIPAddress: z.string().optional(),
  connection: z.string().optional(),
  comment,
});
export type HarEntry = z.infer<typeof HarEntry>;

/**
 * LM Studio's SDK websocket is not HTTP, so it has no HAR entries. `lmcert record` keeps what it answered here, a
 * HAR custom field, and the replay serves an SDK websocket with the same answers: the version (on 0.4 hosts,
 * where lmcert asks the SDK only that) and, where lmcert relied on the SDK (before 0.4, without /api/v1), the
 * downloads and loaded instances too. Absent lists replay as empty.
 */
export const HarSdkState = z.object({
  version: z.string(),
  downloaded: z.array(z.object({ key: z.string(), type: z.enum(["llm", "embedding"]), sizeBytes: z.number() })).optional(),
  loaded: z.array(z.object({ id: z.string(), model: z.string() })).optional(),
});
export type HarSdkState = z.infer<typeof HarSdkState>;

export const Har = z.object({
  log: z.object({
    /** lmcert writes 1.2; 1.1 files (older tools) have the same fields lmcert reads. */
    version: z.enum(["1.1", "1.2"]),
    creator: z.object({ name: z.string(), version: z.string(), comment }),
    browser: z.object({ name: z.string(), version: z.string(), comment }).optional(),
    pages: z.array(z.object({ id: z.string() }).loose()).optional(),
    entries: z.array(HarEntry),
    comment,
    _lmcertSdk: HarSdkState.optional(),
    /**
     * The origin (`http://address:port`) lmcert recorded, a HAR custom field. Entries to other origins are the
     * bind checks' probes of other addresses and ports (another interface, the standard's port): what those
     * addresses did, not what the host answers. Without it (devtools exports, older recordings) the replay takes
     * the origin most entries went to.
     */
    _lmcertOrigin: z.string().optional(),
  }),
});
export type Har = z.infer<typeof Har>;
