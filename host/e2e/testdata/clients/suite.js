#!/usr/bin/env node
// suite.js: drives one unmodified Jingtum client library (jingtum-lib 2.4.15
// or swtc-lib 2.0.9) against a running jtd node and checks every answer.
//
//   NODE_PATH=host/codec/testdata/jscompat/node_modules \
//     node suite.js --lib jingtum-lib|swtc-lib --url ws://127.0.0.1:5020 \
//                   [--secret snoPBjXtMeMyMHUVTgbuqAfg1SUTb] [--timeout 10000] [--deadline 80000] [--restart]
//
// The node must be a fresh dev chain whose genesis account holds every coin
// (the suite uses fixed secrets, so it runs once per chain). Output: one JSON
// line per step on stdout, {"step","lib","ok","ms","detail"}, with
// "skipped": reason for a step the library cannot do. The first failing step
// prints ok:false with the reason and the process exits 1. Everything the
// libraries log goes to stderr. Every library call has its own timeout (the
// libraries have none), and a watchdog ends the run after --deadline ms.
//
// --restart: for the reconnect step the suite prints {"control":"restart"}
// and expects the driver to restart the node (same data and ports) and then
// write the line "restart done" on stdin. Without it the step is skipped.
// host/e2e/clients_test.go is the driver; see README.md here.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const { EventEmitter } = require('events');

// The libraries print debug lines with console.log: keep stdout for results.
console.log = console.info = console.warn = console.debug = (...a) => console.error(...a);

// ---------------------------------------------------------------- options

function parseArgs(argv) {
    const o = { lib: '', url: '', secret: 'snoPBjXtMeMyMHUVTgbuqAfg1SUTb', timeout: 10000, deadline: 80000, restart: false };
    for (let i = 0; i < argv.length; i++) {
        const v = () => {
            if (i + 1 >= argv.length) usage();
            return argv[++i];
        };
        switch (argv[i]) {
        case '--lib': o.lib = v(); break;
        case '--url': o.url = v(); break;
        case '--secret': o.secret = v(); break;
        case '--timeout': o.timeout = Number(v()); break;
        case '--deadline': o.deadline = Number(v()); break;
        case '--restart': o.restart = true; break;
        default: usage();
        }
    }
    if (!['jingtum-lib', 'swtc-lib'].includes(o.lib) || !/^wss?:\/\//.test(o.url)) usage();
    return o;
}

function usage() {
    process.stderr.write('usage: node suite.js --lib jingtum-lib|swtc-lib --url ws://host:port [--secret s...] [--timeout ms] [--deadline ms] [--restart]\n');
    process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const LIB = opts.lib;
const JT = LIB === 'jingtum-lib';

// ---------------------------------------------------------------- output

function emit(rec) {
    fs.writeSync(1, JSON.stringify(rec) + '\n'); // synchronous: nothing lost on exit
}

function fail(step, t0, err) {
    let msg = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
    if (err instanceof Error && !(err instanceof CheckError) && err.stack) msg = err.stack;
    emit({ step, lib: LIB, ok: false, ms: Date.now() - t0, detail: msg });
    process.exit(1);
}

setTimeout(() => {
    fail('watchdog', Date.now(), `the suite did not finish within ${opts.deadline} ms (current step: ${currentStep})`);
}, opts.deadline).unref();

process.on('unhandledRejection', e => fail(currentStep || 'unhandled', Date.now(), e));
process.on('uncaughtException', e => fail(currentStep || 'uncaught', Date.now(), e));

let currentStep = '';

async function step(name, fn) {
    currentStep = name;
    const t0 = Date.now();
    let detail;
    try {
        detail = await fn();
    } catch (e) {
        fail(name, t0, e);
    }
    emit({ step: name, lib: LIB, ok: true, ms: Date.now() - t0, detail: detail === undefined ? null : detail });
    currentStep = '';
}

function skip(name, reason) {
    emit({ step: name, lib: LIB, ok: true, skipped: reason, detail: null });
}

// ---------------------------------------------------------------- checks

class CheckError extends Error {}

function check(cond, msg) {
    if (!cond) throw new CheckError(msg);
}

function show(v) {
    const s = typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 600 ? s.slice(0, 600) + '…' : s;
}

// canon is JSON with object keys sorted, for order-blind comparison.
function canon(v) {
    if (typeof v === 'bigint') return v.toString();
    if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
    if (v && typeof v === 'object') {
        return '{' + Object.keys(v).sort().map(k => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
    }
    const s = JSON.stringify(v);
    return s === undefined ? 'undefined' : s;
}

function eq(actual, expected, what) {
    if (canon(actual) !== canon(expected)) {
        throw new CheckError(`${what}: got ${show(actual)}, want ${show(expected)}`);
    }
}

const isHash = h => typeof h === 'string' && /^[0-9A-F]{64}$/.test(h);
const isUint = n => Number.isInteger(n) && n >= 0;
const isDrops = s => typeof s === 'string' && /^(0|[1-9][0-9]*)$/.test(s);

function txHash(blobHex) {
    const d = crypto.createHash('sha512')
        .update(Buffer.concat([Buffer.from('54584E00', 'hex'), Buffer.from(blobHex, 'hex')]))
        .digest('hex');
    return d.slice(0, 64).toUpperCase();
}

// Jingtum base58 (spec §1) → 20-byte account ID, to talk about signer order.
const ALPHABET = 'jpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65rkm8oFqi1tuvAxyz';
function accountID(addr) {
    let n = 0n;
    for (const c of addr) {
        const i = ALPHABET.indexOf(c);
        if (i < 0) throw new Error('bad address ' + addr);
        n = n * 58n + BigInt(i);
    }
    let hex = n.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    const lead = addr.match(/^j*/)[0].length; // leading zero bytes
    const bytes = Buffer.concat([Buffer.alloc(lead), Buffer.from(hex, 'hex')]);
    return bytes.slice(1, 21).toString('hex').toUpperCase(); // version byte, 20 bytes, checksum
}

// ---------------------------------------------------------------- timeouts

function withTimeout(p, what, ms = opts.timeout) {
    let timer;
    return Promise.race([
        p,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new CheckError(`${what}: no answer within ${ms} ms`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- driver control

// control asks the test driver for something ({"control": what} on stdout)
// and resolves when it answers with a line "<what> done" on stdin.
const controlLines = [];
let controlWaiter = null;
if (opts.restart) {
    require('readline').createInterface({ input: process.stdin }).on('line', l => {
        controlLines.push(l.trim());
        if (controlWaiter) controlWaiter();
    });
}

function control(what, ms) {
    emit({ control: what, lib: LIB });
    return withTimeout(new Promise((resolve, reject) => {
        controlWaiter = () => {
            const l = controlLines.shift();
            if (l === what + ' done') resolve();
            else reject(new CheckError(`driver answered ${show(l)} to ${what}`));
        };
    }), 'the test driver: ' + what, ms);
}

// ---------------------------------------------------------------- library adapter

const lib = require(LIB);
const Wallet = lib.Wallet;

function newRemote(localSign) {
    // jingtum-lib signs on the server unless local_sign is set; swtc-lib always
    // signs locally and ignores the option.
    return JT ? new lib.Remote({ server: opts.url, local_sign: localSign }) : new lib.Remote({ server: opts.url });
}

function connect(remote) {
    if (!JT) return withTimeout(remote.connectPromise(), 'connect');
    return withTimeout(new Promise((resolve, reject) => {
        let done = false;
        remote.connect((err, result) => {
            if (done) return; // the ws 'error' handler may call back again
            done = true;
            if (err) reject(err);
            else resolve(result);
        });
    }), 'connect');
}

// req sends one Request and returns its (filtered) result; an error answer
// rejects with what the library passes on (error_message).
function req(request, what) {
    const p = JT
        ? new Promise((resolve, reject) => request.submit((err, r) => (err ? reject(err) : resolve(r))))
        : request.submitPromise();
    return withTimeout(p, what || request._command);
}

// reqError expects an error answer and returns the library's error value.
async function reqError(request, what) {
    let result;
    try {
        result = await req(request, what);
    } catch (e) {
        if (e instanceof CheckError) throw e; // our timeout
        return e;
    }
    throw new CheckError(`${what}: expected an error, got success ${show(result)}`);
}

// submitTx signs (locally, or on the server for jingtum-lib without
// local_sign) and submits; resolves with the submit result.
function submitTx(tx, secret, what) {
    let p;
    if (JT) {
        if (secret) tx.setSecret(secret);
        p = new Promise((resolve, reject) => tx.submit((err, r) => (err ? reject(err) : resolve(r))));
    } else {
        p = secret ? tx.submitPromise(secret) : tx.submitPromise();
    }
    return withTimeout(p, what);
}

function swt(remote, value) {
    return JT ? { value: String(value), currency: 'SWT', issuer: '' } : remote.makeAmount(value, 'SWT');
}

// ---------------------------------------------------------------- events

// Everything the remote's ledger_closed and transactions listeners see.
const seen = { ledgers: new Map(), txs: new Map() };
const bus = new EventEmitter();
bus.setMaxListeners(0);

function listen(remote) {
    remote.on('ledger_closed', m => {
        seen.ledgers.set(m.ledger_index, m);
        bus.emit('change');
    });
    remote.on('transactions', m => {
        seen.txs.set(m.transaction.hash, m);
        bus.emit('change');
    });
}

// waitFor resolves with pred()'s first truthy value, checked on every event
// and every 100 ms; poll (optional, async) runs every pollMs as a fallback.
function waitFor(pred, what, ms = opts.timeout, poll = null, pollMs = 1000) {
    return new Promise((resolve, reject) => {
        let finished = false;
        const end = (err, v) => {
            if (finished) return;
            finished = true;
            bus.removeListener('change', test);
            clearInterval(tick);
            clearInterval(poller);
            clearTimeout(timer);
            if (err) reject(err);
            else resolve(v);
        };
        const test = () => {
            try {
                const v = pred();
                if (v) end(null, v);
            } catch (e) {
                end(e);
            }
        };
        bus.on('change', test);
        const tick = setInterval(test, 100);
        const poller = poll ? setInterval(() => {
            poll().then(v => v && end(null, v), () => {});
        }, pollMs) : null;
        const timer = setTimeout(() => end(new CheckError(`${what}: not seen within ${ms} ms`)), ms);
        test();
    });
}

// waitValidated: the transactions stream reports hash validated, or (as a
// fallback after a second, so a broken stream shows up in its own step) a tx
// lookup does. Resolves with {via, ledger_index, result}.
const submitted = [];

function waitValidated(remote, hash, what, want = 'tesSUCCESS') {
    submitted.push(hash);
    return waitFor(() => {
        const m = seen.txs.get(hash);
        if (m && m.validated) return { via: 'stream', ledger_index: m.ledger_index, result: m.engine_result };
        return null;
    }, `${what} (${hash}) validated`, opts.timeout, async () => {
        const r = await req(remote.requestTx({ hash }), 'tx');
        if (r && r.validated) return { via: 'tx', ledger_index: r.ledger_index, result: r.meta && r.meta.TransactionResult };
        return null;
    }).then(v => {
        check(v.result === want, `${what} (${hash}) validated with ${v.result}, want ${want}`);
        return v;
    });
}

// watchAccount registers a jingtum-lib Account stub listener: the library
// runs processTx over every transactions message for each affected account.
function watchAccount(remote, address) {
    const got = new Map();
    remote.createAccountStub().on(address, t => {
        got.set(t.hash, t);
        bus.emit('change');
    });
    return got;
}

// ---------------------------------------------------------------- accounts

// Fixed keys, so runs are reproducible (and need a fresh chain each):
// secp256k1 from spec §9 and a few generated once, and for swtc-lib the
// ed25519 key of vector 7.
const G = Wallet.fromSecret(opts.secret);
const I = Wallet.fromSecret('ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C'); // issuer of CNY
const A = Wallet.fromSecret('shVCQFSxkF7DLXkrHY8X2PBKCKxS9'); // CNY holder
const B = Wallet.fromSecret('sszWqvtbDzzMQEVWqGDSA5DbMYDBN'); // CNY holder
const M = Wallet.fromSecret('sp5fghtJtpUojTwvof1NpDXAzNwf5'); // multi-signed account
const S1 = Wallet.fromSecret('sp6AcFNt7Zzx4UmUaTCtbr9UC88yo'); // signers (never funded)
const S2 = Wallet.fromSecret('spzaLvEoHJTaZmxxv78xhdiLXUMGS');
const U = Wallet.fromSecret('shhk1zHGCnZAryrpKPSvTpkyJ5tnt'); // never funded
const E = JT ? null : Wallet.fromSecret('sEdTJSpen5J8ZA7H4cVGDF6oSSLLW2Y'); // ed25519
const GENESIS_PUBKEY = '0330E7FC9D56BB25D6893BA3F317AE5BCF33B3291BD63DB32654A313222F7FD020';
const CNY = 'CNY';
const TOTAL_COINS = '600000000000000000';
const ONLINE = ['syncing', 'tracking', 'proposing', 'validating', 'full', 'connected'];

function memoHex(text) {
    return Buffer.from(text, 'utf8').toString('hex').toUpperCase();
}

// ---------------------------------------------------------------- the steps

async function main() {
    for (const w of [G, I, A, B, M, S1, S2, U].concat(E ? [E] : [])) {
        check(w && /^j/.test(w.address), 'bad fixed secret');
    }
    const remote = newRemote(true);
    let stubA = null; // jingtum-lib Account stub events for A, by hash
    const known = {}; // hashes by name
    let lc; // ledger_closed result

    await step('connect', async () => {
        check(!remote.isConnected(), 'isConnected() is true before connect');
        const r = await connect(remote);
        check(remote.isConnected() === true, `isConnected() is ${remote.isConnected()} after connect (subscribe result ${show(r)})`);
        check(r && ONLINE.includes(r.server_status), `subscribe result server_status ${show(r && r.server_status)}`);
        check(isUint(r.ledger_index) && r.ledger_index >= 1, `subscribe result ledger_index ${show(r.ledger_index)}`);
        check(isHash(r.ledger_hash), `subscribe result ledger_hash ${show(r.ledger_hash)}`);
        for (const k of ['fee_base', 'fee_ref', 'reserve_base', 'reserve_inc', 'load_base', 'load_factor']) {
            check(isUint(r[k]), `subscribe result ${k} ${show(r[k])}`);
        }
        listen(remote); // adding the listeners subscribes again (ledger, transactions)
        if (JT) stubA = watchAccount(remote, A.address);
        return { server_status: r.server_status, ledger_index: r.ledger_index, validated_ledgers: r.validated_ledgers };
    });

    await step('server_info', async () => {
        const r = await req(remote.requestServerInfo());
        check(isHash(r.ledger), `ledger (info.validated_ledger.hash) ${show(r.ledger)}`);
        check(/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(r.complete_ledgers), `complete_ledgers ${show(r.complete_ledgers)}`);
        check(typeof r.state === 'string' && ONLINE.includes(r.state.split(' ')[0]), `state ${show(r.state)}`);
        check(typeof r.version === 'string' && /^skywelld-\S+$/.test(r.version) && r.version !== 'skywelld-undefined', `version ${show(r.version)}`);
        check(typeof r.public_key === 'string' && /^n/.test(r.public_key), `public_key ${show(r.public_key)}`);
        check(isUint(r.peers), `peers ${show(r.peers)}`);
        check(remote.isConnected(), 'disconnected by the server_info answer');
        return r;
    });

    await step('ledger_closed', async () => {
        lc = await req(remote.requestLedgerClosed());
        check(isHash(lc.ledger_hash), `ledger_hash ${show(lc.ledger_hash)}`);
        check(isUint(lc.ledger_index) && lc.ledger_index >= 1, `ledger_index ${show(lc.ledger_index)}`);
        return lc;
    });

    await step('ledger', async () => {
        const r = await req(remote.requestLedger({ ledger_index: lc.ledger_index }));
        eq(r.ledger_hash, lc.ledger_hash, 'ledger_hash of ledger ' + lc.ledger_index);
        eq(Number(r.ledger_index), lc.ledger_index, 'ledger_index');
        eq(r.accepted, true, 'accepted');
        check(isHash(r.parent_hash), `parent_hash ${show(r.parent_hash)}`);
        check(/^\d{4}-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d$/.test(r.close_time), `close_time (close_time_human) ${show(r.close_time)}`);
        eq(r.total_coins, TOTAL_COINS, 'total_coins before any transaction');
        const byHash = await req(remote.requestLedger({ ledger_hash: lc.ledger_hash }), 'ledger by hash');
        eq(Number(byHash.ledger_index), lc.ledger_index, 'ledger_index of the ledger looked up by hash');
        if (lc.ledger_index > 1) {
            const parent = await req(remote.requestLedger({ ledger_index: lc.ledger_index - 1 }), 'parent ledger');
            eq(parent.ledger_hash, r.parent_hash, 'hash of ledger N-1 vs parent_hash of ledger N');
        }
        const latest = await req(remote.requestLedger({}), 'ledger (no options)');
        check(isHash(latest.ledger_hash) && Number(latest.ledger_index) >= lc.ledger_index, `ledger with no options: ${show(latest)}`);
        return r;
    });

    let gSeq;
    await step('account_info', async () => {
        const r = await req(remote.requestAccountInfo({ account: G.address }));
        const d = r.account_data;
        check(d, `no account_data in ${show(r)}`);
        eq(d.Account, G.address, 'account_data.Account');
        eq(d.LedgerEntryType, 'AccountRoot', 'account_data.LedgerEntryType');
        check(isDrops(d.Balance) && BigInt(d.Balance) > 10n ** 17n, `account_data.Balance ${show(d.Balance)}`);
        check(isUint(d.Sequence) && d.Sequence >= 1, `account_data.Sequence ${show(d.Sequence)}`);
        check(isUint(d.OwnerCount) && isUint(d.Flags), `OwnerCount/Flags ${show(d)}`);
        check(isHash(d.index), `account_data.index ${show(d.index)}`);
        eq(r.validated, true, 'validated (the libraries ask for ledger_index "validated")');
        check(isHash(r.ledger_hash) && isUint(r.ledger_index), `ledger_hash/ledger_index ${show(r)}`);
        gSeq = d.Sequence;
        return { Sequence: d.Sequence, Balance: d.Balance, ledger_index: r.ledger_index };
    });

    await step('ledger_closed_event', async () => {
        const m = await waitFor(() => {
            for (const [i, m] of seen.ledgers) if (i > lc.ledger_index) return m;
            return null;
        }, 'a ledger_closed event after ledger ' + lc.ledger_index);
        check(isHash(m.ledger_hash), `ledger_hash ${show(m)}`);
        check(isUint(m.ledger_index), `ledger_index ${show(m)}`);
        for (const k of ['ledger_time', 'fee_base', 'fee_ref', 'reserve_base', 'reserve_inc', 'txn_count']) {
            check(isUint(m[k]), `${k} in ${show(m)}`);
        }
        check(typeof m.validated_ledgers === 'string', `validated_ledgers in ${show(m)}`);
        const l = await req(remote.requestLedger({ ledger_index: m.ledger_index }), 'ledger of the event');
        eq(l.ledger_hash, m.ledger_hash, `hash of ledger ${m.ledger_index}: ledger vs ledgerClosed event`);
        return { ledger_index: m.ledger_index, txn_count: m.txn_count };
    });

    let payEvent;
    await step('payment_local_sign', async () => {
        // No Sequence: the library fetches it (account_info, validated ledger).
        const tx = remote.buildPaymentTx({ account: G.address, to: I.address, amount: swt(remote, 5000) });
        tx.addMemo('jtchain e2e');
        const r = await submitTx(tx, G.secret, 'submit (tx_blob)');
        eq(r.engine_result, 'tesSUCCESS', 'engine_result');
        eq(r.engine_result_code, 0, 'engine_result_code');
        check(typeof r.engine_result_message === 'string' && r.engine_result_message.length > 0, 'engine_result_message');
        check(r.tx_json && isHash(r.tx_json.hash), `tx_json.hash in ${show(r)}`);
        const blob = tx.tx_json.blob;
        check(typeof blob === 'string' && blob.length > 0, 'the library made no blob: it did not sign locally');
        eq(String(r.tx_blob).toUpperCase(), blob.toUpperCase(), 'tx_blob echoed by the node');
        eq(r.tx_json.hash, txHash(blob), 'hash: node vs SHA512Half(TXN ‖ blob)');
        eq(r.tx_json.Sequence, gSeq, 'Sequence the library filled in');
        eq(r.tx_json.Account, G.address, 'tx_json.Account');
        eq(r.tx_json.Amount, '5000000000', 'tx_json.Amount');
        known.fundI = r.tx_json.hash;
        return { hash: r.tx_json.hash, Sequence: r.tx_json.Sequence };
    });

    await step('transactions_event', async () => {
        const h = known.fundI;
        const m = await waitFor(() => seen.txs.get(h), `transactions event for ${h}`);
        eq(m.validated, true, 'validated');
        eq(m.engine_result, 'tesSUCCESS', 'engine_result');
        eq(m.engine_result_code, 0, 'engine_result_code');
        eq(m.status, 'closed', 'status');
        check(isUint(m.ledger_index) && isHash(m.ledger_hash), `ledger_index/ledger_hash ${show(m)}`);
        const t = m.transaction;
        eq(t.Account, G.address, 'transaction.Account');
        eq(t.Destination, I.address, 'transaction.Destination');
        eq(t.Amount, '5000000000', 'transaction.Amount (drops)');
        eq(t.TransactionType, 'Payment', 'transaction.TransactionType');
        check(isUint(t.date), `transaction.date ${show(t.date)}`);
        eq(m.meta && m.meta.TransactionResult, 'tesSUCCESS', 'meta.TransactionResult');
        check(Array.isArray(m.meta.AffectedNodes) && m.meta.AffectedNodes.length >= 2, `meta.AffectedNodes ${show(m.meta.AffectedNodes)}`);
        for (const n of m.meta.AffectedNodes) {
            const k = Object.keys(n);
            check(k.length === 1 && ['CreatedNode', 'ModifiedNode', 'DeletedNode'].includes(k[0]), `affected node ${show(n)}`);
        }
        const created = m.meta.AffectedNodes.find(n => n.CreatedNode && n.CreatedNode.LedgerEntryType === 'AccountRoot');
        check(created && created.CreatedNode.NewFields && created.CreatedNode.NewFields.Account === I.address,
            `no CreatedNode AccountRoot for the new account in ${show(m.meta.AffectedNodes)}`);
        const lcev = await waitFor(() => seen.ledgers.get(m.ledger_index), `ledger_closed event for ledger ${m.ledger_index}`);
        eq(lcev.ledger_hash, m.ledger_hash, 'ledger_hash: ledgerClosed vs transaction event');
        check(lcev.txn_count >= 1, `txn_count of ledger ${m.ledger_index}: ${lcev.txn_count}`);
        payEvent = m;
        return { ledger_index: m.ledger_index, affected_nodes: m.meta.AffectedNodes.length };
    });

    await step('tx', async () => {
        const h = known.fundI;
        const r = await req(remote.requestTx({ hash: h }));
        eq(r.hash, h, 'hash');
        eq(r.TransactionType, 'Payment', 'TransactionType');
        eq(r.Account, G.address, 'Account');
        eq(r.Destination, I.address, 'Destination');
        eq(r.Amount, '5000000000', 'Amount');
        eq(r.Fee, '10000', 'Fee');
        eq(r.Sequence, gSeq, 'Sequence');
        eq(r.SigningPubKey, GENESIS_PUBKEY, 'SigningPubKey');
        eq(r.Memos && r.Memos[0].Memo.MemoData, memoHex('jtchain e2e'), 'Memos[0].Memo.MemoData');
        eq(r.validated, true, 'validated');
        eq(r.ledger_index, payEvent.ledger_index, 'ledger_index vs the transactions event');
        check(isUint(r.date), `date ${show(r.date)}`);
        eq(r.meta && r.meta.TransactionResult, 'tesSUCCESS', 'meta.TransactionResult');
        check(isUint(r.meta.TransactionIndex), `meta.TransactionIndex ${show(r.meta.TransactionIndex)}`);
        const full = await req(remote.requestLedger({ ledger_index: r.ledger_index, transactions: true }), 'ledger with transactions');
        check(Array.isArray(full.transactions) && full.transactions.includes(h), `ledger ${r.ledger_index} transactions ${show(full.transactions)} lack ${h}`);
        eq(full.ledger_hash, payEvent.ledger_hash, 'ledger_hash of the ledger holding the tx');
        return { ledger_index: r.ledger_index, date: r.date };
    });

    await step('account_info_funded', async () => {
        const r = await req(remote.requestAccountInfo({ account: I.address }));
        eq(r.account_data.Balance, '5000000000', 'Balance of the new account');
        eq(r.account_data.Sequence, 1, 'Sequence of the new account');
        const g = await req(remote.requestAccountInfo({ account: G.address }), 'account_info genesis');
        eq(g.account_data.Sequence, gSeq + 1, 'genesis Sequence after one payment');
        gSeq = g.account_data.Sequence;
        return { Balance: r.account_data.Balance };
    });

    // jingtum-lib's default mode: it sends secret + tx_json and the node
    // fills in Sequence and signs. Two payments back to back: the node must
    // fill in Sequence from its open ledger, as rippled does, not from the
    // validated one. jingtum-lib sends memos as lower-case hex.
    let serverRemote = null;
    if (JT) {
        await step('payment_server_sign', async () => {
            serverRemote = newRemote(false);
            await connect(serverRemote);
            check(serverRemote.isConnected(), 'second remote not connected');
            const dests = [A, B];
            const txs = dests.map(d => serverRemote.buildPaymentTx({ account: G.address, to: d.address, amount: swt(serverRemote, 5000) }));
            txs[0].addMemo('server signed');
            const subs = await Promise.all(txs.map((tx, i) => submitTx(tx, G.secret, `submit ${i + 1} (secret + tx_json)`)));
            for (const [i, r] of subs.entries()) {
                check(!txs[i].tx_json.blob, 'the library signed locally; it should have sent the secret');
                eq(r.engine_result, 'tesSUCCESS', `engine_result of payment ${i + 1}`);
                check(r.tx_json && isHash(r.tx_json.hash), `tx_json.hash in ${show(r)}`);
                eq(r.tx_json.SigningPubKey, GENESIS_PUBKEY, 'SigningPubKey the node signed with');
                check(typeof r.tx_json.TxnSignature === 'string' && r.tx_json.TxnSignature.length > 0, 'TxnSignature');
                eq(r.tx_json.Sequence, gSeq + i, `Sequence the node filled in for payment ${i + 1}`);
                eq(r.tx_json.Fee, '10000', 'Fee');
                eq(r.tx_json.Amount, '5000000000', 'Amount');
                eq(r.tx_json.Destination, dests[i].address, 'Destination');
                check(typeof r.tx_blob === 'string' && /^[0-9A-Fa-f]+$/.test(r.tx_blob), `tx_blob ${show(r.tx_blob)}`);
                eq(r.tx_json.hash, txHash(r.tx_blob), 'hash vs SHA512Half(TXN ‖ tx_blob)');
            }
            eq(subs[0].tx_json.Memos && subs[0].tx_json.Memos[0].Memo.MemoData, memoHex('server signed'), 'MemoData');
            known.fundA = subs[0].tx_json.hash;
            const vs = await Promise.all(subs.map(r => waitValidated(remote, r.tx_json.hash, 'server-signed payment')));
            gSeq += dests.length;
            return { hashes: subs.map(r => r.tx_json.hash), sequences: subs.map(r => r.tx_json.Sequence), validated_in: vs.map(v => v.ledger_index) };
        });
    } else {
        skip('payment_server_sign', 'swtc-lib always signs locally');
    }

    // Several payments from one account in one go: explicit Sequence.
    await step('payments_explicit_sequence', async () => {
        const g = await req(remote.requestAccountInfo({ account: G.address }), 'account_info genesis');
        eq(g.account_data.Sequence, gSeq, 'genesis Sequence');
        const dests = JT ? [M, I] : [A, B, M, E];
        const subs = await Promise.all(dests.map((d, i) => {
            const tx = remote.buildPaymentTx({ account: G.address, to: d.address, amount: swt(remote, 5000) });
            tx.setSequence(gSeq + i);
            return submitTx(tx, G.secret, `submit Sequence ${gSeq + i}`);
        }));
        subs.forEach((r, i) => {
            eq(r.engine_result, 'tesSUCCESS', `engine_result of the payment with Sequence ${gSeq + i}`);
            eq(r.tx_json.Sequence, gSeq + i, 'tx_json.Sequence');
        });
        const vs = await Promise.all(subs.map(r => waitValidated(remote, r.tx_json.hash, 'payment')));
        dests.forEach((d, i) => {
            if (d === A) known.fundA = subs[i].tx_json.hash;
        });
        gSeq += dests.length;
        return { count: dests.length, ledgers: [...new Set(vs.map(v => v.ledger_index))] };
    });

    const cny = v => ({ value: String(v), currency: CNY, issuer: I.address });

    await step('trust_set', async () => {
        // jingtum-lib: B's TrustSet is signed by the node (an IOU in tx_json).
        const subs = await Promise.all([A, B].map(w => {
            const rm = w === B && serverRemote ? serverRemote : remote;
            const tx = rm.buildRelationTx({ type: 'trust', account: w.address, limit: cny(10000) });
            return submitTx(tx, w.secret, 'submit TrustSet');
        }));
        for (const r of subs) {
            eq(r.engine_result, 'tesSUCCESS', 'engine_result');
            eq(r.tx_json.TransactionType, 'TrustSet', 'TransactionType');
            eq(r.tx_json.LimitAmount, cny(10000), 'LimitAmount');
        }
        await Promise.all(subs.map(r => waitValidated(remote, r.tx_json.hash, 'TrustSet')));
        known.trustA = subs[0].tx_json.hash;
        return { hashes: subs.map(r => r.tx_json.hash), server_signed_B: !!serverRemote };
    });

    await step('usercoin_issue', async () => {
        const tx = remote.buildPaymentTx({ account: I.address, to: A.address, amount: cny(500) });
        const r = await submitTx(tx, I.secret, 'submit issuer → holder');
        eq(r.engine_result, 'tesSUCCESS', 'engine_result');
        eq(r.tx_json.Amount, cny(500), 'tx_json.Amount');
        await waitValidated(remote, r.tx_json.hash, 'issue');
        known.issueA = r.tx_json.hash;
        return { hash: r.tx_json.hash };
    });

    await step('usercoin_transfer', async () => {
        const tx = remote.buildPaymentTx({ account: A.address, to: B.address, amount: cny(120) });
        const r = await submitTx(tx, A.secret, 'submit holder → holder');
        eq(r.engine_result, 'tesSUCCESS', 'engine_result');
        await waitValidated(remote, r.tx_json.hash, 'holder → holder');
        known.transferAB = r.tx_json.hash;
        const t = await req(remote.requestTx({ hash: r.tx_json.hash }), 'tx');
        eq(t.meta.delivered_amount, cny(120), 'meta.delivered_amount');
        return { hash: r.tx_json.hash };
    });

    await step('account_lines', async () => {
        const line = (r, peer) => {
            check(Array.isArray(r.lines), `no lines in ${show(r)}`);
            const ls = r.lines.filter(l => l.account === peer && l.currency === CNY);
            check(ls.length === 1, `want one CNY line with ${peer} in ${show(r.lines)}`);
            return ls[0];
        };
        const want = [
            [A, I, '380', '10000', '0'],
            [B, I, '120', '10000', '0'],
            [I, A, '-380', '0', '10000'],
            [I, B, '-120', '0', '10000'],
        ];
        const out = {};
        for (const [w, peer, balance, limit, limitPeer] of want) {
            const r = await req(remote.requestAccountRelations({ type: 'trust', account: w.address }), 'account_lines');
            eq(r.account, w.address, 'account');
            const l = line(r, peer.address);
            eq(l.balance, balance, `balance of ${w.address} with ${peer.address}`);
            eq(l.limit, limit, `limit of ${w.address} with ${peer.address}`);
            eq(l.limit_peer, limitPeer, `limit_peer of ${w.address} with ${peer.address}`);
            if (w === I) eq(r.lines.length, 2, `issuer line count (${show(r.lines)})`);
            out[w.address + '/' + peer.address] = l.balance;
        }
        return out;
    });

    if (JT) {
        await step('account_stub_events', async () => {
            const want = [known.fundA, known.trustA, known.issueA, known.transferAB];
            await waitFor(() => want.every(h => stubA.has(h)), `Account stub events for ${A.address}`);
            const by = h => stubA.get(h);
            eq(by(known.fundA).type, 'received', 'type of the funding payment');
            eq(by(known.trustA).type, 'trusting', 'type of the TrustSet');
            eq(by(known.issueA).amount, cny(500), 'amount of the issue');
            eq(by(known.transferAB).type, 'sent', 'type of the transfer');
            eq(by(known.transferAB).amount, cny(120), 'amount of the transfer');
            for (const h of want) eq(by(h).result, 'tesSUCCESS', `result of ${h}`);
            return { events: stubA.size };
        });
    } else {
        skip('account_stub_events', "swtc-lib 2.0.9's Account stub looks callbacks up by accounts[account] in a for…of loop, so they never fire");
    }

    await step('account_tx_paging', async () => {
        const want = [known.fundA, known.trustA, known.issueA, known.transferAB];
        const pages = [];
        let marker;
        for (let i = 0; i < 10; i++) {
            const o = { account: A.address, limit: 2 };
            if (marker) o.marker = marker;
            const r = await req(remote.requestAccountTx(o), `account_tx page ${i + 1}`);
            eq(r.account, A.address, 'account');
            check(Array.isArray(r.transactions) && r.transactions.length <= 2, `page ${i + 1}: ${show(r.transactions)}`);
            pages.push(r.transactions);
            if (!r.marker) break;
            check(typeof r.marker === 'object' && isUint(r.marker.ledger) && isUint(r.marker.seq), `marker ${show(r.marker)}`);
            marker = r.marker;
        }
        eq(pages[0].length, 2, 'first page length (limit 2)');
        check(pages.length >= 2 && pages[1].length >= 1, `the second page is empty or missing: ${pages.length} page(s), no marker after page 1?`);
        const all = [].concat(...pages);
        const hashes = all.map(t => t.hash);
        const dup = hashes.filter((h, i) => hashes.indexOf(h) !== i);
        check(dup.length === 0, `duplicates across pages: ${show(dup)}`);
        eq(hashes.slice().sort(), want.slice().sort(), 'hashes over all pages');
        for (let i = 1; i < all.length; i++) {
            check(all[i - 1].ledger_index >= all[i].ledger_index, `not newest first: ${show(all.map(t => t.ledger_index))}`);
        }
        const by = h => all.find(t => t.hash === h);
        for (const t of all) eq(t.result, 'tesSUCCESS', `result of ${t.hash}`);
        eq(by(known.fundA).type, 'received', 'type of the funding payment');
        eq(by(known.fundA).amount, { value: '5000', currency: 'SWT', issuer: '' }, 'amount of the funding payment');
        eq(by(known.trustA).type, 'trusting', 'type of the TrustSet');
        eq(by(known.issueA).type, 'received', 'type of the issue');
        eq(by(known.issueA).amount, cny(500), 'amount of the issue');
        eq(by(known.transferAB).type, 'sent', 'type of the transfer');
        eq(by(known.transferAB).counterparty, B.address, 'counterparty of the transfer');
        eq(by(known.transferAB).amount, cny(120), 'amount of the transfer');
        // Oldest first, one page: the funding payment.
        const fwd = await req(remote.requestAccountTx({ account: A.address, limit: 1, forward: true }), 'account_tx forward');
        eq(fwd.transactions.map(t => t.hash), [known.fundA], 'forward:true first page');
        return { pages: pages.map(p => p.length) };
    });

    await step('error_account_not_found', async () => {
        const e = await reqError(remote.requestAccountInfo({ account: U.address }), 'account_info of an unfunded account');
        eq(e, 'Account not found.', 'error passed to the callback (error_message)');
        // The library's own Sequence lookup surfaces the same error.
        const tx = remote.buildPaymentTx({ account: U.address, to: G.address, amount: swt(remote, 1) });
        let err = null;
        try {
            await submitTx(tx, U.secret, 'submit from an unfunded account');
        } catch (x) {
            if (x instanceof CheckError) throw x;
            err = x;
        }
        check(err !== null && String(err).includes('Account not found.'), `payment from an unfunded account: ${show(err)}`);
        check(remote.isConnected(), 'disconnected by an error answer');
        return { error: e, submit_error: String(err) };
    });

    await step('error_tx_not_found', async () => {
        const e = await reqError(remote.requestTx({ hash: 'AB'.repeat(32) }), 'tx of an unknown hash');
        eq(e, 'Transaction not found.', 'error passed to the callback (error_message)');
        return { error: e };
    });

    // A transaction the engine refuses with a tec code still answers
    // status "success" (the client sees engine_result), claims the fee and
    // takes the Sequence.
    await step('payment_tec_result', async () => {
        const info = await req(remote.requestAccountInfo({ account: I.address }), 'account_info');
        const before = BigInt(info.account_data.Balance);
        const tx = remote.buildPaymentTx({ account: I.address, to: G.address, amount: swt(remote, 1000000) });
        const r = await submitTx(tx, I.secret, 'submit (more than the balance)');
        eq(r.engine_result, 'tecUNFUNDED_PAYMENT', 'engine_result');
        check(isUint(r.engine_result_code) && r.engine_result_code >= 100, `engine_result_code ${show(r.engine_result_code)}`);
        const v = await waitValidated(remote, r.tx_json.hash, 'unfunded payment', 'tecUNFUNDED_PAYMENT');
        const after = await req(remote.requestAccountInfo({ account: I.address }), 'account_info after');
        eq(BigInt(after.account_data.Balance), before - 10000n, 'Balance after (only the fee claimed)');
        eq(after.account_data.Sequence, info.account_data.Sequence + 1, 'Sequence after');
        return { engine_result: r.engine_result, validated_in: v.ledger_index };
    });

    await step('account_currencies', async () => {
        const r = await req(remote.requestAccountTums({ account: A.address }), 'account_currencies');
        eq(r.receive_currencies, [CNY], 'receive_currencies');
        eq(r.send_currencies, [CNY], 'send_currencies');
        eq(r.validated, true, 'validated');
        return r;
    });

    if (E) {
        await step('ed25519_payment', async () => {
            const tx = remote.buildPaymentTx({ account: E.address, to: G.address, amount: swt(remote, 1) });
            const r = await submitTx(tx, E.secret, 'submit (ed25519)');
            eq(r.engine_result, 'tesSUCCESS', 'engine_result');
            check(/^ED[0-9A-F]{64}$/.test(r.tx_json.SigningPubKey), `SigningPubKey ${show(r.tx_json.SigningPubKey)}`);
            await waitValidated(remote, r.tx_json.hash, 'ed25519 payment');
            return { hash: r.tx_json.hash };
        });
    } else {
        skip('ed25519_payment', 'jingtum-lib has no ed25519 keys');
    }

    await step('signer_list_set', async () => {
        const tx = remote.buildSignerListTx({
            account: M.address, threshold: 2,
            lists: [{ account: S1.address, weight: 1 }, { account: S2.address, weight: 1 }],
        });
        const r = await submitTx(tx, M.secret, 'submit SignerListSet');
        eq(r.engine_result, 'tesSUCCESS', 'engine_result');
        eq(r.tx_json.TransactionType, 'SignerListSet', 'TransactionType');
        eq(r.tx_json.SignerQuorum, 2, 'SignerQuorum');
        await waitValidated(remote, r.tx_json.hash, 'SignerListSet');
        const l = await req(remote.requestSignerList({ account: M.address }), 'account_objects (requestSignerList)');
        const sl = (l.account_objects || []).filter(o => o.LedgerEntryType === 'SignerList');
        check(sl.length === 1, `want one SignerList in ${show(l)}`);
        eq(sl[0].SignerQuorum, 2, 'SignerList.SignerQuorum');
        eq(sl[0].SignerEntries.map(e => e.SignerEntry.Account).sort(), [S1.address, S2.address].sort(), 'SignerList accounts');
        return { hash: r.tx_json.hash };
    });

    // multiSigned builds a multi-signed payment from M; signers sign in
    // descending AccountID order (the libraries append signers in signing
    // order; the node sorts them, as rippled requires them sorted).
    async function multiSigned(amountSWT, fee, wantDrops) {
        const info = await req(remote.requestAccountInfo({ account: M.address }), 'account_info');
        const seq = info.account_data.Sequence;
        const before = BigInt(info.account_data.Balance);
        const tx = remote.buildPaymentTx({ account: M.address, to: G.address, amount: swt(remote, amountSWT) });
        tx.setSequence(seq);
        tx.setFee(fee);
        const signers = [S1, S2].sort((x, y) => (accountID(x.address) < accountID(y.address) ? 1 : -1));
        for (const s of signers) tx.multiSigning({ account: s.address, secret: s.secret });
        tx.multiSigned();
        for (const k in tx.tx_json) check(!(tx.tx_json[k] instanceof Error), `library refused: ${k}: ${tx.tx_json[k] && tx.tx_json[k].message}`);
        const sent = { Fee: tx.tx_json.Fee, Amount: tx.tx_json.Amount };
        let r;
        try {
            r = await submitTx(tx, null, 'submit_multisigned');
        } catch (e) {
            if (e instanceof CheckError) throw e;
            throw new CheckError(`submit_multisigned of tx_json with Fee ${show(sent.Fee)}, Amount ${show(sent.Amount)} (signed: ${fee}, ${wantDrops}): ${show(e)}`);
        } finally {
            if (JT) remote._local_sign = true; // jingtum-lib turns local signing off for good on submit_multisigned
        }
        eq(r.engine_result, 'tesSUCCESS', 'engine_result');
        check(r.tx_json && isHash(r.tx_json.hash), `tx_json.hash in ${show(r)}`);
        eq(r.tx_json.Fee, String(fee), 'tx_json.Fee in the answer');
        eq(r.tx_json.Amount, wantDrops, 'tx_json.Amount in the answer');
        await waitValidated(remote, r.tx_json.hash, 'multi-signed payment');
        const t = await req(remote.requestTx({ hash: r.tx_json.hash }), 'tx');
        eq(t.SigningPubKey, '', 'SigningPubKey of a multi-signed tx');
        eq(t.Signers.map(x => x.Signer.Account), signers.map(x => x.address).reverse(), 'Signers (sorted by AccountID)');
        eq(t.Fee, String(fee), 'Fee');
        eq(t.Amount, wantDrops, 'Amount');
        const after = await req(remote.requestAccountInfo({ account: M.address }), 'account_info after');
        eq(after.account_data.Sequence, seq + 1, 'Sequence after');
        eq(BigInt(after.account_data.Balance), before - BigInt(wantDrops) - BigInt(fee), 'Balance after');
        return { hash: r.tx_json.hash, sent };
    }

    await step('multisign_payment', () => multiSigned('10', 30000, '10000000'));

    // jingtum-lib's server-side multi-signing: sign_for (first signer; the
    // node fills in Sequence), sign_for again with the returned tx_json (second
    // signer), then submit_multisigned with the result.
    if (JT) {
        await step('multisign_server_sign', async () => {
            const rm = serverRemote;
            const info = await req(rm.requestAccountInfo({ account: M.address }), 'account_info');
            const seq = info.account_data.Sequence;
            let tx = rm.buildPaymentTx({ account: M.address, to: G.address, amount: swt(rm, 10) });
            tx.setFee(30000);
            tx = rm.buildSignFirstTx({ tx, account: S1.address, secret: S1.secret });
            const r1 = await submitTx(tx, null, 'sign_for (first signer)');
            check(r1.tx_json && Array.isArray(r1.tx_json.Signers) && r1.tx_json.Signers.length === 1, `sign_for result ${show(r1)}`);
            eq(r1.tx_json.Sequence, seq, 'Sequence the node filled in');
            eq(r1.tx_json.SigningPubKey, '', 'SigningPubKey');
            const r2 = await submitTx(rm.buildSignOtherTx({ tx_json: r1.tx_json, account: S2.address, secret: S2.secret }), null, 'sign_for (second signer)');
            check(r2.tx_json && Array.isArray(r2.tx_json.Signers) && r2.tx_json.Signers.length === 2, `second sign_for result ${show(r2)}`);
            const ids = r2.tx_json.Signers.map(x => accountID(x.Signer.Account));
            check(ids[0] < ids[1], `Signers not sorted by AccountID: ${show(r2.tx_json.Signers.map(x => x.Signer.Account))}`);
            const r = await submitTx(rm.buildMultisignedTx(r2.tx_json), null, 'submit_multisigned');
            eq(r.engine_result, 'tesSUCCESS', 'engine_result');
            eq(r.tx_json.hash, txHash(r.tx_blob), 'hash vs SHA512Half(TXN ‖ tx_blob)');
            await waitValidated(remote, r.tx_json.hash, 'server-multi-signed payment');
            const after = await req(remote.requestAccountInfo({ account: M.address }), 'account_info after');
            eq(after.account_data.Sequence, seq + 1, 'Sequence after');
            return { hash: r.tx_json.hash };
        });
    } else {
        skip('multisign_server_sign', 'swtc-lib has no server-side signing (its sign_for path signs locally)');
    }

    // The node restarts under the clients (the test driver does it when asked
    // on stdout): the library notices, reconnects by itself (every 3 s),
    // subscribes again, and finds the chain where it was.
    if (opts.restart) {
        await step('reconnect', async () => {
            const lastLedger = Math.max(...seen.ledgers.keys());
            const g = await req(remote.requestAccountInfo({ account: G.address }), 'account_info before');
            let disconnected = false, reconnected = false;
            remote.once('disconnect', () => { disconnected = true; bus.emit('change'); });
            remote.once('reconnect', () => { reconnected = true; bus.emit('change'); });
            const restarted = control('restart', 40000);
            await waitFor(() => disconnected, "the library's disconnect event", 30000);
            check(!remote.isConnected(), 'isConnected() true after the node went away');
            await restarted;
            await waitFor(() => reconnected, "the library's reconnect event", 15000);
            check(remote.isConnected(), 'isConnected() false after reconnect');
            const m = await waitFor(() => {
                for (const [i, m] of seen.ledgers) if (i > lastLedger) return m;
                return null;
            }, `a ledger_closed event after the restart (last before: ${lastLedger})`);
            const after = await req(remote.requestAccountInfo({ account: G.address }), 'account_info after');
            eq(after.account_data.Sequence, g.account_data.Sequence, 'genesis Sequence across the restart');
            eq(after.account_data.Balance, g.account_data.Balance, 'genesis Balance across the restart');
            const t = await req(remote.requestTx({ hash: known.transferAB }), 'tx from before the restart');
            eq(t.validated, true, 'validated');
            return { last_ledger_before: lastLedger, first_ledger_event_after: m.ledger_index };
        });
    } else {
        skip('reconnect', 'run without --restart');
    }

    // Values for which swtc-lib's drops → SWT → drops float round trip adds
    // noise (jscompat README, multi-signing): it sends "Fee":
    // 31253.999999999996 (a number) and "Amount": "16000001.999999998" (a
    // string), while the signatures cover 31254 and 16000002. The node must
    // round both to whole drops. jingtum-lib sends the integers.
    await step('multisign_fee_noise', () => multiSigned('10', 31254, '10000000'));
    await step('multisign_amount_noise', () => multiSigned('16.000002', 30000, '16000002'));

    // Every transaction the suite submitted came by on the transactions
    // stream, validated (waitValidated may have fallen back to tx lookups).
    await step('transactions_stream_complete', async () => {
        const missing = submitted.filter(h => !(seen.txs.get(h) && seen.txs.get(h).validated));
        check(missing.length === 0, `${missing.length} of ${submitted.length} validated transactions never came on the transactions stream: ${show(missing)}`);
        check(remote.isConnected(), 'no longer connected');
        return { submitted: submitted.length, tx_events: seen.txs.size, ledger_events: seen.ledgers.size };
    });

    await step('disconnect', async () => {
        remote.disconnect();
        check(remote.isConnected() === false, 'isConnected() after disconnect');
        if (serverRemote) serverRemote.disconnect();
        return null;
    });
}

main().then(() => process.exit(0), e => fail(currentStep || 'main', Date.now(), e));
