#!/usr/bin/env node
// gen.js: has the real Jingtum JS client libraries (jingtum-lib 2.4.15 and
// swtc-lib 2.0.9) sign random transactions offline, and prints one JSON
// record per signed transaction (JSON Lines) on stdout. The Go codec tests
// use the records to check that Go encodes tx_json to the same blob and hash,
// and decodes the libraries' blobs back to the same JSON.
//
//   node gen.js [--seed N] [--count K] [--lib jingtum-lib|swtc-lib]
//               [--types Payment,TrustSet,...,Multisig] [--jobs J]
//               [--verify] [--stats]
//   node gen.js --selftest
//
// Every random choice comes from a seeded PRNG (sfc32), with one stream per
// (lib, type), so the output depends only on --seed and --count. Neither
// library draws randomness on this path: secp256k1 signatures are RFC 6979
// (elliptic), ed25519 is deterministic, and we never call Wallet.generate().
// No network: Remote objects are constructed with a dummy URL and never
// connected; every transaction has its Sequence set, so the libs never ask a
// server for it.
//
// Each record is checked before it is printed:
//  * an independent strict decoder in this file (field table from
//    shared/spec/jingtum-wire.md §4.3) decodes the blob; the result must equal
//    the canonical JSON that we derived from the library's tx_json before
//    signing (canonical field order, every byte consumed, minimal lengths);
//  * the library's own binary decoder (the @swtc/serializer that swtc-lib
//    ships; jingtum-lib's decoder throws on every Amount) must agree too,
//    modulo its display quirks (SWT shown in SWT units, parsed_memo_* keys);
//  * the SigningPubKey the library put in must be the key we derived from the
//    secret ourselves (Node crypto), and Account must be its address;
//  * multi-signed records (and, with --verify, all records) have every
//    signature verified against the signing data rebuilt from the blob.
// Any disagreement aborts with a non-zero exit code.
'use strict';

const crypto = require('crypto');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

// Libraries print debug lines with console.log; keep stdout pure JSONL.
console.log = (...a) => console.error(...a);
console.info = console.log;

const LIBS = ['jingtum-lib', 'swtc-lib'];
const TYPES = ['Payment', 'AccountSet', 'SetRegularKey', 'TrustSet', 'RelationSet', 'RelationDel', 'SignerListSet', 'Multisig'];

// ---------------------------------------------------------------- CLI

function usage(code) {
    process.stderr.write(`usage: node gen.js [--seed N] [--count K] [--lib L] [--types T1,T2] [--jobs J] [--verify] [--stats]
       node gen.js --selftest
  --seed N     PRNG seed (default 1); same seed and count => byte-identical output
  --count K    records per (lib, type) (default 300); Multisig is one more
               type per lib (K records, Payment or AccountSet inside)
  --lib L      only this library (jingtum-lib or swtc-lib)
  --types ...  only these types (${TYPES.join(',')})
  --jobs J     worker threads (default 2; 1 = run in this thread)
  --verify     also verify every single-signature (slower)
  --stats      print per-(lib,type) counts and quirk counters on stderr
  --selftest   reproduce spec §9 vectors 2 and 7 through the same code path
`);
    process.exit(code);
}

function parseArgs(argv) {
    const o = { seed: 1, count: 300, libs: LIBS.slice(), types: TYPES.slice(), jobs: 2, verify: false, stats: false, selftest: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => {
            if (i + 1 >= argv.length) usage(2);
            return argv[++i];
        };
        switch (a) {
        case '--seed': o.seed = val(); break;
        case '--count': o.count = Number(val()); break;
        case '--lib': o.libs = [val()]; break;
        case '--types': o.types = val().split(',').filter(Boolean); break;
        case '--jobs': o.jobs = Number(val()); break;
        case '--verify': o.verify = true; break;
        case '--stats': o.stats = true; break;
        case '--selftest': o.selftest = true; break;
        case '-h': case '--help': usage(0); break;
        default: process.stderr.write(`unknown argument ${a}\n`); usage(2);
        }
    }
    if (!/^[0-9]+$/.test(String(o.seed))) { process.stderr.write('--seed must be a non-negative integer\n'); usage(2); }
    if (!Number.isInteger(o.count) || o.count < 0) { process.stderr.write('--count must be a non-negative integer\n'); usage(2); }
    if (!Number.isInteger(o.jobs) || o.jobs < 1) usage(2);
    for (const l of o.libs) if (!LIBS.includes(l)) { process.stderr.write(`unknown lib ${l}\n`); usage(2); }
    for (const t of o.types) if (!TYPES.includes(t)) { process.stderr.write(`unknown type ${t}\n`); usage(2); }
    return o;
}

// ---------------------------------------------------------------- PRNG

// sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded from
// SHA-256 of "seed/stream" so every (lib, type) stream is independent.
class Rng {
    constructor(seed, stream) {
        const h = crypto.createHash('sha256').update(`jtchain-jscompat/${seed}/${stream}`).digest();
        this.a = h.readUInt32LE(0); this.b = h.readUInt32LE(4); this.c = h.readUInt32LE(8); this.d = h.readUInt32LE(12);
        for (let i = 0; i < 16; i++) this.u32();
    }
    u32() {
        const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
        this.d = (this.d + 1) >>> 0;
        this.a = (this.b ^ (this.b >>> 9)) >>> 0;
        this.b = (this.c + (this.c << 3)) >>> 0;
        this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
        this.c = (this.c + t) >>> 0;
        return t;
    }
    // uniform integer in [lo, hi] (inclusive), hi - lo < 2^53
    int(lo, hi) {
        const span = hi - lo + 1;
        if (span <= 0x100000000) return lo + Math.floor(this.u32() * span / 0x100000000);
        const r = (this.u32() >>> 5) * 67108864 + (this.u32() >>> 6); // 53 bits
        return lo + Math.floor(r / 9007199254740992 * span);
    }
    big(lo, hi) { // BigInt in [lo, hi]
        const span = hi - lo + 1n;
        let r = 0n;
        for (let i = 0; i < 4; i++) r = (r << 32n) | BigInt(this.u32());
        return lo + r % span;
    }
    float() { return this.u32() / 0x100000000; }
    chance(p) { return this.float() < p; }
    pick(arr) { return arr[this.int(0, arr.length - 1)]; }
    weighted(pairs) { // [[weight, value], ...]
        let total = 0;
        for (const [w] of pairs) total += w;
        let x = this.float() * total;
        for (const [w, v] of pairs) { if ((x -= w) < 0) return v; }
        return pairs[pairs.length - 1][1];
    }
    bytes(n) {
        const b = Buffer.alloc(n);
        for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
        return b;
    }
    // log-uniform integer in [lo, hi] (as BigInt, hi < 2^63)
    logInt(lo, hi) {
        const digitsLo = String(lo).length, digitsHi = String(hi).length;
        const d = this.int(digitsLo, digitsHi);
        let min = 10n ** BigInt(d - 1), max = 10n ** BigInt(d) - 1n;
        if (min < BigInt(lo)) min = BigInt(lo);
        if (max > BigInt(hi)) max = BigInt(hi);
        return this.big(min, max);
    }
}

// ---------------------------------------------------------------- small helpers

const sha512half = (buf) => crypto.createHash('sha512').update(buf).digest().subarray(0, 32);
const up = (s) => String(s).toUpperCase();
const hexOfUtf8 = (s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
const clone = (o) => JSON.parse(JSON.stringify(o));
const u32be = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

class GenError extends Error {}
function check(cond, msg) { if (!cond) throw new GenError(msg); }

function stableStringify(v) {
    if (Array.isArray(v)) return '[' + v.map(stableStringify).join(',') + ']';
    if (v && typeof v === 'object') return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + stableStringify(v[k])).join(',') + '}';
    return JSON.stringify(v);
}
const sameJSON = (a, b) => stableStringify(a) === stableStringify(b);

// Decimal strings. parseDec("1.50e-3") -> {neg, digits: BigInt, exp}; value = digits * 10^exp
function parseDec(s) {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(s).trim());
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) throw new GenError(`not a decimal: ${s}`);
    const frac = m[3] || '';
    let digits = BigInt((m[2] || '0') + frac);
    let exp = (m[4] ? parseInt(m[4], 10) : 0) - frac.length;
    if (digits === 0n) return { neg: false, digits: 0n, exp: 0 };
    while (digits % 10n === 0n) { digits /= 10n; exp++; }
    return { neg: m[1] === '-', digits, exp };
}
function fmtDec({ neg, digits, exp }) {
    if (digits === 0n) return '0';
    let s = digits.toString();
    if (exp >= 0) s += '0'.repeat(exp);
    else {
        const f = -exp;
        if (s.length <= f) s = '0'.repeat(f - s.length + 1) + s;
        s = s.slice(0, s.length - f) + '.' + s.slice(s.length - f);
        s = s.replace(/0+$/, '').replace(/\.$/, '');
    }
    return (neg ? '-' : '') + s;
}
const normDec = (s) => fmtDec(parseDec(s));
// round half up to dp decimal places (what bignumber.js's dividedBy does with
// its default DECIMAL_PLACES = 20)
function roundDec(s, dp) {
    const d = parseDec(s);
    if (d.exp >= -dp) return fmtDec(d);
    const cut = 10n ** BigInt(-dp - d.exp);
    let q = d.digits / cut;
    if ((d.digits % cut) * 2n >= cut) q += 1n;
    return fmtDec({ neg: d.neg && q !== 0n, digits: q, exp: -dp });
}
// SWT units (decimal string or number) -> drops as a decimal integer string; must be exact
function swtToDrops(v) {
    const d = parseDec(typeof v === 'number' ? String(v) : v);
    const e = d.exp + 6;
    check(e >= 0, `SWT value ${v} has more than 6 decimals`);
    return (d.neg ? '-' : '') + (d.digits * 10n ** BigInt(e)).toString();
}

// ---------------------------------------------------------------- field table (spec §4.3)

const FIELDS = {
    TransactionType: [1, 2], SignerWeight: [1, 3],
    Flags: [2, 2], SourceTag: [2, 3], Sequence: [2, 4], TransferRate: [2, 11], DestinationTag: [2, 14],
    Timestamp: [2, 15], QualityIn: [2, 20], QualityOut: [2, 21], LastLedgerSequence: [2, 27],
    SetFlag: [2, 33], ClearFlag: [2, 34], RelationType: [2, 35], SignerQuorum: [2, 38],
    InvoiceID: [5, 17],
    Amount: [6, 1], LimitAmount: [6, 3], Fee: [6, 8], SendMax: [6, 9],
    SigningPubKey: [7, 3], TxnSignature: [7, 4], Domain: [7, 7], MemoType: [7, 12], MemoData: [7, 13], MemoFormat: [7, 14],
    Account: [8, 1], Destination: [8, 3], Target: [8, 7], RegularKey: [8, 8],
    Memo: [14, 10], SignerEntry: [14, 12], Signer: [14, 13],
    Memos: [15, 9], SignerEntries: [15, 11], Signers: [15, 12],
};
const FIELD_BY_CODE = {};
for (const [name, [t, n]] of Object.entries(FIELDS)) FIELD_BY_CODE[`${t}/${n}`] = name;
const TX_TYPES = { Payment: 0, AccountSet: 3, SetRegularKey: 5, TrustSet: 20, RelationSet: 21, RelationDel: 22, SignerListSet: 207 };
const TX_TYPE_NAMES = Object.fromEntries(Object.entries(TX_TYPES).map(([k, v]) => [v, k]));
const fieldOrder = (name) => { const [t, n] = FIELDS[name]; return t * 256 + n; };

// ---------------------------------------------------------------- addresses / currencies

const B58 = 'jpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65rkm8oFqi1tuvAxyz';
// Used only by the decoder (the generator encodes with each library's codec)
function b58check(version, payload) {
    const buf = Buffer.concat([Buffer.from([version]), payload]);
    const full = Buffer.concat([buf, crypto.createHash('sha256').update(crypto.createHash('sha256').update(buf).digest()).digest().subarray(0, 4)]);
    let n = BigInt('0x' + full.toString('hex'));
    let s = '';
    while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n; }
    for (const b of full) { if (b !== 0) break; s = B58[0] + s; }
    return s;
}
const accountIdOfPub = (pubHex) => crypto.createHash('ripemd160').update(crypto.createHash('sha256').update(Buffer.from(pubHex, 'hex')).digest()).digest();

function currencyToJSON(b) { // 20 bytes -> JSON currency string
    let start = 15;
    while (start > 0 && b[start - 1] !== 0) start--;
    const len = 15 - start;
    let zeroElsewhere = true;
    for (let i = 0; i < 20; i++) if ((i < start || i > 14) && b[i] !== 0) zeroElsewhere = false;
    if (zeroElsewhere && len >= 3 && len <= 6) {
        const s = b.subarray(start, 15).toString('latin1');
        if (/^[A-Za-z0-9]+$/.test(s)) return s;
    }
    return b.toString('hex').toUpperCase();
}

// ---------------------------------------------------------------- strict decoder

class Reader {
    constructor(buf) { this.buf = buf; this.pos = 0; }
    eof() { return this.pos >= this.buf.length; }
    read(n) {
        check(this.pos + n <= this.buf.length, `blob truncated at ${this.pos}`);
        const r = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return r;
    }
    u8() { return this.read(1)[0]; }
    header() {
        const b = this.u8();
        let type = b >> 4, nth = b & 15;
        if (type === 0) { type = this.u8(); check(type >= 16, 'non-minimal field header (type)'); }
        if (nth === 0) { nth = this.u8(); check(nth >= 16, 'non-minimal field header (nth)'); }
        return [type, nth];
    }
    vlLen() {
        const b1 = this.u8();
        if (b1 <= 192) return b1;
        if (b1 <= 240) { const n = 193 + (b1 - 193) * 256 + this.u8(); check(n > 192, 'non-minimal VL'); return n; }
        if (b1 <= 254) { const b2 = this.u8(), b3 = this.u8(); const n = 12481 + (b1 - 241) * 65536 + b2 * 256 + b3; check(n > 12480, 'non-minimal VL'); return n; }
        throw new GenError('bad VL length byte');
    }
}

function decodeAmount(r) {
    const v = r.read(8);
    if (!(v[0] & 0x80)) {
        check(v[0] & 0x40, 'negative native amount');
        const drops = BigInt('0x' + v.toString('hex')) & 0x3fffffffffffffffn;
        return drops.toString();
    }
    const cur = r.read(20), iss = r.read(20);
    const raw = BigInt('0x' + v.toString('hex'));
    let value;
    if (raw === 0x8000000000000000n) value = '0';
    else {
        const neg = !(v[0] & 0x40);
        const exp = Number((raw >> 54n) & 0xffn) - 97;
        const man = raw & ((1n << 54n) - 1n);
        check(man >= 10n ** 15n && man < 10n ** 16n, `IOU mantissa not normalised: ${man}`);
        check(exp >= -96 && exp <= 80, 'IOU exponent out of range');
        value = fmtDec(parseDec(`${neg ? '-' : ''}${man}e${exp}`));
    }
    return { value, currency: currencyToJSON(cur), issuer: b58check(0, iss) };
}

function decodeObject(r, inner) {
    const out = {};
    const ranges = {};
    let last = -1;
    while (!r.eof()) {
        const start = r.pos;
        const [type, nth] = r.header();
        if (type === 14 && nth === 1) { check(inner, 'object end marker at top level'); return { out, ranges }; }
        const name = FIELD_BY_CODE[`${type}/${nth}`];
        check(name, `unknown field ${type}/${nth} at byte ${start}`);
        const ord = type * 256 + nth;
        check(ord > last, `field ${name} out of canonical order`);
        last = ord;
        let val;
        switch (type) {
        case 1: val = r.read(2).readUInt16BE(0); if (name === 'TransactionType') { val = TX_TYPE_NAMES[val]; check(val, 'unknown tx type'); } break;
        case 2: val = r.read(4).readUInt32BE(0); break;
        case 5: val = r.read(32).toString('hex').toUpperCase(); break;
        case 6: val = decodeAmount(r); break;
        case 7: val = r.read(r.vlLen()).toString('hex').toUpperCase(); break;
        case 8: { const n = r.vlLen(); check(n === 20, 'account length'); val = b58check(0, r.read(20)); break; }
        case 14: val = decodeObject(r, true).out; break;
        case 15: {
            val = [];
            for (;;) {
                const [t2, n2] = r.header();
                if (t2 === 15 && n2 === 1) break;
                check(t2 === 14, 'array element is not an object');
                const ename = FIELD_BY_CODE[`${t2}/${n2}`];
                check(ename, `unknown object field ${t2}/${n2}`);
                val.push({ [ename]: decodeObject(r, true).out });
            }
            break;
        }
        default: throw new GenError(`unsupported type ${type}`);
        }
        out[name] = val;
        ranges[name] = [start, r.pos];
    }
    check(!inner, 'object not terminated');
    return { out, ranges };
}

function decodeBlob(hex) {
    const r = new Reader(Buffer.from(hex, 'hex'));
    return decodeObject(r, false);
}

// Reorder an object's keys (recursively) in canonical binary order
function canonicalOrder(v) {
    if (Array.isArray(v)) return v.map(canonicalOrder);
    if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        if (keys.every((k) => FIELDS[k])) keys.sort((a, b) => fieldOrder(a) - fieldOrder(b));
        const o = {};
        for (const k of keys) o[k] = canonicalOrder(v[k]);
        return o;
    }
    return v;
}

// ---------------------------------------------------------------- key derivation (Node crypto, independent of the libs)

const SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141n;
function secpPub(k) {
    const e = crypto.createECDH('secp256k1');
    e.setPrivateKey(Buffer.from(k.toString(16).padStart(64, '0'), 'hex'));
    return e.getPublicKey(null, 'compressed');
}
function secpScalar(bytes, discrim) {
    for (let i = 0; ; i++) {
        const parts = [bytes];
        if (discrim !== undefined) parts.push(u32be(discrim));
        parts.push(u32be(i));
        const k = BigInt('0x' + sha512half(Buffer.concat(parts)).toString('hex'));
        if (k > 0n && k < SECP_N) return k;
    }
}
function derivePub(seed16, keyType) {
    if (keyType === 'ed25519') {
        const priv = sha512half(seed16);
        const pk = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), priv]), format: 'der', type: 'pkcs8' });
        const spki = crypto.createPublicKey(pk).export({ format: 'der', type: 'spki' });
        return 'ED' + spki.subarray(spki.length - 32).toString('hex').toUpperCase();
    }
    const privGen = secpScalar(seed16);
    const pubGen = secpPub(privGen);
    const priv = (secpScalar(pubGen, 0) + privGen) % SECP_N;
    return secpPub(priv).toString('hex').toUpperCase();
}

// ---------------------------------------------------------------- library adapters

function loadLib(lib) {
    if (lib === 'jingtum-lib') {
        const JL = require('jingtum-lib');
        const jser = require('jingtum-lib/lib/Serializer').Serializer;
        const kp = require('jingtum-base-lib/src/keypairs.js');
        const remote = new JL.Remote({ server: 'ws://127.0.0.1:5020', local_sign: true });
        return {
            name: lib, JL, jser, remote,
                        encodeSecret: (entropy, keyType) => { check(keyType === 'secp256k1', 'jingtum-lib: secp256k1 only'); return kp.__encode(Buffer.from(entropy), 33); },
            encodeAddress: (id20) => kp.__encode(Buffer.from(id20), 0),
            isValidAddress: (a) => JL.Wallet.isValidAddress(a),
        };
    }
    const SL = require('swtc-lib');
    const common = require('@swtc/common');
    const remote = new SL.Remote({ server: 'ws://127.0.0.1:5020' });
    const W = SL.Wallet;
    return {
        name: lib, SL, S: SL.Transaction.Serializer, common, remote, W,
                encodeSecret: (entropy, keyType) => W.KeyPair.generateSeed({ entropy: Buffer.from(entropy), algorithm: keyType }),
        encodeAddress: (id20) => W.KeyPair.addressCodec.encodeAddress(Buffer.from(id20)),
        isValidAddress: (a) => W.isValidAddress(a),
    };
}

// @swtc/common's field table must agree with ours for every field we use.
// (jingtum-lib keeps its table private; every jingtum-lib blob is decoded
// with our table, which checks it field by field.)
function checkFieldTables() {
    const sw = require('@swtc/common').INVERSE_FIELDS_MAP;
    for (const [name, code] of Object.entries(FIELDS)) {
        check(sw[name] && sw[name][0] === code[0] && sw[name][1] === code[1], `@swtc/common field table disagrees on ${name}: ${JSON.stringify(sw[name])}`);
    }
}

// ---------------------------------------------------------------- random plan (library independent)

const ASF = [1, 2, 3, 4, 6, 7];
const ASF_NAMES = { 1: 'asfRequireDest', 2: 'asfRequireAuth', 3: 'asfDisallowSWT', 4: 'asfDisableMaster', 6: 'asfNoFreeze', 7: 'asfGlobalFreeze' };
const ASF_SHORT = { 1: 'RequireDest', 2: 'RequireAuth', 3: 'DisallowSWT', 4: 'DisableMaster', 6: 'NoFreeze', 7: 'GlobalFreeze' };
const PAYMENT_FLAGS = { NoSkywellDirect: 0x10000, PartialPayment: 0x20000, LimitQuality: 0x40000 };
const TRUST_FLAGS = { SetAuth: 0x10000, SetNoSkywell: 0x20000, ClearNoSkywell: 0x40000, SetFreeze: 0x100000, ClearFreeze: 0x200000 };
const ACCOUNTSET_TXFLAGS = { RequireDestTag: 0x10000, OptionalDestTag: 0x20000, RequireAuth: 0x40000, OptionalAuth: 0x80000, DisallowSWT: 0x100000, AllowSWT: 0x200000 };
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const TEXT_POOLS = {
    ascii: ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~',
    chinese: '给支付转账测试井通区块链节点交易备注你好世界人民币元角分谢谢收款付款成功失败余额账户钱包签名多重数据的了是在我有他这中大来上国个到说们为子和你地出道也时年',
    hex: '0123456789ABCDEF',
    mixed: 'abc XYZ 123 给支付 井通 SWT ñ é ü ß € ± 𝄞 😀 🚀 한국어 日本語 Ωμέγα ',
};

class Planner {
    constructor(rng, L) { this.rng = rng; this.L = L; this.avoided = {}; }
    note(k) { this.avoided[k] = (this.avoided[k] || 0) + 1; }

    keyType() { return this.L.name === 'swtc-lib' && this.rng.chance(0.5) ? 'ed25519' : 'secp256k1'; }
    wallet(keyType = this.keyType()) {
        const entropy = this.rng.bytes(16);
        const secret = this.L.encodeSecret(entropy, keyType);
        const pub = derivePub(entropy, keyType);
        const account = this.L.encodeAddress(accountIdOfPub(pub));
        return { secret, keyType, pub, account };
    }
    address() { return this.L.encodeAddress(this.rng.bytes(20)); }
    u32(lo = 0) { return this.rng.weighted([[3, () => this.rng.int(lo, 0xffffffff)], [2, () => this.rng.int(lo, 1000)], [1, () => this.rng.int(lo, 0xffff)], [1, () => this.rng.pick([lo, 0x7fffffff, 0x80000000, 0xffffffff])]])(); }
    sequence() { return this.u32(1); }
    fee(min = 10, max = 1000000000) {
        const f = this.rng.weighted([[3, () => Number(this.rng.logInt(10, max))], [1, () => this.rng.pick([10, 12, 10000, max])]])();
        return Math.max(f, min);
    }
    text(maxLen = 40) {
        const pool = this.rng.pick(Object.keys(TEXT_POOLS));
        const chars = Array.from(TEXT_POOLS[pool]);
        const n = this.rng.int(1, maxLen);
        let s = '';
        for (let i = 0; i < n; i++) s += this.rng.pick(chars);
        return s;
    }
    hexBytes(minLen, maxLen) { return this.rng.bytes(this.rng.int(minLen, maxLen)).toString('hex'); }
    currency() {
        return this.rng.weighted([
            [6, () => {
                const len = this.rng.int(3, 6);
                for (;;) {
                    let c = '';
                    for (let i = 0; i < len; i++) c += this.rng.pick(ALNUM);
                    if (c.toUpperCase() !== 'SWT') return c;
                }
            }],
            [1, () => this.rng.pick(['CNY', 'USD', 'JJCC', 'JSLASH', 'JMOAC', 'VCC'])],
            [2, () => { // 40-hex, first byte non-zero so it can't look like a 3-6 char code
                const b = this.rng.bytes(20);
                if (b[0] === 0) b[0] = 0x80;
                return b.toString('hex').toUpperCase();
            }],
        ])();
    }
    // IOU value as a decimal string with 1..15 significant digits, 1e-15 <= |v| < 1e16
    iouValue(allowZero, maxExp = 15) {
        if (allowZero && this.rng.chance(0.05)) return this.rng.pick(['0', '0.0', '0']);
        for (;;) {
            const e = this.rng.int(-15, maxExp); // exponent of the leading digit
            const nd = this.rng.weighted([[1, 1], [1, this.rng.int(2, 6)], [2, this.rng.int(7, 15)], [1, 15]]);
            let d = String(this.rng.int(1, 9));
            for (let i = 1; i < nd; i++) d += String(this.rng.int(0, 9));
            // Library limits (see README): both libraries throw for leading
            // exponents -11 and -14 (Math.pow(10, 26|29) is not exact), and
            // jingtum-lib throws when the 16-digit mantissa is >= 2^53.
            if (e === -11 || e === -14) { this.note('iou_exponent_-11_-14'); continue; }
            if (this.L.name === 'jingtum-lib' && BigInt(d.padEnd(16, '0')) >= 9007199254740992n) { this.note('iou_mantissa_ge_2^53'); continue; }
            const exact = fmtDec({ neg: false, digits: BigInt(d), exp: e - nd + 1 });
            return this.rng.weighted([
                [10, exact],
                [1, exact.includes('.') ? exact + '0'.repeat(this.rng.int(1, 3)) : exact],
                [1, `${d[0]}${nd > 1 ? '.' + d.slice(1) : ''}e${e}`],
            ]);
        }
    }
    iou(allowZero = false, maxExp = 15) { return { value: this.iouValue(allowZero, maxExp), currency: this.currency(), issuer: this.address() }; }
    drops(maxDigits = 15) { return this.rng.logInt(1, 10 ** maxDigits - 1); } // BigInt; libs are exact up to 15 digits
    swtValue(drops) { // decimal SWT string for a drops amount, sometimes with trailing zeros
        let s = fmtDec({ neg: false, digits: drops, exp: -6 });
        if (this.rng.chance(0.1)) s = s.includes('.') ? s.padEnd(s.indexOf('.') + 7, '0') : s + '.0';
        return s;
    }
    memos(opts) {
        const n = this.rng.weighted([[8, 0], [7, 1], [3, 2], [2, 3]]);
        const out = [];
        for (let i = 0; i < n; i++) {
            const kinds = [[5, 'text'], [2, 'hexlike']];
            if (opts.binary) kinds.push([2, 'hex']);
            if (opts.json) kinds.push([1, 'json']);
            const kind = this.rng.weighted(kinds);
            const m = { kind };
            if (kind === 'text') m.data = this.text(40);
            else if (kind === 'hexlike') m.data = this.hexBytes(1, 24).toUpperCase();
            else if (kind === 'hex') { m.data = this.hexBytes(1, 32); if (this.rng.chance(0.5)) m.data = m.data.toUpperCase(); }
            else m.data = { memo: this.text(12), n: this.rng.int(0, 1000000), ok: this.rng.chance(0.5) };
            if (opts.memoType && this.rng.chance(0.2)) m.type = this.rng.pick(['text/plain', 'application/json', 'client', 'jtchain', '类型', 'https://example.com/memo']);
            if (opts.memoFormat && kind !== 'hex' && kind !== 'json' && this.rng.chance(0.15)) m.format = this.rng.pick(['text', 'text/plain', 'utf8', 'hex', 'json']);
            out.push(m);
        }
        return out;
    }
    flags(table, opts = {}) { // undefined | number | array of names
        return this.rng.weighted([
            [4, () => undefined],
            [3, () => { const names = Object.keys(table).filter(() => this.rng.chance(0.35)); return names.length ? names : [this.rng.pick(Object.keys(table))]; }],
            [2, () => { let f = 0; for (const v of Object.values(table)) if (this.rng.chance(0.35)) f |= v; if (opts.canonical && this.rng.chance(0.3)) f |= 0x80000000; return f >>> 0; }],
            [1, () => 0],
        ])();
    }
    common(p, opts = {}) {
        p.fee = this.fee(opts.minFee || 10, opts.maxFee || 1000000000);
        p.sequence = this.sequence();
        if (this.rng.chance(0.3)) p.lastLedgerSequence = this.u32(0);
        if (this.rng.chance(0.2)) p.sourceTag = this.u32(0);
        if (this.rng.chance(0.15)) p.timestamp = this.rng.int(0, 0xffffffff);
        p.memos = this.memos({
            binary: this.L.name === 'swtc-lib',
            json: this.L.name === 'swtc-lib',
            memoType: !opts.multisig,
            memoFormat: !opts.multisig && this.L.name === 'jingtum-lib',
        });
    }

    payment(opts = {}) {
        const p = { type: 'Payment', destination: this.address() };
        if (this.rng.chance(0.5)) p.amount = { drops: this.drops() };
        else p.amount = this.iou(false, 10); // buildPaymentTx (ToAmount) rejects any value > 1e11, IOU too
        if (this.rng.chance(0.25)) p.sendMax = this.rng.chance(0.3) ? { drops: this.drops() } : this.iou();
        if (this.rng.chance(0.3)) p.destinationTag = this.u32(0);
        if (this.rng.chance(0.2)) p.invoiceID = this.rng.bytes(32).toString('hex').toUpperCase();
        p.flags = this.flags(PAYMENT_FLAGS, { canonical: true });
        this.common(p, opts);
        return p;
    }
    accountSet(opts = {}) {
        const p = { type: 'AccountSet' };
        const flagArg = (v) => this.rng.pick([v, ASF_NAMES[v], ASF_SHORT[v]]);
        if (this.rng.chance(0.6)) p.setFlag = flagArg(this.rng.pick(ASF));
        if (this.rng.chance(0.4)) p.clearFlag = flagArg(this.rng.pick(ASF));
        if (this.rng.chance(0.3)) {
            // setTransferRate(rate): rate in [0, 1]; the libs store (rate + 1) * 1e9 as a float
            const d = this.rng.int(1, 9);
            p.transferRate = this.rng.weighted([[1, 0], [1, 1], [4, this.rng.int(0, 10 ** d) / 10 ** d]]);
        }
        if (this.rng.chance(0.25)) {
            const dom = this.rng.pick(['example.com', 'jingtum.com', 'swtc.top', 'a.b', '井通.中国']) ;
            p.domain = this.rng.chance(0.5) ? hexOfUtf8(dom) : hexOfUtf8(dom).toLowerCase();
        }
        p.flags = this.flags(ACCOUNTSET_TXFLAGS);
        this.common(p, opts);
        return p;
    }
    setRegularKey() {
        const p = { type: 'SetRegularKey', regularKey: this.address() };
        this.common(p);
        return p;
    }
    trustSet() {
        const p = { type: 'TrustSet', limit: this.iou(true) };
        if (this.rng.chance(0.25)) p.qualityIn = this.u32(1);
        if (this.rng.chance(0.25)) p.qualityOut = this.u32(1);
        p.flags = this.flags(TRUST_FLAGS);
        this.common(p);
        return p;
    }
    relation(type) {
        const p = { type, relType: type === 'RelationDel' ? 'unfreeze' : this.rng.pick(['authorize', 'freeze']), target: this.address(), limit: this.iou(true) };
        this.common(p);
        return p;
    }
    signerListSet() {
        const p = { type: 'SignerListSet' };
        if (this.rng.chance(0.05)) { p.quorum = 0; } // delete the list: no entries allowed
        else {
            const n = this.rng.int(1, 8);
            p.entries = [];
            let sum = 0;
            for (let i = 0; i < n; i++) {
                const w = this.rng.weighted([[4, this.rng.int(1, 10)], [1, this.rng.int(1, 65535)]]);
                sum += w;
                p.entries.push({ account: this.address(), weight: w });
            }
            p.quorum = this.rng.weighted([[3, this.rng.int(1, sum)], [1, sum], [1, 1]]);
        }
        this.common(p);
        return p;
    }
    multisig() {
        const inner = this.rng.chance(0.5) ? 'Payment' : 'AccountSet';
        const n = this.rng.int(1, 4);
        const signers = [];
        for (let i = 0; i < n; i++) signers.push(this.wallet());
        if (this.rng.chance(0.5)) signers.sort((a, b) => Buffer.compare(accountIdOfPub(a.pub), accountIdOfPub(b.pub)));
        // swtc-lib's multiSigned() rejects Fee < signers * 10000, and its
        // normalize_swt() treats Fee >= 10 as "still in drops": a Fee of
        // 10 SWT (1e7 drops) or more is divided by 1e6 twice and the tx
        // breaks. Keep multisig fees in [10000 * n, 9999999] for both libs.
        const opts = { multisig: true, minFee: 10000 * n, maxFee: 9999999 };
        const p = inner === 'Payment' ? this.payment(opts) : this.accountSet(opts);
        p.signers = signers;
        return p;
    }
    plan(type) {
        const w = this.wallet();
        let p;
        switch (type) {
        case 'Payment': p = this.payment(); break;
        case 'AccountSet': p = this.accountSet(); break;
        case 'SetRegularKey': p = this.setRegularKey(); break;
        case 'TrustSet': p = this.trustSet(); break;
        case 'RelationSet': p = this.relation('RelationSet'); break;
        case 'RelationDel': p = this.relation('RelationDel'); break;
        case 'SignerListSet': p = this.signerListSet(); break;
        case 'Multisig': p = this.multisig(); break;
        default: throw new GenError(type);
        }
        p.wallet = w;
        return p;
    }
}

// ---------------------------------------------------------------- building a transaction through the library's public API

function amountArg(L, a) {
    if (a.drops !== undefined) {
        const v = fmtDec({ neg: false, digits: BigInt(a.drops), exp: -6 });
        return L.name === 'swtc-lib' ? L.remote.makeAmount(v, 'SWT') : { value: v, currency: 'SWT', issuer: '' };
    }
    return { value: a.value, currency: a.currency, issuer: a.issuer };
}

function buildTx(L, p) {
    const r = L.remote;
    const acc = p.wallet.account;
    let tx;
    switch (p.type) {
    case 'Payment':
        tx = r.buildPaymentTx({ account: acc, to: p.destination, amount: amountArg(L, p.amount) });
        if (p.sendMax) {
            // setSendMax takes an amount object; SWT is in SWT units there
            const sm = p.sendMax.drops !== undefined ? { value: fmtDec({ neg: false, digits: BigInt(p.sendMax.drops), exp: -6 }), currency: 'SWT', issuer: '' } : amountArg(L, p.sendMax);
            if (L.name === 'swtc-lib') { const e = tx.setSendMax(sm); check(!(e instanceof Error), `setSendMax: ${e && e.message}`); }
            // jingtum-lib 2.4.15: setSendMax always throws "utils.isValidAmount
            // is not a function" (src/utils.js <-> src/transaction.js require
            // cycle), so do what it would have done.
            else tx.tx_json.SendMax = sm;
        }
        if (p.destinationTag !== undefined) tx.tx_json.DestinationTag = p.destinationTag; // no setter in either lib
        if (p.invoiceID !== undefined) {
            if (L.name === 'swtc-lib') tx.setInvoice(p.invoiceID);
            else tx.tx_json.InvoiceID = p.invoiceID; // jingtum-lib has no setter
        }
        break;
    case 'AccountSet': {
        const o = { type: 'property', account: acc };
        if (p.setFlag !== undefined) o.set_flag = p.setFlag;
        if (p.clearFlag !== undefined) o.clear_flag = p.clearFlag;
        tx = r.buildAccountSetTx(o);
        if (p.transferRate !== undefined) { const e = tx.setTransferRate(p.transferRate); check(!(e instanceof Error), 'setTransferRate'); }
        if (p.domain !== undefined) tx.tx_json.Domain = p.domain; // no setter in either lib
        break;
    }
    case 'SetRegularKey':
        tx = r.buildAccountSetTx({ type: 'delegate', account: acc, delegate_key: p.regularKey });
        break;
    case 'TrustSet': {
        const o = { type: 'trust', account: acc, limit: amountArg(L, p.limit) };
        if (p.qualityIn !== undefined) o.quality_in = p.qualityIn;
        if (p.qualityOut !== undefined) o.quality_out = p.qualityOut;
        tx = r.buildRelationTx(o);
        break;
    }
    case 'RelationSet': case 'RelationDel':
        tx = r.buildRelationTx({ type: p.relType, account: acc, target: p.target, limit: amountArg(L, p.limit) });
        break;
    case 'SignerListSet': {
        const o = { account: acc, threshold: p.quorum };
        if (p.entries) o.lists = p.entries.map((e) => ({ account: e.account, weight: e.weight }));
        tx = r.buildSignerListTx(o);
        break;
    }
    default: throw new GenError(p.type);
    }
    check(tx.tx_json.TransactionType === p.type, `lib built ${tx.tx_json.TransactionType} for ${p.type}`);
    if (p.flags !== undefined) tx.setFlags(p.flags);
    tx.setFee(p.fee);
    tx.setSequence(p.sequence);
    if (p.lastLedgerSequence !== undefined) tx.tx_json.LastLedgerSequence = p.lastLedgerSequence;
    if (p.sourceTag !== undefined) tx.tx_json.SourceTag = p.sourceTag;
    if (p.timestamp !== undefined) tx.tx_json.Timestamp = p.timestamp;
    for (const m of p.memos) {
        if (L.name === 'jingtum-lib') {
            tx.addMemo(typeof m.data === 'string' ? m.data : JSON.stringify(m.data));
            const memo = tx.tx_json.Memos[tx.tx_json.Memos.length - 1].Memo;
            // jingtum-lib has no API for these; its signer hex-decodes
            // MemoType (like MemoData) but serializes MemoFormat as text.
            if (m.type !== undefined) memo.MemoType = Buffer.from(m.type, 'utf8').toString('hex');
            if (m.format !== undefined) memo.MemoFormat = m.format;
        } else {
            const format = m.kind === 'hex' ? 'hex' : m.kind === 'json' ? 'json' : 'text';
            tx.addMemo(m.data, format);
            if (m.type !== undefined) tx.tx_json.Memos[tx.tx_json.Memos.length - 1].Memo.MemoType = m.type;
        }
    }
    for (const [k, v] of Object.entries(tx.tx_json)) check(!(v instanceof Error), `lib rejected the tx: ${k}: ${v && v.message}`);
    return tx;
}

// ---------------------------------------------------------------- canonical node JSON from the library's tx_json

const INT_FIELDS = ['Flags', 'SourceTag', 'Sequence', 'TransferRate', 'DestinationTag', 'Timestamp', 'QualityIn', 'QualityOut', 'LastLedgerSequence', 'SetFlag', 'ClearFlag', 'RelationType', 'SignerQuorum', 'SignerWeight'];
const AMOUNT_FIELDS = ['Amount', 'LimitAmount', 'Fee', 'SendMax'];

function canonAmount(lib, v, where) { // where: 'pre' (native = drops) or 'signing' (native = SWT units)
    if (v && typeof v === 'object') {
        if (v.currency === 'SWT') return swtToDrops(String(v.value)); // object form is in SWT units
        return { value: normDec(v.value), currency: v.currency, issuer: v.issuer };
    }
    if (where === 'pre') {
        // pre-sign tx_json: native amounts are drops (Fee a number, Amount a string)
        check(/^[0-9]+(\.0*)?$/.test(String(v)), `native amount not integer drops: ${v}`);
        return normDec(String(v));
    }
    return swtToDrops(String(v)); // signing form: SWT units
}

// lib: which library's conventions; where: 'pre' (tx_json before signing:
// native amounts in drops) or 'multisig-final' (swtc-lib after multiSigned():
// drops again, but memos already hex-encoded)
function canonFromLib(lib, txj, where) {
    const out = {};
    for (const [k, v] of Object.entries(txj)) {
        if (k[0] === k[0].toLowerCase()) continue; // libs skip lower-case keys
        check(FIELDS[k], `tx_json has a field outside our table: ${k}`);
        if (k === 'TransactionType') out[k] = v;
        else if (INT_FIELDS.includes(k)) { check(typeof v === 'number', `${k} is not a number`); out[k] = v >>> 0; } // the libs' writer does val >>> 0 byte by byte
        else if (AMOUNT_FIELDS.includes(k)) out[k] = canonAmount(lib, v, 'pre');
        else if (k === 'Memos') out[k] = v.map((m) => ({ Memo: canonMemo(lib, m.Memo, where) }));
        else if (k === 'SignerEntries') out[k] = v.map((e) => ({ SignerEntry: { Account: e.SignerEntry.Account, SignerWeight: e.SignerEntry.SignerWeight >>> 0 } }));
        else if (k === 'Signers') out[k] = v.map((s) => ({ Signer: { Account: s.Signer.Account, SigningPubKey: up(s.Signer.SigningPubKey), TxnSignature: up(s.Signer.TxnSignature) } }));
        else if (['SigningPubKey', 'TxnSignature', 'Domain', 'InvoiceID'].includes(k)) out[k] = up(v);
        else if (['Account', 'Destination', 'Target', 'RegularKey'].includes(k)) out[k] = v;
        else throw new GenError(`no canonical rule for ${k}`);
    }
    return out;
}

function canonMemo(lib, m, where) {
    const o = {};
    if (lib === 'jingtum-lib') {
        // addMemo stores lower-case hex of the UTF-8 text; MemoType is hex
        // (we set it like MemoData); MemoFormat is plain text.
        if (m.MemoType !== undefined) o.MemoType = up(m.MemoType);
        o.MemoData = up(m.MemoData);
        if (m.MemoFormat !== undefined) o.MemoFormat = hexOfUtf8(m.MemoFormat);
        return o;
    }
    if (where === 'multisig-final') {
        // after multiSigning(): normalize_memo() made MemoData/MemoFormat hex
        o.MemoData = up(m.MemoData);
        if (m.MemoFormat !== undefined) o.MemoFormat = up(m.MemoFormat);
        if (m.MemoType !== undefined) o.MemoType = hexOfUtf8(m.MemoType);
        return o;
    }
    // swtc-lib addMemo(data, format): text is kept as a string, hex as given,
    // json as an object; the serializer hex-encodes MemoType/MemoFormat text.
    if (m.MemoType !== undefined) o.MemoType = hexOfUtf8(m.MemoType);
    if (m.MemoFormat === 'hex') o.MemoData = up(m.MemoData);
    else if (typeof m.MemoData !== 'string') o.MemoData = hexOfUtf8(JSON.stringify(m.MemoData));
    else o.MemoData = hexOfUtf8(m.MemoData);
    if (m.MemoFormat !== undefined) o.MemoFormat = hexOfUtf8(m.MemoFormat);
    return o;
}

// ---------------------------------------------------------------- cross-check with the library's own decoder

// jingtum-lib's Serializer cannot decode (Amount parse uses an undefined
// BigInteger), so both libraries' blobs are decoded with @swtc/serializer.
function libDecode(S, blobHex) {
    const so = new S(blobHex);
    const out = {};
    while (so.pointer < so.buffer.length) {
        const [k, v] = S.TypeUtils.parse(so);
        out[k] = k === 'TransactionType' ? v : S.jsonify_structure(v, k);
    }
    return out;
}
function libDecodedToCanon(d) {
    const fix = (k, v) => {
        if (k === 'TransactionType') return TX_TYPE_NAMES[v];
        if (AMOUNT_FIELDS.includes(k)) return typeof v === 'string' ? swtToDrops(v) : { value: normDec(String(v.value)), currency: v.currency, issuer: v.issuer };
        if (k === 'Memos') return v.map((m) => { const o = {}; for (const [mk, mv] of Object.entries(m.Memo)) if (!mk.startsWith('parsed_')) o[mk] = up(mv); return { Memo: o }; });
        if (['SigningPubKey', 'TxnSignature', 'Domain'].includes(k)) return up(v);
        if (k === 'Signers') return v.map((s) => ({ Signer: { Account: String(s.Signer.Account), SigningPubKey: up(s.Signer.SigningPubKey), TxnSignature: up(s.Signer.TxnSignature) } }));
        if (k === 'SignerEntries') return v.map((e) => ({ SignerEntry: { Account: String(e.SignerEntry.Account), SignerWeight: e.SignerEntry.SignerWeight } }));
        if (typeof v === 'object' && v !== null && typeof v.toString === 'function' && !Array.isArray(v)) return String(v);
        return v;
    };
    const o = {};
    for (const [k, v] of Object.entries(d)) o[k] = fix(k, v);
    return o;
}

// ---------------------------------------------------------------- signature checks

let swtcWallet = null;
function verifySig(pubHex, sigHex, prefixHex, data) { // data: Buffer of signed content after the prefix
    const msg = Buffer.concat([Buffer.from(prefixHex, 'hex'), data]);
    if (pubHex.startsWith('ED')) {
        const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(pubHex.slice(2), 'hex')]), format: 'der', type: 'spki' });
        return crypto.verify(null, msg, key, Buffer.from(sigHex, 'hex'));
    }
    if (!swtcWallet) swtcWallet = require('swtc-lib').Wallet;
    return swtcWallet.checkTx(sha512half(msg).toString('hex').toUpperCase(), sigHex, pubHex);
}
function withoutField(blob, ranges, name) {
    const [a, b] = ranges[name];
    return Buffer.concat([blob.subarray(0, a), blob.subarray(b)]);
}

// ---------------------------------------------------------------- record production

function txHash(blobHex) {
    return sha512half(Buffer.concat([Buffer.from('54584E00', 'hex'), Buffer.from(blobHex, 'hex')])).toString('hex').toUpperCase();
}

function finishRecord(ctx, L, p, canon, blobHex, extra) {
    blobHex = up(blobHex);
    check(/^[0-9A-F]+$/.test(blobHex) && blobHex.length % 2 === 0, 'blob is not hex');
    const { out: dec, ranges } = decodeBlob(blobHex);
    if (!sameJSON(dec, canon)) {
        throw new GenError(`decoded blob != canonical JSON\n  canon: ${stableStringify(canon)}\n  blob:  ${stableStringify(dec)}`);
    }
    // library decoder cross-check
    if (L.S || ctx.S) {
        const S = L.S || ctx.S;
        const leadingZeroHexCurrency = AMOUNT_FIELDS.some((k) => dec[k] && typeof dec[k] === 'object' && /^0[0-9A-F]{39}$/.test(dec[k].currency));
        if (dec.InvoiceID !== undefined) ctx.bump('libdecode_skipped_invoiceid'); // @swtc/serializer's Hash256 parse does not consume its 32 bytes
        else if (leadingZeroHexCurrency) ctx.bump('libdecode_skipped_hex_currency_0x0'); // it drops leading zero nibbles and then reads the code as text
        else {
            const ld = libDecodedToCanon(libDecode(S, blobHex));
            // display quirk: IOU values are shown rounded to 20 decimal places
            const shown = clone(dec);
            for (const k of AMOUNT_FIELDS) if (shown[k] && typeof shown[k] === 'object') shown[k].value = roundDec(shown[k].value, 20);
            if (!sameJSON(ld, shown)) throw new GenError(`library decoder disagrees\n  lib:  ${stableStringify(ld)}\n  ours: ${stableStringify(shown)}`);
        }
    }
    // key checks
    const blob = Buffer.from(blobHex, 'hex');
    if (!p.signers) {
        check(dec.SigningPubKey === p.wallet.pub, `lib SigningPubKey ${dec.SigningPubKey} != derived ${p.wallet.pub}`);
        check(dec.Account === p.wallet.account, 'Account is not the address of the secret');
        if (ctx.verify) {
            check(verifySig(dec.SigningPubKey, dec.TxnSignature, '53545800', withoutField(blob, ranges, 'TxnSignature')), 'single signature does not verify');
            ctx.bump('verified_signatures');
        }
    } else {
        check(dec.SigningPubKey === '', 'multisigned tx must carry an empty SigningPubKey');
        const unsigned = withoutField(blob, ranges, 'Signers');
        dec.Signers.forEach((s, i) => {
            const w = p.signers[i];
            check(s.Signer.Account === w.account && s.Signer.SigningPubKey === w.pub, 'signer key/account mismatch');
            const id = accountIdOfPub(w.pub);
            check(verifySig(w.pub, s.Signer.TxnSignature, '534D5400', Buffer.concat([unsigned, id])), `multisign signature ${i} does not verify`);
            ctx.bump('verified_signatures');
        });
    }
    const rec = {
        lib: L.name,
        type: dec.TransactionType,
        key_type: p.wallet.keyType,
        secret: p.wallet.secret,
        multisig: !!p.signers,
        tx_json: canonicalOrder(canon),
        blob: blobHex,
        hash: txHash(blobHex),
    };
    if (p.signers) rec.signers = p.signers.map((s) => ({ secret: s.secret, account: s.account, key_type: s.keyType }));
    Object.assign(rec, extra || {});
    return rec;
}

async function signSingle(ctx, L, p) {
    const tx = buildTx(L, p);
    const pre = clone(tx.tx_json); // before the library mutates it
    let blob;
    if (L.name === 'jingtum-lib') {
        tx.setSecret(p.wallet.secret);
        check(!(tx.tx_json._secret instanceof Error), 'jingtum-lib rejected the secret');
        let err = null;
        tx.sign((e, b) => { err = e; blob = b; });
        if (err) throw new GenError(`jingtum-lib sign failed: ${err && err.message || err}`);
        check(typeof blob === 'string', 'jingtum-lib sign did not call back synchronously');
    } else {
        blob = await tx.signPromise(p.wallet.secret);
    }
    const canon = canonFromLib(L.name, pre, 'pre');
    canon.SigningPubKey = up(tx.tx_json.SigningPubKey);
    canon.TxnSignature = up(tx.tx_json.TxnSignature);
    return finishRecord(ctx, L, p, canon, blob);
}

function signMulti(ctx, L, p) {
    const tx = buildTx(L, p);
    const pre = clone(tx.tx_json);
    for (const s of p.signers) {
        tx.multiSigning({ account: s.account, secret: s.secret });
        for (const [k, v] of Object.entries(tx.tx_json)) check(!(v instanceof Error), `multiSigning rejected: ${k}: ${v && v.message}`);
    }
    let blob, signingForm;
    if (L.name === 'swtc-lib') {
        signingForm = clone(tx.tx_json); // Fee/Amount in SWT units, memos normalised to hex
        tx.multiSigned();
    } else {
        tx.multiSigned();
    }
    for (const [k, v] of Object.entries(tx.tx_json)) check(!(v instanceof Error), `multiSigned rejected: ${k}: ${v && v.message}`);
    check(tx.command === 'submit_multisigned', 'multiSigned did not switch to submit_multisigned');
    const submitJson = clone(tx.tx_json); // what the lib sends in {"command":"submit_multisigned","tx_json":…}
    // Neither library produces a blob for a multi-signed tx (the node builds
    // it from tx_json). We serialize the final tx_json with the library's own
    // serializer, in the form the library itself serializes when it computes
    // and verifies the multi-signing data.
    if (L.name === 'swtc-lib') {
        const f = clone(signingForm);
        L.common.normalize_memo(f, true);
        blob = L.S.from_json(f).to_hex();
    } else {
        const f = clone(submitJson); // jingtum-lib's tx_json_filter(), which is private
        f.Fee = f.Fee / 1000000;
        if (f.Amount && !isNaN(f.Amount)) f.Amount = f.Amount / 1000000;
        if (f.SendMax && !isNaN(f.SendMax)) f.SendMax = Number(f.SendMax) / 1000000;
        if (f.Memos) for (const m of f.Memos) {
            m.Memo.MemoData = Buffer.from(m.Memo.MemoData, 'hex').toString('utf8');
            if (m.Memo.MemoType) m.Memo.MemoType = Buffer.from(m.Memo.MemoType, 'hex').toString('utf8');
        }
        blob = L.jser.from_json(f).to_hex();
    }
    const canon = canonFromLib(L.name, pre, 'pre');
    canon.SigningPubKey = '';
    canon.Signers = canonFromLib(L.name, { Signers: tx.tx_json.Signers }, 'pre').Signers;
    // the submitted tx_json must describe the same transaction
    const sub = canonFromLibLoose(L.name, submitJson, ctx);
    if (!sameJSON(sub, canon)) throw new GenError(`submit_multisigned tx_json differs from the signed tx\n  sub:   ${stableStringify(sub)}\n  canon: ${stableStringify(canon)}`);
    return finishRecord(ctx, L, p, canon, blob, { submit_tx_json: submitJson });
}

// submit_multisigned tx_json -> canonical; tolerates swtc-lib's float round
// trip (Fee * 1e6 may come back as 70000.00000000001) but counts it.
function canonFromLibLoose(lib, j, ctx) {
    const f = clone(j);
    for (const k of ['Fee', 'Amount', 'SendMax']) {
        if (f[k] === undefined || typeof f[k] === 'object') continue;
        const n = Number(f[k]);
        if (!Number.isInteger(n)) { ctx.bump(`swtc_multisigned_nonint_${k}`); f[k] = Math.round(n); }
        if (k !== 'Fee') f[k] = String(f[k]);
    }
    return canonFromLib(lib, f, lib === 'swtc-lib' ? 'multisig-final' : 'pre');
}

// ---------------------------------------------------------------- work units

function taskName(lib, type) { return `${lib}/${type}`; }

async function runTask(lib, type, seed, count, opts) {
    const L = loadLib(lib);
    checkFieldTables();
    const ctx = {
        verify: opts.verify, S: require('swtc-lib').Transaction.Serializer, counters: {},
        bump(k) { this.counters[k] = (this.counters[k] || 0) + 1; },
    };
    const t0 = Date.now();
    const rng = new Rng(seed, taskName(lib, type));
    const planner = new Planner(rng, L);
    const lines = [];
    const perType = {};
    for (let i = 0; i < count; i++) {
        const p = planner.plan(type);
        let rec;
        try {
            rec = p.signers ? signMulti(ctx, L, p) : await signSingle(ctx, L, p);
        } catch (e) {
            e.message = `[${lib} ${type} #${i}] ${e.message}\n  plan: ${JSON.stringify(p, (k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
            throw e;
        }
        const key = `${rec.lib}/${rec.type}${rec.multisig ? '+multisig' : ''}`;
        perType[key] = (perType[key] || 0) + 1;
        lines.push(JSON.stringify(rec));
    }
    return { lines, perType, counters: ctx.counters, avoided: planner.avoided, ms: { [taskName(lib, type)]: Date.now() - t0 } };
}

// ---------------------------------------------------------------- self test (spec §9 vectors 2 and 7)

async function selftest() {
    let fail = 0;
    const ok = (cond, msg) => { process.stderr.write(`${cond ? 'ok  ' : 'FAIL'} ${msg}\n`); if (!cond) fail++; };
    const V2 = {
        blob: '120000220000000024000000016140000017428107006840000000000027107321029110C3744FB57BD1F4824F5B989AE75EB6402B4365B501F6EDCA9BE44A675E1574473045022100EC761F10DDA2371C77437EE2C7A71379B4214CF77E1C4058C46236B3E446ACE90220456CFB5ACDEE1EB7DEAC4819B5CD19C09911518BD38810A77EF20863C776FC8081141359AA928F4D98FDB3D93E8B690C80D37DED11C38314054FADDC8595E2950FA43F673F65C2009F58C7F1F9EA7D09E7BB99E694AFE4BB98E1F1',
        hash: 'EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2',
        tx_json: { TransactionType: 'Payment', Flags: 0, Sequence: 1, Amount: '99900000000', Fee: '10000', SigningPubKey: '029110C3744FB57BD1F4824F5B989AE75EB6402B4365B501F6EDCA9BE44A675E15', TxnSignature: '3045022100EC761F10DDA2371C77437EE2C7A71379B4214CF77E1C4058C46236B3E446ACE90220456CFB5ACDEE1EB7DEAC4819B5CD19C09911518BD38810A77EF20863C776FC80', Account: 'jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz', Destination: 'jVnqw7H46sjpgNFzYvYWS4TAp13NKQA1D', Memos: [{ Memo: { MemoData: 'E7BB99E694AFE4BB98' } }] },
    };
    const ctxFor = () => ({ verify: true, S: require('swtc-lib').Transaction.Serializer, counters: {}, bump(k) { this.counters[k] = (this.counters[k] || 0) + 1; } });
    const kpDecode = (secret) => { // entropy of a secp256k1 secret, via our own base58
        let n = 0n;
        for (const c of secret) n = n * 58n + BigInt(B58.indexOf(c));
        const b = Buffer.from(n.toString(16).padStart(42, '0'), 'hex');
        return b.subarray(1, 17);
    };
    for (const lib of LIBS) {
        const L = loadLib(lib);
        checkFieldTables();
        const secret = 'ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C';
        const entropy = kpDecode(secret);
        ok(L.encodeSecret(entropy, 'secp256k1') === secret, `${lib}: secret round-trips through the lib's seed encoder`);
        const pub = derivePub(entropy, 'secp256k1');
        const wallet = { secret, keyType: 'secp256k1', pub, account: L.encodeAddress(accountIdOfPub(pub)) };
        ok(wallet.account === 'jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz', `${lib}: vector 1 address`);
        const p = { type: 'Payment', wallet, destination: 'jVnqw7H46sjpgNFzYvYWS4TAp13NKQA1D', amount: { drops: 99900000000n }, fee: 10000, sequence: 1, memos: [{ kind: 'text', data: '给支付' }] };
        try {
            const rec = await signSingle(ctxFor(), L, p);
            ok(rec.blob === V2.blob, `${lib}: vector 2 blob`);
            ok(rec.hash === V2.hash, `${lib}: vector 2 hash ${rec.hash}`);
            ok(sameJSON(rec.tx_json, V2.tx_json), `${lib}: vector 2 canonical tx_json`);
        } catch (e) { ok(false, `${lib}: vector 2 threw: ${e.stack}`); }
    }
    { // vector 7 (ed25519), swtc-lib only
        const L = loadLib('swtc-lib');
        const secret = 'sEdTJSpen5J8ZA7H4cVGDF6oSSLLW2Y';
        let n = 0n;
        for (const c of secret) n = n * 58n + BigInt(B58.indexOf(c));
        const entropy = Buffer.from(n.toString(16).padStart(46, '0'), 'hex').subarray(3, 19);
        ok(L.encodeSecret(entropy, 'ed25519') === secret, 'swtc-lib: ed25519 secret round-trips');
        const pub = derivePub(entropy, 'ed25519');
        ok(pub === 'ED68635043BC70DE82272BF5990642400CF79089B2ABCF8EF9D10FFFB96A658763', 'vector 7 ed25519 public key');
        const wallet = { secret, keyType: 'ed25519', pub, account: L.encodeAddress(accountIdOfPub(pub)) };
        const p = { type: 'Payment', wallet, destination: 'jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz', amount: { drops: 100000n }, fee: 10000, sequence: 14, memos: [] };
        try {
            const rec = await signSingle(ctxFor(), L, p);
            ok(rec.hash === '0473C8FFF375E06EE763B5D63F351B231EC90F6BEE0170BB9158803F9DBCD267', `swtc-lib: vector 7 hash ${rec.hash}`);
        } catch (e) { ok(false, `vector 7 threw: ${e.stack}`); }
    }
    { // the library limits that README.md documents (and the planner avoids)
        const secret = 'ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C';
        const entropy = kpDecode(secret);
        const pub = derivePub(entropy, 'secp256k1');
        const issuer = 'jVnqw7H46sjpgNFzYvYWS4TAp13NKQA1D';
        const signs = async (lib, p) => {
            const L = loadLib(lib);
            const wallet = { secret, keyType: 'secp256k1', pub, account: L.encodeAddress(accountIdOfPub(pub)) };
            try {
                const plan = Object.assign({ wallet, fee: 10000, sequence: 1, memos: [] }, p);
                if (plan.signers) signMulti(ctxFor(), L, plan); else await signSingle(ctxFor(), L, plan);
                return true;
            } catch (e) { return false; }
        };
        const trust = (value) => ({ type: 'TrustSet', limit: { value, currency: 'CNY', issuer } });
        for (const lib of LIBS) {
            ok(await signs(lib, trust('0.0000000000015')), `${lib}: IOU 1.5e-12 signs`);
            ok(!(await signs(lib, trust('0.000000000015'))), `${lib}: IOU 1.5e-11 throws (Math.pow(10, 26) inexact)`);
            ok(!(await signs(lib, trust('0.000000000000015'))), `${lib}: IOU 1.5e-14 throws (Math.pow(10, 29) inexact)`);
            ok(!(await signs(lib, { type: 'Payment', destination: issuer, amount: { value: '100000000001', currency: 'CNY', issuer } })), `${lib}: buildPaymentTx rejects an IOU value > 1e11`);
        }
        ok(await signs('jingtum-lib', trust('9.007199254740991')), 'jingtum-lib: IOU mantissa 2^53-1 signs');
        ok(!(await signs('jingtum-lib', trust('9.007199254740992'))), 'jingtum-lib: IOU mantissa 2^53 throws');
        ok(await signs('swtc-lib', trust('9.999999999999999')), 'swtc-lib: IOU mantissa 9999999999999999 signs');
        {
            const L = loadLib('jingtum-lib');
            const tx = L.remote.buildPaymentTx({ account: 'jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz', to: issuer, amount: { value: '1', currency: 'SWT', issuer: '' } });
            let threw = false;
            try { tx.setSendMax({ value: '1', currency: 'CNY', issuer }); } catch (e) { threw = /isValidAmount/.test(e.message); }
            ok(threw, 'jingtum-lib: Transaction.setSendMax throws (require cycle)');
            ok(!L.JL.Wallet.isValidSecret('sEdTJSpen5J8ZA7H4cVGDF6oSSLLW2Y'), 'jingtum-lib: rejects ed25519 (sEd) secrets');
        }
        {
            const L = loadLib('swtc-lib');
            const e2 = kpDecode('sszWqvtbDzzMQEVWqGDSA5DbMYDBN');
            const p2 = derivePub(e2, 'secp256k1');
            const signer = { secret: 'sszWqvtbDzzMQEVWqGDSA5DbMYDBN', keyType: 'secp256k1', pub: p2, account: L.encodeAddress(accountIdOfPub(p2)) };
            const ms = (fee) => signs('swtc-lib', { type: 'AccountSet', fee, signers: [signer] });
            ok(await ms(9999999), 'swtc-lib: multisig with Fee 9999999 drops works');
            ok(!(await ms(10000000)), 'swtc-lib: multisig with Fee >= 1e7 drops breaks (normalize_swt divides twice)');
        }
    }
    { // determinism of the generator itself
        const a = await runTask('swtc-lib', 'Payment', 7, 5, { verify: false });
        const b = await runTask('swtc-lib', 'Payment', 7, 5, { verify: false });
        ok(a.lines.join('\n') === b.lines.join('\n'), 'same seed => same records');
    }
    process.stderr.write(fail ? `selftest: ${fail} FAILED\n` : 'selftest: all passed\n');
    process.exit(fail ? 1 : 0);
}

// ---------------------------------------------------------------- main / workers

// relative cost of a task (measured: seconds for 300 records on one core),
// used only to balance the workers; output order never depends on it
const taskCost = (lib, type) => (type === 'Multisig' ? { 'jingtum-lib': 8.2, 'swtc-lib': 13.2 } : { 'jingtum-lib': 1.6, 'swtc-lib': 2.3 })[lib];

async function main() {
    const o = parseArgs(process.argv.slice(2));
    if (o.selftest) return selftest();
    const t0 = Date.now();
    const tasks = [];
    for (const lib of o.libs) for (const type of o.types) tasks.push({ lib, type });
    const results = new Array(tasks.length);
    if (o.jobs === 1 || tasks.length === 1) {
        for (let i = 0; i < tasks.length; i++) results[i] = await runTask(tasks[i].lib, tasks[i].type, o.seed, o.count, o);
    } else {
        // greedy static partition by estimated cost; output order is fixed by task order
        const nw = Math.min(o.jobs, tasks.length);
        const bins = Array.from({ length: nw }, () => ({ cost: 0, idx: [] }));
        tasks.map((t, i) => ({ i, c: taskCost(t.lib, t.type) }))
            .sort((a, b) => b.c - a.c || a.i - b.i)
            .forEach(({ i, c }) => { const b = bins.reduce((m, x) => (x.cost < m.cost ? x : m)); b.cost += c; b.idx.push(i); });
        await Promise.all(bins.map((bin) => new Promise((resolve, reject) => {
            const w = new Worker(__filename, { workerData: { tasks: bin.idx.map((i) => ({ ...tasks[i], i })), seed: o.seed, count: o.count, verify: o.verify } });
            w.on('message', (m) => { results[m.i] = m.result; });
            w.on('error', reject);
            w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
        })));
    }
    const chunks = [];
    const perType = {}, counters = {}, avoided = {}, ms = {};
    for (const r of results) {
        if (r.lines.length) chunks.push(r.lines.join('\n') + '\n');
        for (const [k, v] of Object.entries(r.perType)) perType[k] = (perType[k] || 0) + v;
        for (const [k, v] of Object.entries(r.counters)) counters[k] = (counters[k] || 0) + v;
        for (const [k, v] of Object.entries(r.avoided)) avoided[k] = (avoided[k] || 0) + v;
        Object.assign(ms, r.ms);
    }
    await new Promise((res) => process.stdout.write(chunks.join(''), res));
    if (o.stats) {
        process.stderr.write(`records per (lib, type):\n${Object.entries(perType).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
        process.stderr.write(`counters: ${JSON.stringify(counters)}\nvalues redrawn to avoid library limits: ${JSON.stringify(avoided)}\n`);
        process.stderr.write(`ms per task: ${JSON.stringify(ms)}\n`);
        process.stderr.write(`total ${Object.values(perType).reduce((a, b) => a + b, 0)} records in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
}

if (isMainThread) {
    main().catch((e) => { process.stderr.write(`gen.js: ${e && e.stack || e}\n`); process.exit(1); });
} else {
    (async () => {
        for (const t of workerData.tasks) {
            const result = await runTask(t.lib, t.type, workerData.seed, workerData.count, { verify: workerData.verify });
            parentPort.postMessage({ i: t.i, result });
        }
    })().catch((e) => { process.stderr.write(`gen.js worker: ${e && e.stack || e}\n`); process.exit(1); });
}
