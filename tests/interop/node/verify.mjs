#!/usr/bin/env node
// A verifier of greenreg receipts written from docs/receipts.md alone, with Node's built-ins
// only (node:crypto for SHA-256 and Ed25519; JCS, the Merkle proofs, the signed note and the
// strict Ed25519 checks are written here from RFC 8785, RFC 9162, C2SP signed-note and RFC 8032).
//
//   node verify.mjs receipt FILE --root-public-key KEY [--log-key LOGKEY.json] [POLICY]
//   node verify.mjs green-code URL STATEMENT --root-public-key KEY [--log-key LOGKEY.json] [POLICY]
//   node verify.mjs vectors docs/receipts-vectors.json
//
// KEY is a key file (one line of standard base64) or the base64 itself. LOGKEY.json is the answer
// of GET /api/v1/log/log-key (its "log_key" member is the log key proof of docs 2.5), for a
// receipt held without its proof (a bare document, a green code's statement). POLICY is a
// witness policy (docs 2.8): --witness-key VKEY once per witness (a file holding the witness's
// verifier key, or the key itself) and --witnesses-required K (default: all of them). A file's
// "witnessed" member is checked whether or not a policy is given.
// Exit 0 and one line per checked step; exit 1 and "FAILED <step>: <why>" on the first failure;
// exit 2 on a usage error.

import { createHash, createPublicKey, verify as cryptoVerify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

class Failure extends Error {
  constructor(step, why) {
    super(`${step}: ${why}`);
    this.step = step;
    this.why = why;
  }
}

function check(condition, step, why) {
  if (!condition) throw new Failure(step, why);
}

// ---------------------------------------------------------------------------------------------
// 1. Primitives and encodings

const sha256 = (...parts) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** Standard base64 (RFC 4648 §4) with padding, canonical: Buffer.from alone is lenient. */
function base64Strict(text, step, what) {
  check(typeof text === "string", step, `${what} is not a string`);
  check(
    text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text),
    step,
    `${what} is not standard base64`,
  );
  const bytes = Buffer.from(text, "base64");
  check(bytes.toString("base64") === text, step, `${what} is not canonical base64`);
  return bytes;
}

function hexStrict(text, length, step, what) {
  check(
    typeof text === "string" && new RegExp(`^[0-9a-f]{${length * 2}}$`).test(text),
    step,
    `${what} is not ${length * 2} lowercase hex digits`,
  );
  return Buffer.from(text, "hex");
}

/** Key id: the first 16 bytes of SHA-256 of the raw public key, 32 lowercase hex digits. */
const keyId = (publicKey) => sha256(publicKey).subarray(0, 16).toString("hex");

function publicKeyBytes(text, step, what) {
  const bytes = base64Strict(text, step, what);
  check(bytes.length === 32, step, `${what} is not 32 bytes`);
  return bytes;
}

// --- Ed25519, verified strictly (RFC 8032 §5.1.3 decoding; small order refused) -------------

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const mod = (a) => ((a % P) + P) % P;
function power(base, exponent) {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}
const invert = (a) => power(a, P - 2n);
const D = mod(-121665n * invert(121666n));
const SQRT_M1 = power(2n, (P - 1n) / 4n);

const littleEndian = (bytes) => {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
};

/** The point a 32-byte encoding names, or null when it is not canonical or not on the curve. */
function decodePoint(bytes) {
  const sign = bytes[31] >> 7;
  const y = littleEndian(bytes) & ((1n << 255n) - 1n);
  if (y >= P) return null;
  const y2 = (y * y) % P;
  const x2 = mod((y2 - 1n) * invert(D * y2 + 1n));
  if (x2 === 0n) return sign ? null : { x: 0n, y };
  let x = power(x2, (P + 3n) / 8n);
  if ((x * x) % P !== x2) x = (x * SQRT_M1) % P;
  if ((x * x) % P !== x2) return null;
  if (Number(x & 1n) !== sign) x = P - x;
  return { x, y };
}

/** Twisted Edwards addition (a = -1), complete since d is not a square. */
function add(p1, p2) {
  const t = (D * p1.x * p2.x * p1.y * p2.y) % P;
  return {
    x: mod((p1.x * p2.y + p1.y * p2.x) * invert(1n + t)),
    y: mod((p1.y * p2.y + p1.x * p2.x) * invert(1n - t)),
  };
}

function isSmallOrder(point) {
  let q = point;
  for (let i = 0; i < 3; i++) q = add(q, q);
  return q.x === 0n && q.y === 1n;
}

/** Ed25519 verification as libsodium / ed25519-dalek verify_strict (docs 1). */
function ed25519Verify(publicKey, message, signature) {
  if (publicKey.length !== 32 || signature.length !== 64) return "wrong length";
  const a = decodePoint(publicKey);
  if (a === null) return "the public key is not a canonical point";
  if (isSmallOrder(a)) return "the public key is of small order";
  const r = decodePoint(signature.subarray(0, 32));
  if (r === null) return "the signature's R is not a canonical point";
  if (isSmallOrder(r)) return "the signature's R is of small order";
  if (littleEndian(signature.subarray(32)) >= L) return "the signature's S is not below L";
  const key = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: publicKey.toString("base64url") },
    format: "jwk",
  });
  return cryptoVerify(null, message, key, signature) ? null : "the signature does not verify";
}

function verifySignature(publicKey, message, signature, step, what) {
  const wrong = ed25519Verify(publicKey, message, signature);
  check(wrong === null, step, `${what}: ${wrong}`);
}

// --- JSON: I-JSON in (no duplicate names), RFC 8785 (JCS) out --------------------------------

/** JSON.parse, refusing duplicate member names (RFC 8785 §3.1 asks I-JSON, RFC 7493 §2.3). */
function parseJson(text, step, what) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Failure(step, `${what} is not JSON (${error.message})`);
  }
  const duplicate = findDuplicateName(text);
  check(duplicate === null, step, `${what} repeats the member name ${JSON.stringify(duplicate)}`);
  return value;
}

/** The first member name an object of valid JSON text repeats, or null. */
function findDuplicateName(text) {
  const stack = []; // per open container: a Set of names (object) or null (array)
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") {
      stack.push(new Set());
      expectName = true;
    } else if (c === "[") {
      stack.push(null);
      expectName = false;
    } else if (c === "}" || c === "]") {
      stack.pop();
      expectName = false;
    } else if (c === ",") {
      expectName = stack.at(-1) instanceof Set;
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (expectName) {
        const name = JSON.parse(text.slice(i, j + 1));
        const names = stack.at(-1);
        if (names.has(name)) return name;
        names.add(name);
        expectName = false;
      }
      i = j;
    }
  }
  return null;
}

/** RFC 8785 canonical JSON. Signed JSON holds no fractional numbers (docs 1): refuse them. */
function jcs(value) {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`number ${value} is not a safe integer`);
    return JSON.stringify(value); // ECMAScript Number serialisation, as RFC 8785 §3.2.2.3
  }
  if (typeof value === "string") {
    if (!value.isWellFormed()) throw new Error("a string holds a lone surrogate");
    return JSON.stringify(value); // the escapes of RFC 8785 §3.2.2.2 are ECMAScript's
  }
  if (Array.isArray(value)) return `[${value.map(jcs).join(",")}]`;
  // Member names sorted by UTF-16 code units (§3.2.3): JavaScript's default string order.
  const names = Object.keys(value).sort();
  return `{${names.map((name) => `${JSON.stringify(name)}:${jcs(value[name])}`).join(",")}}`;
}

function jcsBytes(value, step, what) {
  try {
    return Buffer.from(jcs(value), "utf8");
  } catch (error) {
    throw new Failure(step, `${what} has no RFC 8785 form: ${error.message}`);
  }
}

// --- Times (ISO 8601 with a UTC offset) ------------------------------------------------------

const TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2}):(\d{2})|Z)$/;

/** Microseconds since 1970 (a BigInt), or null when the text is not such a time. */
function instant(text) {
  const m = typeof text === "string" ? TIME.exec(text) : null;
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const days = Date.UTC(year, month - 1, day) / 86_400_000;
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const micro = BigInt((m[7] ?? "").padEnd(6, "0"));
  const sign = m[8] === "-" ? -1 : 1;
  const offset = m[8] === undefined ? 0 : sign * (Number(m[9]) * 60 + Number(m[10]));
  const seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60;
  return BigInt(seconds) * 1_000_000n + micro;
}

// ---------------------------------------------------------------------------------------------
// 3. Log leaves and RFC 9162 hashing

const LEAF_TAG = Buffer.from("greenreg.event.v1\n", "utf8"); // 18 bytes

function uuidBytes(text, step) {
  check(
    typeof text === "string" &&
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text),
    step,
    "originator_id is not a UUID in its canonical lowercase form",
  );
  return Buffer.from(text.replaceAll("-", ""), "hex");
}

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The leaf bytes of a stored event (docs 3). */
function leafBytes(entry, state, step) {
  check(
    Number.isSafeInteger(entry.originator_version) && entry.originator_version >= 0,
    step,
    "originator_version is not a non-negative integer",
  );
  check(typeof entry.topic === "string", step, "topic is not a string");
  const version = Buffer.alloc(8);
  version.writeBigUInt64BE(BigInt(entry.originator_version));
  const topic = Buffer.from(entry.topic, "utf8");
  return Buffer.concat([
    LEAF_TAG,
    uuidBytes(entry.originator_id, step),
    version,
    u32(topic.length),
    topic,
    u32(state.length),
    state,
  ]);
}

const leafHash = (leaf) => sha256(Buffer.from([0]), leaf);
const nodeHash = (left, right) => sha256(Buffer.from([1]), left, right);

/** MTH of RFC 9162 §2.1.1 over leaf hashes. */
function treeHash(leaves) {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

const lsb = (n) => n & 1n;

/** RFC 9162 §2.1.3.2: does `proof` take the leaf hash at `index` to `root` in a tree of `size`? */
function inclusionHolds(index, size, hash, proof, root) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) return false;
  let r = hash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

/** RFC 9162 §2.1.4.2: is the tree (first, firstHash) a prefix of (second, secondHash)? */
function consistencyHolds(first, second, firstHash, secondHash, proof) {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  if (first === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstHash, ...proof] : [...proof];
  let fn = BigInt(first) - 1n;
  let sn = BigInt(second) - 1n;
  while (lsb(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0n;
}

// ---------------------------------------------------------------------------------------------
// 2.3 and 5. Checkpoints (C2SP signed note)

/** Key hash: the first 4 bytes of SHA-256(origin || 0x0A || 0x01 || public key). */
const noteKeyHash = (origin, publicKey) =>
  sha256(Buffer.from(origin, "utf8"), Buffer.from([0x0a, 0x01]), publicKey).subarray(0, 4);

const verifierKey = (origin, publicKey) =>
  `${origin}+${noteKeyHash(origin, publicKey).toString("hex")}+${Buffer.concat([
    Buffer.from([1]),
    publicKey,
  ]).toString("base64")}`;

/** The checkpoint's origin, size and root once its log key's signature verifies (docs 5). */
function verifyCheckpoint(note, logPublicKey, step) {
  check(typeof note === "string", step, "the checkpoint is not a string");
  const split = note.indexOf("\n\n");
  check(split >= 0, step, "the note has no empty line ending its text");
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split("\n");
  check(lines.length === 3, step, `the note text has ${lines.length} lines, not 3`);
  const [origin, sizeText, rootText] = lines;
  check(origin.length > 0, step, "the note has no origin");
  check(/^(0|[1-9][0-9]*)$/.test(sizeText), step, "the tree size is not a decimal number");
  const size = Number(sizeText);
  check(Number.isSafeInteger(size), step, "the tree size is too large");
  const root = base64Strict(rootText, step, "the root hash");
  check(root.length === 32, step, "the root hash is not 32 bytes");

  const rest = note.slice(split + 2);
  check(rest.endsWith("\n"), step, "the signature lines do not end with a newline");
  const wanted = noteKeyHash(origin, logPublicKey);
  let signed = false;
  for (const line of rest.slice(0, -1).split("\n")) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    check(m !== null, step, `not a signature line: ${JSON.stringify(line)}`);
    if (m[1] !== origin) continue; // another signer (a witness): ignored
    const blob = base64Strict(m[2], step, "a signature line");
    if (blob.length !== 68 || !blob.subarray(0, 4).equals(wanted)) continue;
    verifySignature(logPublicKey, Buffer.from(text, "utf8"), blob.subarray(4), step, "the note");
    signed = true;
  }
  check(signed, step, "no signature line of the log key");
  return { origin, size, root };
}

// ---------------------------------------------------------------------------------------------
// 2.8 Witness cosignatures (C2SP tlog-cosignature, cosignature/v1)

/** Witness key id: the first 4 bytes of SHA-256(name || 0x0A || 0x04 || public key). */
const witnessKeyId = (name, publicKey) =>
  sha256(Buffer.from(name, "utf8"), Buffer.from([0x0a, 0x04]), publicKey).subarray(0, 4);

/** A witness key `<name>+<8 hex key id>+<base64(0x04 || public key)>` as {name, publicKey, id}. */
function parseWitnessKey(text, step) {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(text);
  check(m !== null, step, `${JSON.stringify(text)} is not a witness key <name>+<key id>+<key>`);
  const raw = base64Strict(m[3], step, `the witness key of ${m[1]}`);
  check(
    raw.length === 33 && raw[0] === 0x04,
    step,
    `the witness key of ${m[1]} is not an Ed25519 cosignature/v1 key (type 0x04)`,
  );
  const publicKey = raw.subarray(1);
  const id = witnessKeyId(m[1], publicKey);
  check(id.toString("hex") === m[2], step, `the witness key of ${m[1]} has another key id`);
  return { name: m[1], publicKey, id };
}

/** A policy: k of n distinct witness keys (a key or a name given twice is refused). */
function witnessPolicy(keys, required, step) {
  check(
    Number.isSafeInteger(required) && required >= 0 && required <= keys.length,
    step,
    `the policy requires ${required} witnesses of ${keys.length}`,
  );
  const seen = new Set();
  for (const key of keys) {
    for (const mark of [`name ${key.name}`, `key ${key.publicKey.toString("hex")}`]) {
      check(!seen.has(mark), step, `the policy names one witness twice (${mark})`);
      seen.add(mark);
    }
  }
  return { keys, required };
}

/** The note's text (the three lines with their newlines) and its signature lines. */
function noteParts(note) {
  const split = note.indexOf("\n\n");
  return {
    text: note.slice(0, split + 1),
    lines: note.slice(split + 2).split("\n").filter((line) => line !== ""),
  };
}

/** Which of the policy's witnesses validly cosigned `note` (its log signature checked apart). */
function cosigners(note, policy, step) {
  const { text, lines } = noteParts(note);
  const valid = [];
  const missing = [];
  const invalid = [];
  for (const key of policy.keys) {
    const candidates = [];
    for (const line of lines) {
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      check(m !== null, step, `not a signature line: ${JSON.stringify(line)}`);
      if (m[1] !== key.name) continue;
      const blob = base64Strict(m[2], step, `a signature line of ${key.name}`);
      if (blob.length >= 4 && blob.subarray(0, 4).equals(key.id)) candidates.push(blob);
    }
    if (candidates.length === 0) {
      missing.push(key.name);
      continue;
    }
    const reasons = [];
    for (const blob of candidates) {
      if (blob.length !== 76) {
        reasons.push("not 76 bytes");
        continue;
      }
      const time = blob.readBigUInt64BE(4);
      if (time === 0n || time >= 2n ** 63n) {
        reasons.push(`time ${time} is out of range`);
        continue;
      }
      const message = Buffer.from(`cosignature/v1\ntime ${time}\n${text}`, "utf8");
      const wrong = ed25519Verify(key.publicKey, message, blob.subarray(12));
      if (wrong === null) {
        valid.push(key.name);
        break;
      }
      reasons.push(wrong);
    }
    if (valid.at(-1) !== key.name) invalid.push(`${key.name} (${reasons.join("; ")})`);
  }
  const parts = [`${valid.length} valid of the ${policy.required} required`];
  if (missing.length > 0) parts.push(`missing: ${missing.join(", ")}`);
  if (invalid.length > 0) parts.push(`not valid: ${invalid.join(", ")}`);
  check(valid.length >= policy.required, step, parts.join("; "));
  return valid;
}

/**
 * docs 2.8, "The witnessed checkpoint of a receipt": `witnessed` (if the file has one) is a note
 * of the same log key and origin that extends the receipt's checkpoint; under a policy, it (or
 * without it, the receipt's own checkpoint) carries k valid cosignatures.
 */
function verifyWitnessed(file, act, checkpoint, logPublicKey, policy) {
  const step = STEP.witnesses;
  const witnessed = file.witnessed ?? null;
  if (witnessed === null && policy === null) return null;
  let note = act.checkpoint;
  let tree = checkpoint;
  let said = `the receipt's own checkpoint (${checkpoint.size})`;
  if (witnessed !== null) {
    check(isObject(witnessed), step, "witnessed is not an object");
    check(typeof witnessed.checkpoint === "string", step, "witnessed.checkpoint is not a note");
    check(Array.isArray(witnessed.consistency), step, "witnessed.consistency is not a list");
    const proof = witnessed.consistency.map((h, i) =>
      hexStrict(h, 32, step, `consistency hash ${i}`),
    );
    note = witnessed.checkpoint;
    tree = verifyCheckpoint(note, logPublicKey, step);
    check(tree.origin === checkpoint.origin, step, "the witnessed note is of another log");
    check(
      tree.size >= checkpoint.size,
      step,
      `the witnessed checkpoint (${tree.size}) is smaller than the receipt's (${checkpoint.size})`,
    );
    check(
      consistencyHolds(checkpoint.size, tree.size, checkpoint.root, tree.root, proof),
      step,
      `the receipt's checkpoint of size ${checkpoint.size} is not a prefix of the witnessed ` +
        `checkpoint of size ${tree.size}`,
    );
    said = `checkpoint ${tree.size}, consistent with the receipt's ${checkpoint.size}`;
  }
  if (policy === null) return `${step}: ${said}; no witness policy asked for`;
  const valid = cosigners(note, policy, step);
  return `${step}: ${said}, cosigned by ${valid.join(", ") || "no witness"} (${valid.length} of the ${policy.required} required)`;
}

// ---------------------------------------------------------------------------------------------
// 6. A receipt file from the root public key

const STEP = {
  read: "1 read",
  declaration: "2 the declaration",
  names: "3 the receipt names the log key",
  checkpoint: "4 the checkpoint",
  witnesses: "4 the witnesses",
  inclusion: "5 the declaration is in the tree",
  receipt: "6 the receipt signature",
  beyond: "7 beyond the signatures",
};

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** Verify a receipt file (docs 2.5) from the root key; the lines of what was checked. */
function verifyReceiptFile(file, rootPublicKey, logKeyProof, policy = null) {
  const out = [];
  // 1. Read.
  check(isObject(file), STEP.read, "the receipt file is not a JSON object");
  check(typeof file.document === "string", STEP.read, "document is not a string");
  const envelope = parseJson(file.document, STEP.read, "document");
  check(isObject(envelope), STEP.read, "document is not an object");
  const members = Object.keys(envelope).sort().join(",");
  check(members === "act,key_id,signature", STEP.read, `the envelope has members ${members}`);
  const act = envelope.act;
  check(isObject(act), STEP.read, "act is not an object");
  check(act.type === "greenreg.receipt/1", STEP.read, `act.type is ${JSON.stringify(act.type)}`);
  check(
    file.key_id === undefined || file.key_id === envelope.key_id,
    STEP.read,
    "the file's key_id is not the envelope's",
  );
  const proof = file.log_key ?? logKeyProof;
  check(
    isObject(proof),
    STEP.read,
    "no log key proof (log_key): nothing ties this receipt to the root key",
  );
  out.push(`${STEP.read}: a ${act.kind} receipt issued at ${act.issued_at}`);

  // 2. The declaration.
  const entry = proof.entry;
  check(isObject(entry), STEP.declaration, "log_key.entry is not an object");
  const state = base64Strict(entry.state_base64, STEP.declaration, "state_base64");
  const stored = parseJson(state.toString("utf8"), STEP.declaration, "the stored event");
  check(isObject(stored), STEP.declaration, "the stored event is not an object");
  check(typeof stored.signed_act === "string", STEP.declaration, "signed_act is not a string");
  check(stored.key_id === keyId(rootPublicKey), STEP.declaration, "key_id is not the root's");
  verifySignature(
    rootPublicKey,
    Buffer.from(stored.signed_act, "utf8"),
    base64Strict(stored.signature, STEP.declaration, "signature"),
    STEP.declaration,
    "the root's signature",
  );
  const declared = parseJson(stored.signed_act, STEP.declaration, "signed_act");
  check(isObject(declared), STEP.declaration, "signed_act is not an object");
  check(declared.type === "declare_log_key", STEP.declaration, "the act is not declare_log_key");
  check(declared.authority === "root", STEP.declaration, "the act's authority is not root");
  check(
    typeof entry.topic === "string" && entry.topic.endsWith(":LogKeyDeclared"),
    STEP.declaration,
    "the entry's topic is not a LogKeyDeclared",
  );
  const logPublicKey = publicKeyBytes(declared.public_key, STEP.declaration, "public_key");
  const logKeyId = keyId(logPublicKey);
  out.push(`${STEP.declaration}: the root declared log key ${logKeyId} (${declared.origin})`);

  // 3. The receipt names that key.
  check(envelope.key_id === logKeyId, STEP.names, "the envelope's key_id is not the log key's");
  check(act.log_key_id === logKeyId, STEP.names, "act.log_key_id is not the log key's");
  check(
    Number.isSafeInteger(proof.position) && proof.position >= 0,
    STEP.names,
    "log_key.position is not a position",
  );
  if (act.log_key_position !== undefined) {
    check(
      act.log_key_position === proof.position,
      STEP.names,
      "act.log_key_position is not log_key.position",
    );
  }
  out.push(`${STEP.names}: key ${logKeyId}, declared at position ${proof.position}`);

  // 4. The checkpoint.
  const checkpoint = verifyCheckpoint(act.checkpoint, logPublicKey, STEP.checkpoint);
  check(
    checkpoint.origin === declared.origin,
    STEP.checkpoint,
    "the note's origin is not the declaration's",
  );
  const root = checkpoint.root.toString("hex");
  out.push(`${STEP.checkpoint}: ${checkpoint.origin} size ${checkpoint.size} root ${root}`);
  const witnessing = verifyWitnessed(file, act, checkpoint, logPublicKey, policy);
  if (witnessing !== null) out.push(witnessing);

  // 5. The declaration is in the tree.
  check(Array.isArray(proof.inclusion), STEP.inclusion, "log_key.inclusion is not a list");
  const path = proof.inclusion.map((h, i) => hexStrict(h, 32, STEP.inclusion, `hash ${i}`));
  const leaf = leafHash(leafBytes(entry, state, STEP.inclusion));
  check(
    inclusionHolds(proof.position, checkpoint.size, leaf, path, checkpoint.root),
    STEP.inclusion,
    `the inclusion proof of position ${proof.position} does not lead to the checkpoint's root`,
  );
  out.push(`${STEP.inclusion}: leaf ${leaf.toString("hex")} at ${proof.position}`);

  // 6. The receipt.
  verifySignature(
    logPublicKey,
    jcsBytes(act, STEP.receipt, "act"),
    base64Strict(envelope.signature, STEP.receipt, "signature"),
    STEP.receipt,
    "the log key's signature over RFC8785(act)",
  );
  out.push(`${STEP.receipt}: the log key signed RFC8785(act)`);

  // 7. Beyond the signatures.
  const issued = instant(act.issued_at);
  const from = instant(declared.valid_from);
  check(issued !== null, STEP.beyond, "issued_at is not a time with a UTC offset");
  check(from !== null, STEP.beyond, "the declaration's valid_from is not a time");
  check(issued >= from, STEP.beyond, "issued_at is before the log key's valid_from");
  const version = isObject(act.answer) ? act.answer.data_version : undefined;
  if (isObject(version) && "log_size" in version) {
    check(
      version.log_size === checkpoint.size &&
        version.root_hash === checkpoint.root.toString("hex"),
      STEP.beyond,
      "answer.data_version is not the checkpoint's size and root",
    );
    out.push(`${STEP.beyond}: valid_from ${declared.valid_from}; data_version is the checkpoint`);
  } else {
    out.push(`${STEP.beyond}: valid_from ${declared.valid_from}; no data_version`);
  }
  return { out, act, checkpoint, logPublicKey };
}

// ---------------------------------------------------------------------------------------------
// Green codes: the scanned URL /V/<registered>.<size>.<base32 signature>

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Signature(text, step) {
  check(/^[A-Z2-7]{103}$/.test(text), step, "the signature is not 103 base32 characters");
  let bits = 0n;
  for (const c of text) bits = (bits << 5n) | BigInt(BASE32.indexOf(c));
  check((bits & 7n) === 0n, step, "the signature is not canonical base32");
  bits >>= 3n;
  const bytes = Buffer.alloc(64);
  for (let i = 63; i >= 0; i--) {
    bytes[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return bytes;
}

function parseCodeUrl(url, step) {
  const m = /\/V\/([^/?#]+)$/i.exec(url);
  check(m !== null, step, "the URL has no /V/<reference>");
  const parts = m[1].toUpperCase().split(".");
  check(parts.length === 3, step, "the reference is not <registered>.<size>.<signature>");
  const [registered, size] = parts.slice(0, 2).map((p) => {
    check(/^(0|[1-9][0-9]{0,18})$/.test(p), step, `${JSON.stringify(p)} is not a position`);
    check(Number.isSafeInteger(Number(p)), step, `${p} is beyond any log this verifier reads`);
    return Number(p);
  });
  check(registered < size, step, "the registration is not inside the checkpoint's tree");
  return { registered, size, signature: base32Signature(parts[2], step) };
}

/**
 * A green code: the statement (a green_code receipt, bare or in a receipt file) verifies from the
 * root key, and the URL's signature is the log key's over RFC8785 of that statement's act, at
 * the checkpoint size the URL names.
 */
function verifyGreenCode(url, statementText, rootPublicKey, logKeyProof, policy) {
  const step = "8 the green code";
  const code = parseCodeUrl(url, step);
  const parsed = parseJson(statementText, STEP.read, "the statement");
  const file = isObject(parsed) && "act" in parsed ? { document: statementText } : parsed;
  const verified = verifyReceiptFile(file, rootPublicKey, logKeyProof, policy);
  const { out, act, checkpoint, logPublicKey } = verified;
  check(act.kind === "green_code", step, `the statement's kind is ${act.kind}, not green_code`);
  verifySignature(
    logPublicKey,
    jcsBytes(act, step, "act"),
    code.signature,
    step,
    "the URL's signature over the statement",
  );
  check(checkpoint.size === code.size, step, "the URL's checkpoint size is not the statement's");
  const answer = isObject(act.answer) ? act.answer : {};
  out.push(
    `${step}: /V/${code.registered}.${code.size} is the log key's word on unit ` +
      `${answer.unit_id} (${answer.name}) at checkpoint ${code.size}`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// The test vectors (docs/receipts-vectors.json)

function verifyVectors(vectors) {
  const out = [];
  const step = "vectors";
  const root = publicKeyBytes(vectors.keys.root_public_key, step, "root_public_key");
  const log = publicKeyBytes(vectors.keys.log_public_key, step, "log_public_key");
  check(keyId(log) === vectors.keys.log_key_id, step, "log_key_id is not the key id of the key");
  check(
    verifierKey("greenreg.log", log) === vectors.keys.log_verifier_key,
    step,
    "log_verifier_key is not origin+<key hash>+base64(0x01 || key)",
  );
  out.push(`${step}: key id and note verifier key of the log key`);

  // An authority's act: its JCS bytes and its signature.
  const { envelope, jcs_utf8: jcsText, public_key: actKeyText } = vectors.act;
  const actKey = publicKeyBytes(actKeyText, step, "act.public_key");
  check(jcs(envelope.act) === jcsText, step, "RFC8785(act) is not jcs_utf8");
  check(keyId(actKey) === envelope.key_id, step, "the act's key_id is not its key's id");
  verifySignature(
    actKey,
    Buffer.from(jcsText, "utf8"),
    base64Strict(envelope.signature, step, "act signature"),
    step,
    "the act",
  );
  out.push(`${step}: an authority's act, its JCS bytes and signature`);

  // Entries: leaf hashes, and each stored act's signature under the key its key_id names.
  const keys = new Map([
    [keyId(root), root],
    [keyId(actKey), actKey],
  ]);
  const leaves = vectors.entries.map((entry, position) => {
    check(entry.position === position, step, `entry ${position} is out of order`);
    const state = base64Strict(entry.state_base64, step, "state_base64");
    const leaf = leafHash(leafBytes(entry, state, step));
    check(leaf.toString("hex") === entry.leaf_hash, step, `leaf_hash of entry ${position}`);
    const stored = parseJson(state.toString("utf8"), step, `entry ${position}`);
    check(keys.has(stored.key_id), step, `entry ${position} is signed by an unknown key`);
    verifySignature(
      keys.get(stored.key_id),
      Buffer.from(stored.signed_act, "utf8"),
      base64Strict(stored.signature, step, "signature"),
      step,
      `entry ${position}`,
    );
    return leaf;
  });
  const founding = JSON.parse(JSON.parse(
    base64Strict(vectors.entries[0].state_base64, step, "state").toString("utf8"),
  ).signed_act);
  check(
    founding.type === "found_registry" && founding.root_public_key === vectors.keys.root_public_key,
    step,
    "position 0 is not the founding under the root key",
  );
  out.push(`${step}: ${leaves.length} leaf hashes and the signatures of their acts`);

  // Checkpoints: each signed by the log key, over the root of the first `size` leaves.
  const roots = new Map();
  for (const { size, note } of vectors.checkpoints) {
    const checkpoint = verifyCheckpoint(note, log, step);
    check(checkpoint.size === size, step, `checkpoint ${size} states size ${checkpoint.size}`);
    check(
      checkpoint.root.equals(treeHash(leaves.slice(0, size))),
      step,
      `checkpoint ${size}'s root is not the tree of the first ${size} leaves`,
    );
    roots.set(size, checkpoint.root);
  }
  out.push(`${step}: ${roots.size} checkpoints signed over the roots of their trees`);

  const inclusion = vectors.inclusion;
  check(
    inclusionHolds(
      inclusion.position,
      inclusion.tree_size,
      leaves[inclusion.position],
      inclusion.hashes.map((h) => hexStrict(h, 32, step, "inclusion hash")),
      roots.get(inclusion.tree_size),
    ),
    step,
    "the inclusion proof",
  );
  const consistency = vectors.consistency;
  check(
    consistencyHolds(
      consistency.first,
      consistency.second,
      roots.get(consistency.first),
      roots.get(consistency.second),
      consistency.hashes.map((h) => hexStrict(h, 32, step, "consistency hash")),
    ),
    step,
    "the consistency proof",
  );
  out.push(
    `${step}: inclusion of ${inclusion.position} in ${inclusion.tree_size}, ` +
      `consistency of ${consistency.first} with ${consistency.second}`,
  );

  const receipt = verifyReceiptFile(vectors.receipt_file, root, null);
  out.push(...receipt.out);
  const expected = vectors.expected;
  check(receipt.checkpoint.size === expected.tree_size, step, "expected.tree_size");
  check(receipt.checkpoint.root.toString("hex") === expected.root_hash, step, "expected.root_hash");
  check(receipt.act.log_key_position === expected.log_key_position, step, "expected position");
  check(
    sha256(jcs(receipt.act)).toString("hex") === expected.receipt_jcs_sha256,
    step,
    "expected.receipt_jcs_sha256",
  );
  out.push(`${step}: the expected root, size, position and SHA-256 of RFC8785(receipt act)`);

  // A receipt at size 3 with the checkpoint of size 5 its witness cosigned: 1 of 1.
  const witness = parseWitnessKey(vectors.witness.vkey, step);
  check(witness.name === vectors.witness.name, step, "witness.name is not the vkey's name");
  check(
    witness.publicKey.equals(publicKeyBytes(vectors.witness.public_key, step, "witness key")),
    step,
    "witness.public_key is not the vkey's key",
  );
  const policy = witnessPolicy([witness], 1, step);
  out.push(...verifyReceiptFile(vectors.witnessed_receipt_file, root, null, policy).out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The command line

function readKey(argument) {
  const text = existsSync(argument) ? readFileSync(argument, "utf8").trim() : argument;
  return publicKeyBytes(text, "root key", "the root public key");
}

function readJsonFile(path, what) {
  return parseJson(readFileSync(path, "utf8"), STEP.read, what);
}

function main(argv) {
  const options = {};
  const witnessKeys = [];
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--witness-key") witnessKeys.push(argv[++i]);
    else if (argv[i].startsWith("--")) options[argv[i].slice(2)] = argv[++i];
    else positional.push(argv[i]);
  }
  const [command, ...rest] = positional;
  const usage =
    "usage: verify.mjs receipt FILE --root-public-key KEY [--log-key LOGKEY.json] [POLICY]\n" +
    "       verify.mjs green-code URL STATEMENT --root-public-key KEY [--log-key LOGKEY.json]" +
    " [POLICY]\n" +
    "       verify.mjs vectors VECTORS.json\n" +
    "POLICY: --witness-key VKEY (once per witness) [--witnesses-required K]";
  const required = options["witnesses-required"];
  if (!/^\d+$/.test(required ?? "0")) {
    console.error(usage);
    return 2;
  }
  const policy =
    required === undefined && witnessKeys.length === 0
      ? null
      : witnessPolicy(
          witnessKeys.map((key) =>
            parseWitnessKey(
              existsSync(key) ? readFileSync(key, "utf8").trim() : key,
              "witness policy",
            ),
          ),
          required === undefined ? witnessKeys.length : Number(required),
          "witness policy",
        );
  const logKeyProof = () =>
    options["log-key"] === undefined
      ? null
      : readJsonFile(options["log-key"], "the log key answer").log_key;
  let out;
  if (command === "receipt" && rest.length === 1 && options["root-public-key"]) {
    out = verifyReceiptFile(
      readJsonFile(rest[0], "the receipt file"),
      readKey(options["root-public-key"]),
      logKeyProof(),
      policy,
    ).out;
  } else if (command === "green-code" && rest.length === 2 && options["root-public-key"]) {
    out = verifyGreenCode(
      rest[0],
      readFileSync(rest[1], "utf8"),
      readKey(options["root-public-key"]),
      logKeyProof(),
      policy,
    );
  } else if (command === "vectors" && rest.length === 1) {
    out = verifyVectors(JSON.parse(readFileSync(rest[0], "utf8")));
  } else {
    console.error(usage);
    return 2;
  }
  for (const line of out) console.log(`ok ${line}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof Failure)) throw error;
  console.log(`FAILED ${error.step}: ${error.why}`);
  process.exitCode = 1;
}
