// Checks a scanned green code in this browser, trusting nothing the server says about validity:
// 1. the signature in the address is the log key's over the statement's RFC 8785 bytes (Ed25519:
//    WebCrypto, or the vendored noble-ed25519 where the browser lacks it);
// 2. that key is the log key the registry publishes at /api/v1/log/keys, and the one the
//    statement names, or, for a code printed before the log key was rotated, a former log key
//    the root declared (the same answer lists the declarations);
// 3. the checkpoint the statement cites is signed by that key and has the size the address names;
// 4. today's log extends that checkpoint (an RFC 9162 consistency proof to the latest checkpoint,
//    signed by the log key of today);
// 5. where the registry publishes a witness policy (/api/v1/log/witnesses), the checkpoint its
//    witnesses cosigned that covers the code (/api/v1/log/witnessed) extends the code's and carries
//    as many valid cosignature/v1 lines of the published witness keys as the policy requires
//    (docs/receipts.md 2.8). The keys are the registry's word: a bank takes them from the
//    witnesses themselves.
// Then it says 有效 valid, 已过期 expired (the unit changed since: the page says so) or 无效 not
// valid, and why, in place of the server's verdict.

const WORDS = {
  valid: ["有效", "valid"],
  expired: ["已过期", "expired"],
  invalid: ["无效", "not valid"],
  unchecked: ["未能核验", "not checked"],
};

class Refusal extends Error {
  constructor(zh, en) {
    super(en);
    this.zh = zh;
  }
}

const utf8 = (text) => new TextEncoder().encode(text);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text) => Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));

function fromBase32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const out = [];
  let bits = 0;
  let value = 0;
  for (const character of text) {
    value = (value << 5) | alphabet.indexOf(character);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 255);
    }
    value &= (1 << bits) - 1;
  }
  if (value !== 0) throw new Refusal("签名编码不规范。", "the signature is not canonical base32.");
  return Uint8Array.from(out);
}

let engine = "";

async function verifyEd25519(publicKey, message, signature) {
  let key = null;
  try {
    key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  } catch {
    key = null; // this browser's WebCrypto has no Ed25519
  }
  if (key !== null) {
    engine = "WebCrypto Ed25519";
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  }
  engine = "noble-ed25519";
  const noble = await import(document.getElementById("statement").dataset.fallback);
  return noble.verifyAsync(signature, message, publicKey, { zip215: false });
}

// A C2SP checkpoint, if the note carries the log key's signature: {origin, size, root}.
async function openCheckpoint(note, publicKey) {
  const cut = note.indexOf("\n\n");
  const lines = note.slice(0, Math.max(cut, 0)).split("\n");
  if (cut < 0 || lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) {
    throw new Refusal("检查点格式不对。", "the checkpoint it cites is malformed.");
  }
  const [origin, size, root] = lines;
  const text = utf8(`${origin}\n${size}\n${root}\n`);
  const wanted = (await sha256(concat(utf8(`${origin}\n`), Uint8Array.of(1), publicKey))).slice(0, 4);
  for (const line of note.slice(cut + 2).split("\n")) {
    if (!line.startsWith("— ")) continue;
    const space = line.lastIndexOf(" ");
    const raw = fromBase64(line.slice(space + 1));
    if (line.slice(2, space) === origin && equal(raw.slice(0, 4), wanted)) {
      if (await verifyEd25519(publicKey, text, raw.slice(4))) {
        return { size: Number(size), root: fromBase64(root) };
      }
    }
  }
  throw new Refusal(
    `日志检查点（大小 ${size}）并非由日志密钥签署。`,
    `the log checkpoint of size ${size} is not signed by the log key.`,
  );
}

const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

// RFC 9162 §2.1.4.2: is the tree (oldSize, oldRoot) a prefix of (newSize, newRoot)?
async function consistent(oldSize, newSize, oldRoot, newRoot, proof) {
  if (oldSize === newSize) return proof.length === 0 && equal(oldRoot, newRoot);
  if (oldSize > newSize || proof.length === 0) return false;
  const path = (oldSize & (oldSize - 1)) === 0 ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn & 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn && !(fn & 1)) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && equal(fr, oldRoot) && equal(sr, newRoot);
}

// The witnesses' step (5 above): null without a policy; {size: null} when no checkpoint they
// cosigned covers the code yet; else the witnessed size and the witnesses whose cosignature holds.
async function witnessed(size, cited, logKeys) {
  const policy = await json("/api/v1/log/witnesses");
  if (!policy.required) return null;
  const response = await fetch(`/api/v1/log/witnessed?size=${size}`, {
    headers: { accept: "application/json" },
  });
  if (response.status === 404) return { size: null, names: [], required: policy.required };
  if (!response.ok) throw new Error(`/api/v1/log/witnessed answered ${response.status}`);
  const { checkpoint: note, consistency } = (await response.json()).witnessed;
  let tree = null;
  for (const key of logKeys) {
    try {
      tree = await openCheckpoint(note, key);
      break;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
    }
  }
  if (tree === null) {
    throw new Refusal("见证方联署的检查点并非由日志密钥签署。", "the checkpoint the witnesses cosigned is not signed by the log key.");
  }
  if (!(await consistent(size, tree.size, cited.root, tree.root, consistency.map(fromHex)))) {
    throw new Refusal(
      "见证方联署的检查点不包含本码所引的检查点。",
      `the checkpoint of size ${tree.size} the witnesses cosigned does not extend the checkpoint of size ${size} this code cites.`,
    );
  }
  const cut = note.indexOf("\n\n");
  const text = note.slice(0, cut + 1);
  const lines = note.slice(cut + 2).split("\n").filter((line) => line.startsWith("— "));
  const names = [];
  for (const witness of policy.witnesses) {
    const publicKey = fromBase64(witness.public_key);
    const id = (await sha256(concat(utf8(`${witness.name}\n`), Uint8Array.of(4), publicKey))).slice(0, 4);
    for (const line of lines) {
      const space = line.lastIndexOf(" ");
      const raw = fromBase64(line.slice(space + 1));
      if (line.slice(2, space) !== witness.name || raw.length !== 76 || !equal(raw.slice(0, 4), id)) {
        continue;
      }
      const time = new DataView(raw.buffer, 4, 8).getBigUint64(0);
      if (time === 0n || time >= 2n ** 63n) continue;
      const signed = utf8(`cosignature/v1\ntime ${time}\n${text}`);
      if (await verifyEd25519(publicKey, signed, raw.slice(12))) {
        names.push(witness.name);
        break;
      }
    }
  }
  if (names.length < policy.required) {
    throw new Refusal(
      `见证方联署不足：检查点 ${tree.size} 有 ${names.length} 个有效联署，登记簿公布的政策要求 ${policy.required} 个。`,
      `the checkpoint of size ${tree.size} the witnesses cosigned has ${names.length} valid cosignatures of the ${policy.required} the registry's published policy requires.`,
    );
  }
  return { size: tree.size, names, required: policy.required };
}

function witnessWords(witness) {
  if (witness === null) return ["", ""];
  if (witness.size === null) {
    return ["；本登记簿的见证方尚未联署涵盖此码的检查点", "; the registry's witnesses have not yet cosigned a checkpoint that covers it"];
  }
  const names = witness.names.join(", ");
  return [
    `；涵盖它的检查点 ${witness.size} 已由见证方 ${names} 联署（政策要求 ${witness.required} 个）`,
    `; checkpoint ${witness.size}, which covers it, is cosigned by the witnesses ${names} (${witness.required} required by the registry's published policy)`,
  ];
}

async function json(url) {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

async function check(section) {
  const last = decodeURIComponent(location.pathname.split("/").pop()).toUpperCase();
  const parts = /^(0|[1-9][0-9]*)\.([1-9][0-9]*)\.([A-Z2-7]{103})$/.exec(last);
  if (!parts) throw new Refusal("地址格式不对。", "the address does not have a green code's form.");
  const size = Number(parts[2]);
  const signature = fromBase32(parts[3]);
  const signed = fromBase64(section.dataset.signed);
  const statement = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(signed));

  const keys = await json("/api/v1/log/keys");
  const logKey = keys.log_key;
  if (!logKey) throw new Refusal("登记簿未公布日志密钥。", "the registry publishes no log key.");
  const todays = fromBase64(logKey.public_key);
  const keyId = hex((await sha256(todays)).slice(0, 16));
  let publicKey = keyId === logKey.key_id && statement.log_key_id === keyId ? todays : null;
  let former = false;
  for (const declaration of publicKey === null ? keys.log_key_declarations || [] : []) {
    const declared = declaration && declaration.act && declaration.act.public_key;
    if (typeof declared !== "string") continue;
    const candidate = fromBase64(declared);
    if (hex((await sha256(candidate)).slice(0, 16)) === statement.log_key_id) {
      [publicKey, former] = [candidate, true];
      break;
    }
  }
  if (publicKey === null) {
    throw new Refusal(
      "声明并非由登记簿公布的日志密钥签署。",
      `the statement names log key ${statement.log_key_id}, the registry publishes ${keyId}.`,
    );
  }
  if (!(await verifyEd25519(publicKey, signed, signature))) {
    throw new Refusal(
      "签名与声明不符：此码被改动过，或并非本登记簿出具。",
      "the signature does not match the statement: the code was altered, or not issued by this registry.",
    );
  }
  if (statement.type !== "greenreg.receipt/1" || statement.kind !== "green_code") {
    throw new Refusal("这不是绿码声明。", "the signed statement is not a green code.");
  }
  const cited = await openCheckpoint(statement.checkpoint, publicKey);
  if (cited.size !== size) {
    throw new Refusal(
      "声明所引的检查点与地址不符。",
      `the statement cites the checkpoint of size ${cited.size}, the address ${size}.`,
    );
  }
  const proof = (await json(`/api/v1/log/consistency?first=${size}`)).consistency;
  const latest = await openCheckpoint(proof.second.note, todays);
  if (!(await consistent(size, latest.size, cited.root, latest.root, proof.hashes.map(fromHex)))) {
    throw new Refusal(
      "登记簿今天的日志不包含本码所引的检查点：其历史被改写过。",
      `today's log (size ${latest.size}) does not extend the checkpoint of size ${size} this code cites: its history was rewritten.`,
    );
  }
  const [cosignedZh, cosignedEn] = witnessWords(await witnessed(size, cited, [todays, publicKey]));
  const changed = document.getElementById("changed");
  if (changed) return ["expired", changed.dataset.zh, changed.dataset.en];
  const [byZh, byEn] = former
    ? ["登记簿根密钥声明过的前任日志密钥", "a former log key the registry's root declared"]
    : ["登记簿公布的日志密钥", "the registry's published log key"];
  return [
    "valid",
    `签名由${byZh}签署；检查点 ${size} 包含在今天的日志（大小 ${latest.size}）中；该单位此后没有变动${cosignedZh}。`,
    `signed by ${byEn}; checkpoint ${size} is part of today's log (size ${latest.size}); the unit has not changed since${cosignedEn}.`,
  ];
}

// Chinese first, English beside it, as the server's pages write it (text only, never HTML).
function bilingual(zh, en) {
  const chinese = document.createElement("span");
  chinese.textContent = zh;
  const english = document.createElement("span");
  english.className = "en";
  english.lang = "en";
  english.textContent = en;
  return [chinese, " ", english];
}

function paragraph(className, ...children) {
  const p = document.createElement("p");
  p.className = className;
  p.append(...children);
  return p;
}

function show(verdict, kind, zh, en) {
  const word = document.createElement("strong");
  word.append(...bilingual(...WORDS[kind]));
  const by = engine ? `（${engine}）` : "";
  const byEn = engine ? ` (${engine})` : "";
  const small = document.createElement("small");
  small.append(...bilingual(`本浏览器核验${by}`, `checked in this browser${byEn}`));
  verdict.replaceChildren(
    paragraph("word", word),
    paragraph("why", ...bilingual(zh, en)),
    paragraph("by", small),
  );
  verdict.className = `verdict verdict-${kind}`;
  verdict.dataset.checked = "browser";
  verdict.dataset.engine = engine;
}

const section = document.getElementById("statement");
const verdict = document.getElementById("verdict");
if (section && verdict) {
  if (!globalThis.crypto || !crypto.subtle) {
    show(verdict, "unchecked", "本浏览器只能在 HTTPS 页面上核验签名。", "this browser checks signatures only on a secure (HTTPS) page.");
  } else {
    check(section).then(
      ([kind, zh, en]) => show(verdict, kind, zh, en),
      (error) =>
        error instanceof Refusal
          ? show(verdict, "invalid", error.zh, error.message)
          : show(verdict, "unchecked", "核验未能完成。", `the check could not be completed: ${error.message}`),
    );
  }
}
