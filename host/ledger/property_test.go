package ledger

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"flag"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/shamap"
)

// Property tests over random transaction sequences.
//
// A seeded generator drives a small chain: genesis funds a pool of accounts
// (three gateways issuing 3- to 6-letter and 40-hex currencies, five holders,
// secp256k1 and ed25519 keys), which then send SWT and usercoins, set trust
// lines, flags, regular keys, signer lists and relations, sign with master
// keys, regular keys and multi-signatures, submit deliberately bad
// transactions and replay earlier ones byte for byte. Beside them, four
// genesis validators and three candidates apply, approve and remove each
// other, and the node commits Evidence pseudo-transactions against them
// (new, repeated, malformed, and submitted through the client path). A
// ledger closes every 1 to 20 transactions.
//
// After every transaction the test checks:
//
//   - SWT is conserved: the balances plus the fees destroyed are the genesis
//     supply, and each balance moved exactly as the transaction explains.
//   - Usercoins move exactly as the payment explains: every trust line
//     balance equals a model that only payments change (the sender pays the
//     delivered amount times the transfer rate, capped by SendMax and what
//     it can spend); what each issuer owes moves by +delivered (issuing),
//     -paid (redeeming) or delivered-cost (through the issuer: the transfer
//     fee), in exact rational arithmetic; and each currency's obligations
//     sum to zero. A step where the ledger's 16-digit Value arithmetic
//     rounded a balance is counted and skips only the exact obligation check.
//   - A tem/tef/tel/ter result changes nothing; a tec result takes the fee
//     and the sequence and nothing else.
//   - No transaction id applies twice; replays get tefALREADY or tefPAST_SEQ.
//   - Owner counts equal the objects that need a reserve, owner directories
//     list exactly the owned entries, and a reserve-needing object is created
//     exactly when the balance before the fee covers the new reserve (an
//     account's first two trust lines need none, as in rippled and skywelld).
//   - Metadata replayed on the pre-state gives the post-state.
//   - A validator vote schedules its change exactly when the approvals of
//     members of the set in force, its own included, reach
//     Q = n − ⌊(n−1)/3⌋, with EffectiveLedger two ledgers on, and then
//     deletes the application or removal; otherwise it records exactly
//     those approvals. Only a successful vote changes the ValidatorSet.
//     Applications and removals are owned, sit at their keys, and never
//     name an account that is (or is scheduled to become) a member, or,
//     for removals, one that is not a member; the set with every
//     scheduled change has 1 to 31 members.
//   - Evidence applies only through ApplyPseudo and touches no account;
//     each ValidatorEvidence entry sits at the key of its data, and the
//     evidence directory lists exactly those entries, oldest first.
//
// At every close: the header's TotalCoins is the sum of the balances in its
// state, the ledger is rebuilt bit for bit by replaying only its applied
// transactions on the parent, the state and transaction roots do not depend
// on insertion order, and two transactions over disjoint accounts give the
// same state in either order. The validators of the next two heights are
// the same whether computed from the new ledger or from its parent: what a
// ledger decides takes effect two ledgers later, never sooner.
//
// A run of the default length must also reach every item of propCoverage,
// so a generator or TX-layer change that silently stops exercising a path
// fails instead of passing vacuously.
//
// Reproduce a failure with the seed it prints (the failure message gives the
// whole command):
//
//	go test ./host/ledger -run TestPropertyRandomTransactionSequences -seed N [-property.steps M]

var propSteps = flag.Int("property.steps", 1000, "transactions in one run of TestPropertyRandomTransactionSequences")

var (
	propGateways = []string{"gw-a", "ed-gw-b", "gw-c"}
	propHolders  = []string{"alice", "ed-bob", "carol", "ed-dave", "erin"}
	// Signers that never get an account: a signer list may name them.
	propOutsideSigners = []string{"signer-x", "ed-signer-y"}
	propIssues         = map[string][]string{
		"gw-a":    {"USD", "JJCC"},
		"ed-gw-b": {"CNY", "0158415500000000C1F76FF6ECB0BAC600000000"},
		"gw-c":    {"JSLASH", "USD"},
	}
	propCurrencies = []string{"USD", "JJCC", "CNY", "JSLASH", "0158415500000000C1F76FF6ECB0BAC600000000"}
	// AccountOne, the issuer of every trust line's Balance.
	propAccountOne = codec.AccountID{19: 1}

	// The genesis validators and the candidates who apply to join them;
	// outside p.names, so the other generators leave them alone.
	propValidators = []string{"val-1", "ed-val-2", "val-3", "ed-val-4"}
	propCandidates = []string{"cand-1", "ed-cand-2", "cand-3"}
	// propValidatorState stands for the entries every validator transaction
	// may read or write (the ValidatorSet, others' applications), so that
	// propAccounts never calls two of them independent.
	propValidatorState = codec.AccountID{0: 'v', 19: 'v'}
)

func propRegularKeys(name string) []string { return []string{"rk-" + name, "ed-rk-" + name} }

func TestPropertyRandomTransactionSequences(t *testing.T) {
	seed := testSeed(t)
	p := newPropRun(t, seed)
	for p.step = 1; p.step <= *propSteps; p.step++ {
		p.run(p.generate())
	}
	p.step--
	p.closeLedger()
	p.report()
	p.checkCoverage()
}

// Owner directories hold 32 entries a page. Here one gateway takes on and
// drops relations at random until its directory spans several pages, so
// appending pages, unlinking emptied middle and last pages and keeping an
// emptied root that still links on are all checked by the same properties.
func TestPropertyOwnerDirectoriesSpanPages(t *testing.T) {
	seed := testSeed(t)
	p := newPropRun(t, seed)
	for _, n := range p.names[1:] {
		p.step++
		p.run(&propTx{tx: p.e.tx("genesis", pay(p.addr(n), "2000000000")), kind: "fund", what: "2000 SWT to " + n})
	}
	for i := 0; i < *propSteps/2; i++ {
		p.step++
		p.run(p.genRelationChurn("gw-a"))
	}
	p.closeLedger()
	p.report()
	if *propSteps >= 1000 && (p.maxPages < 3 || p.events["deleted DirectoryNode"] == 0 || p.events["empty directory root kept"] == 0) {
		t.Errorf("seed %d: the largest owner directory had %d pages, %d pages were unlinked, an empty root was kept %d times; the test needs all three",
			seed, p.maxPages, p.events["deleted DirectoryNode"], p.events["empty directory root kept"])
	}
}

// propTx is one generated transaction.
type propTx struct {
	tx   *Tx
	kind string // generator that made it, for the coverage report
	how  string // how it was signed
	what string // human description, for failure messages
	// want, when set, lists the only acceptable results (deliberately bad
	// transactions and replays).
	want []ter.Code
	path propPath
}

// propPath is how a transaction reaches the open ledger.
type propPath int

const (
	propClient propPath = iota // signatures verified, then OpenLedger.Apply
	propPseudo                 // OpenLedger.ApplyPseudo, as the node does for a block's evidence
	propRaw                    // OpenLedger.Apply without verifying: a pseudo-transaction a client sent
)

type propSubmitted struct {
	tx     *Tx
	ledger uint32 // the open ledger it was submitted to
	path   propPath
}

type propIssue struct {
	account  codec.AccountID
	currency codec.Currency
}

// propSummary aggregates the state the properties compare before and after
// each transaction.
type propSummary struct {
	balances map[codec.AccountID]int64
	owners   map[codec.AccountID]uint32
	total    int64
	// owed is what others hold, net, of each account's IOUs in a currency.
	owed map[propIssue]*big.Rat
}

type propRun struct {
	t    *testing.T
	seed int64
	r    *rand.Rand
	e    *env
	step int
	what string // the transaction being checked

	names  []string // genesis, gateways, holders
	nameOf map[codec.AccountID]string

	// mirror is every state entry, maintained only from Outcome.Changes and
	// compared with the closed ledger's state tree at every close.
	mirror map[codec.Hash256]*codec.STObject
	sum    propSummary
	// lines models each trust line's balance (low side's view). Only
	// payments change it.
	lines map[codec.Hash256]codec.Value
	burnt uint64

	applied       map[codec.Hash256]uint32 // tx id -> ledger it applied in
	history       []propSubmitted
	ledgerTxs     []*Tx // applied to the open ledger, in order
	ledgerResults []ter.Code
	closeAt       int

	stats                  map[string]map[ter.Code]int
	events                 map[string]int // what the run exercised, for the coverage check
	closes, rounded        int
	maxPages               int // most pages any owner directory had
	maxEvidencePages       int
	commuted, commutedRand int
}

func newPropRun(t *testing.T, seed int64) *propRun {
	e := newEnvWith(t, func(e *env, g *GenesisConfig) {
		for _, v := range propValidators {
			g.Validators = append(g.Validators, GenesisValidator{NodePublicKey: e.key(v).PublicKey(), VRFPublicKey: e.vrfKey(v)})
		}
	})
	p := &propRun{
		t:       t,
		seed:    seed,
		r:       rand.New(rand.NewPCG(uint64(seed), 0x6a74636861696e)),
		e:       e,
		nameOf:  map[codec.AccountID]string{},
		mirror:  map[codec.Hash256]*codec.STObject{},
		lines:   map[codec.Hash256]codec.Value{},
		applied: map[codec.Hash256]uint32{},
		stats:   map[string]map[ter.Code]int{},
		events:  map[string]int{},
	}
	p.names = append(append([]string{"genesis"}, propGateways...), propHolders...)
	for _, n := range p.names {
		p.nameOf[e.id(n)] = n
		for _, k := range propRegularKeys(n) {
			p.nameOf[e.id(k)] = k
		}
	}
	for _, n := range slices.Concat(propOutsideSigners, propValidators, propCandidates, []string{"mallory", "nobody"}) {
		p.nameOf[e.id(n)] = n
	}
	for k, data := range e.closed.State().All() {
		o, err := codec.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		p.mirror[k] = o
	}
	p.sum = p.summarize()
	p.closeAt = 1 + p.r.IntN(20)
	return p
}

func (p *propRun) fail(format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("seed %d, step %d, ledger %d, tx %q:\n%s\nreproduce: go test ./host/ledger -run '^%s$' -seed %d -property.steps %d",
		p.seed, p.step, p.e.open.Seq(), p.what, fmt.Sprintf(format, args...), p.t.Name(), p.seed, *propSteps)
}

// run applies and checks one transaction, closing the ledger when it is due.
func (p *propRun) run(g *propTx) {
	p.what = g.what
	pre := p.observe()
	var out Outcome
	switch g.path {
	case propPseudo:
		out = p.e.open.ApplyPseudo(g.tx)
	case propRaw:
		out = p.e.open.Apply(g.tx)
	default:
		out = p.e.apply(g.tx)
	}
	if p.stats[g.kind] == nil {
		p.stats[g.kind] = map[ter.Code]int{}
	}
	p.stats[g.kind][out.Result]++
	if strings.HasPrefix(g.kind, "replay-") {
		p.events[g.kind+" "+out.Result.Token()]++
	}
	p.checkResult(g, pre, out)
	if out.Applied {
		p.checkApplied(g.tx, pre, out)
		p.countEvents(g, out)
	}
	p.history = append(p.history, propSubmitted{tx: g.tx, ledger: p.e.open.Seq(), path: g.path})
	if p.step >= p.closeAt {
		p.closeLedger()
		p.closeAt = p.step + 1 + p.r.IntN(20)
	}
}

// ---- generator ----

func (p *propRun) chance(pct int) bool     { return p.r.IntN(100) < pct }
func (p *propRun) pick(xs []string) string { return xs[p.r.IntN(len(xs))] }
func (p *propRun) addr(name string) string { return p.e.addr(name) }

func (p *propRun) root(name string) *codec.STObject {
	return p.e.open.Read(AccountKeylet(p.e.id(name)))
}

func (p *propRun) balanceOf(name string) int64 {
	if r := p.root(name); r != nil {
		b, _ := r.Amount(sf.Balance)
		return b.Drops()
	}
	return 0
}

func (p *propRun) currency(s string) codec.Currency {
	c, err := codec.ParseCurrency(s)
	if err != nil {
		p.fail("currency %q: %v", s, err)
	}
	return c
}

// existing lists the pool accounts that exist, except those in skip.
func (p *propRun) existing(skip ...string) []string {
	var out []string
	for _, n := range p.names {
		if !slices.Contains(skip, n) && p.root(n) != nil {
			out = append(out, n)
		}
	}
	return out
}

func (p *propRun) existingGateways() []string {
	var out []string
	for _, g := range propGateways {
		if p.root(g) != nil {
			out = append(out, g)
		}
	}
	return out
}

// pickSender is an existing account, rarely genesis.
func (p *propRun) pickSender() string {
	if xs := p.existing("genesis"); len(xs) > 0 && !p.chance(8) {
		return p.pick(xs)
	}
	return "genesis"
}

func (p *propRun) heldBy(holder, issuer string, cur codec.Currency) (codec.Value, bool) {
	line := p.e.open.Read(TrustLineKeylet(p.e.id(holder), p.e.id(issuer), cur))
	if line == nil {
		return codec.ZeroValue, false
	}
	return lineBalance(line, sideOf(p.e.id(holder), p.e.id(issuer))), true
}

// goodKey names a key that may single-sign for name: its master key unless
// disabled, else its regular key; "" when only a multi-signature can.
func (p *propRun) goodKey(name string) string {
	root := p.root(name)
	if root == nil || root.UInt32(sf.Flags)&LsfDisableMaster == 0 {
		return name
	}
	if k, ok := root.LookupAccount(sf.RegularKey); ok {
		return p.nameOf[k]
	}
	return ""
}

// sign builds src's transaction, usually with a key the account accepts:
// master, regular key, or a multi-signature from its signer list.
func (p *propRun) sign(src string, fields map[string]any) (*Tx, string) {
	root := p.root(src)
	var list *codec.STObject
	if root != nil {
		list = p.e.open.Read(SignerListKeylet(p.e.id(src)))
	}
	key := p.goodKey(src)
	switch {
	case list != nil && (key == "" || p.chance(15)):
		return p.multiSigned(src, fields, list), "multi-signed"
	case root != nil && p.chance(2):
		return p.e.tx(src, fields, "mallory"), "signed by an unknown key"
	case key == "":
		return p.e.tx(src, fields), "master key (disabled, no way to sign)"
	}
	if root != nil && key == src && p.chance(35) {
		if k, ok := root.LookupAccount(sf.RegularKey); ok {
			key = p.nameOf[k]
		}
	}
	if key == src {
		return p.e.tx(src, fields), "master key"
	}
	return p.e.tx(src, fields, key), "regular key " + key
}

// multiSigned signs with signers from list: normally just enough for the
// quorum, sometimes too few, all of them, a wrong key or an outsider.
func (p *propRun) multiSigned(src string, fields map[string]any, list *codec.STObject) *Tx {
	entries := list.Array(sf.SignerEntries)
	quorum := list.UInt32(sf.SignerQuorum)
	all := p.chance(10)
	short := !all && p.chance(10)
	var signers []string
	var weight uint32
	for _, i := range p.r.Perm(len(entries)) {
		e := entries[i].Object
		w := uint32(e.UInt16(sf.SignerWeight))
		if !all && (weight >= quorum || short && weight+w >= quorum && len(signers) > 0) {
			break
		}
		signers = append(signers, p.nameOf[e.Account(sf.Account)])
		weight += w
	}
	keyOf := map[string]string{}
	for _, s := range signers {
		if k := p.goodKey(s); k != "" && k != s {
			keyOf[s] = k
		}
	}
	if p.chance(4) {
		keyOf[signers[0]] = "mallory"
	}
	if p.chance(4) {
		signers = append(signers, "mallory") // not on the list
	}
	f := merge(fields, nil)
	if _, ok := f["Fee"]; !ok {
		f["Fee"] = fmt.Sprint(10 * (1 + len(signers)))
	}
	return p.e.multiSign(src, f, signers, keyOf)
}

func (p *propRun) signed(kind, src string, fields map[string]any, format string, args ...any) *propTx {
	if p.chance(3) {
		fields = merge(fields, map[string]any{"Memos": propMemo(1 + p.r.IntN(200))})
	}
	tx, how := p.sign(src, fields)
	return &propTx{tx: tx, kind: kind, how: how, what: fmt.Sprintf("%s %s: %s (%s)", kind, src, fmt.Sprintf(format, args...), how)}
}

func (p *propRun) generate() *propTx {
	unfunded := len(p.names) - len(p.existing())
	if len(p.existing("genesis")) == 0 {
		return p.genFund()
	}
	actions := []struct {
		weight int
		gen    func() *propTx
	}{
		{3 + 8*unfunded, p.genFund},
		{14, p.genPaySWT},
		{24, p.genPayIOU},
		{14, p.genTrustSet},
		{6, p.genAccountSet},
		{3, p.genSetRegularKey},
		{3, p.genSignerListSet},
		{4, p.genRelation},
		{8, p.genBad},
		{6, p.genReplay},
		{8, p.genValidator},
		{3, p.genEvidence},
	}
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	n := p.r.IntN(total)
	for _, a := range actions {
		if n < a.weight {
			return a.gen()
		}
		n -= a.weight
	}
	panic("unreachable")
}

func (p *propRun) maybeTag(f map[string]any, dst string) {
	requires := false
	if r := p.root(dst); r != nil {
		requires = r.UInt32(sf.Flags)&LsfRequireDestTag != 0
	}
	if requires && p.chance(75) || p.chance(8) {
		f["DestinationTag"] = p.r.Uint32N(1000)
	}
}

func (p *propRun) maybeLastLedger(f map[string]any) {
	if p.chance(5) {
		f["LastLedgerSequence"] = p.e.open.Seq() + p.r.Uint32N(3)
	}
}

func (p *propRun) genFund() *propTx {
	dst := p.pick(p.names[1:])
	drops := (20 + p.r.Int64N(400)) * 1_000_000
	if p.chance(15) {
		drops = int64(p.e.open.Fees().Reserve) - 1 + p.r.Int64N(3) // around the account-creation minimum
	}
	f := pay(p.addr(dst), fmt.Sprint(drops))
	p.maybeTag(f, dst)
	return p.signed("fund", "genesis", f, "%d drops to %s", drops, dst)
}

func (p *propRun) genPaySWT() *propTx {
	src := p.pickSender()
	if src == "genesis" {
		return p.genFund() // keep genesis able to fund accounts
	}
	dst := p.pick(p.names[1:]) // may not exist yet
	if others := p.existing(src); len(others) > 0 && p.chance(85) {
		dst = p.pick(others)
	}
	if dst == src {
		return p.genFund()
	}
	fees := p.e.open.Fees()
	bal := p.balanceOf(src)
	reserve := fees.AccountReserve(p.root(src).UInt32(sf.OwnerCount))
	var amt int64
	switch p.r.IntN(6) {
	case 0:
		amt = bal - reserve - 1 + p.r.Int64N(3) // the most it may send, +-1
	case 1:
		amt = bal + p.r.Int64N(1000) // over-spend
	case 2:
		amt = int64(fees.Reserve) - 1 + p.r.Int64N(3) // account-creation minimum, +-1
	case 3:
		amt = 1 + p.r.Int64N(max(bal/2, 1))
	default:
		amt = 1 + p.r.Int64N(20_000_000)
	}
	amt = max(amt, 1)
	f := pay(p.addr(dst), fmt.Sprint(amt))
	p.maybeTag(f, dst)
	if p.chance(3) {
		f["Fee"] = p.pick([]string{"12", "1000000"})
	}
	p.maybeLastLedger(f)
	return p.signed("pay-swt", src, f, "%d drops to %s", amt, dst)
}

// lineList is every trust line, in key order so the generator stays
// deterministic.
func (p *propRun) lineList() []*codec.STObject {
	var out []*codec.STObject
	for _, k := range p.sortedKeys() {
		if o := p.mirror[k]; codec.EntryType(o.UInt16(sf.LedgerEntryType)) == codec.EntrySkywellState {
			out = append(out, o)
		}
	}
	return out
}

// iouValue is a usercoin amount: mostly two decimals so sums stay exact,
// sometimes everything src holds, a whole number or a tiny amount.
func (p *propRun) iouValue(held codec.Value) string {
	switch p.r.IntN(8) {
	case 0:
		if held.Sign() > 0 {
			return held.String()
		}
	case 1:
		return fmt.Sprint(1 + p.r.IntN(100_000))
	case 2:
		return fmt.Sprintf("%de-%d", 1+p.r.IntN(999), 3+p.r.IntN(4))
	}
	return fmt.Sprintf("%d.%02d", p.r.IntN(300), 1+p.r.IntN(99))
}

func (p *propRun) genPayIOU() *propTx {
	issuer := p.pickSender()
	if gws := p.existingGateways(); len(gws) > 0 && p.chance(85) {
		issuer = p.pick(gws)
	}
	curs := propCurrencies
	if is, ok := propIssues[issuer]; ok && p.chance(90) {
		curs = is
	}
	cur := p.pick(curs)
	// Mostly pay along a line that exists, so that payments have a path.
	if lines := p.lineList(); len(lines) > 0 && p.chance(80) {
		line := lines[p.r.IntN(len(lines))]
		lo, _ := line.Amount(sf.LowLimit)
		hi, _ := line.Amount(sf.HighLimit)
		cur = lo.Currency().String()
		issuer = p.nameOf[lo.Issuer()]
		if _, gw := propIssues[p.nameOf[hi.Issuer()]]; gw || p.chance(50) {
			issuer = p.nameOf[hi.Issuer()]
		}
	}
	c := p.currency(cur)
	others := p.existing(issuer)
	if len(others) == 0 {
		return p.genFund()
	}
	// holders have a line to the issuer; funded ones hold some of its
	// currency, roomy ones may receive more.
	var holders, funded, roomy []string
	for _, h := range others {
		line := p.e.open.Read(TrustLineKeylet(p.e.id(h), p.e.id(issuer), c))
		if line == nil {
			continue
		}
		s := sideOf(p.e.id(h), p.e.id(issuer))
		holders = append(holders, h)
		if lineBalance(line, s).Sign() > 0 {
			funded = append(funded, h)
		}
		if lineBalance(line, s).Cmp(lineLimit(line, s)) < 0 {
			roomy = append(roomy, h)
		}
	}
	holder := func(from []string) string {
		if len(from) > 0 && p.chance(85) {
			return p.pick(from)
		}
		if len(holders) > 0 && p.chance(85) {
			return p.pick(holders)
		}
		return p.pick(others)
	}
	var src, dst string
	switch n := p.r.IntN(100); {
	case n < 35:
		src, dst = issuer, holder(roomy)
	case n < 60:
		src, dst = holder(funded), issuer
	default:
		src, dst = holder(funded), holder(roomy)
		for i := 0; i < 3 && dst == src; i++ {
			dst = holder(roomy)
		}
		if dst == src {
			src = issuer
		}
	}
	held := codec.ZeroValue
	if src != issuer {
		held, _ = p.heldBy(src, issuer, c)
	}
	value := p.iouValue(held)
	if dst == issuer && held.Sign() > 0 && p.chance(30) {
		value = held.String() // redeem everything, so the line can go away
	}
	amt, err := codec.ParseValue(value)
	if err != nil {
		p.fail("value %q: %v", value, err)
	}
	f := pay(p.addr(dst), iou(value, cur, p.addr(issuer)))
	desc := fmt.Sprintf("%s %s/%s to %s", value, cur, issuer, dst)
	switch {
	case p.chance(45):
		smIssuer := issuer
		if p.chance(50) {
			smIssuer = src
		}
		sm, _ := amt.Mul(codec.MustValue(uint64(500+p.r.IntN(1600)), -3, false))
		f["SendMax"] = iou(sm.String(), cur, p.addr(smIssuer))
		desc += fmt.Sprintf(", SendMax %s/%s", sm, smIssuer)
	case p.chance(4):
		f["SendMax"] = iou(value, p.pick(propCurrencies), p.addr(issuer)) // cross-currency when it differs
		desc += ", SendMax in another currency"
	case p.chance(2):
		f["SendMax"] = "1000000"
		desc += ", SendMax in SWT"
	}
	var flags uint32
	if p.chance(25) {
		flags |= TfPartialPayment
		desc += ", partial"
	}
	if p.chance(3) {
		flags |= TfLimitQuality
	}
	if p.chance(2) {
		flags |= TfNoSkywellDirect
	}
	if flags != 0 {
		f["Flags"] = flags
	}
	if p.chance(4) {
		f["Paths"] = []any{[]any{map[string]any{"account": p.addr(issuer)}}}
		desc += ", with a path"
	}
	p.maybeTag(f, dst)
	p.maybeLastLedger(f)
	return p.signed("pay-iou", src, f, "%s", desc)
}

func (p *propRun) genTrustSet() *propTx {
	src := p.pickSender()
	var peer, cur string
	gatewaySide := false
	switch n := p.r.IntN(100); {
	case n < 25 && propIssues[src] != nil:
		// A gateway sets its own side of a holder's line: auth, freeze, no-skywell.
		gatewaySide = true
		cur = p.pick(propIssues[src])
		peer = p.pick(propHolders)
		if hs := p.existing(src); len(hs) > 0 {
			peer = p.pick(hs)
		}
	case n < 80:
		peer = p.pick(propGateways)
		if peer == src {
			peer = p.pick(propHolders)
		}
		cur = p.pick(propCurrencies)
		if is, ok := propIssues[peer]; ok && p.chance(85) {
			cur = p.pick(is)
		}
	case n < 92:
		peer = p.pick(p.names)
		if xs := p.existing(src); len(xs) > 0 {
			peer = p.pick(xs)
		}
		cur = p.pick(propCurrencies)
	case n < 96:
		peer, cur = src, p.pick(propCurrencies) // temDST_IS_SRC
	default:
		peer, cur = "nobody", p.pick(propCurrencies) // tecNO_DST
	}
	limit := fmt.Sprintf("%d.%02d", p.r.IntN(2000), p.r.IntN(100))
	switch {
	case gatewaySide && p.chance(70), p.chance(30):
		limit = "0"
	case p.chance(5):
		limit = "1e9"
	}
	f := trust(limit, cur, p.addr(peer))
	flagPct := 6
	if gatewaySide {
		flagPct = 20
	}
	var flags uint32
	for _, fl := range []uint32{TfSetAuth, TfSetNoSkywell, TfClearNoSkywell, TfSetFreeze, TfClearFreeze} {
		if p.chance(flagPct) {
			flags |= fl
		}
	}
	if flags != 0 {
		f["Flags"] = flags
	}
	qualities := []uint32{0, QualityOne, 990_000_000, 1_010_000_000}
	if p.chance(8) {
		f["QualityIn"] = qualities[p.r.IntN(len(qualities))]
	}
	if p.chance(8) {
		f["QualityOut"] = qualities[p.r.IntN(len(qualities))]
	}
	return p.signed("trust", src, f, "limit %s %s/%s flags 0x%X", limit, cur, peer, flags)
}

func (p *propRun) genAccountSet() *propTx {
	src := p.pickSender()
	if gws := p.existingGateways(); len(gws) > 0 && p.chance(60) {
		src = p.pick(gws)
	}
	// An account left with only its signer list can lock itself out for
	// good (its signers may themselves need a list), which starves the rest
	// of the run; so rarely disable a master key that only a list backs up.
	_, hasRegular := p.root(src).LookupAccount(sf.RegularKey)
	onlyList := !hasRegular && p.e.open.Read(SignerListKeylet(p.e.id(src))) != nil
	asf := func() uint32 {
		if p.chance(3) {
			return AsfNoFreeze // permanent, so rare
		}
		if onlyList && p.chance(80) {
			return p.pick32([]uint32{AsfRequireDest, AsfRequireAuth, AsfDisallowSWT, AsfAccountTxnID, AsfGlobalFreeze})
		}
		return p.pick32([]uint32{AsfRequireDest, AsfRequireAuth, AsfDisallowSWT, AsfDisableMaster, AsfAccountTxnID, AsfGlobalFreeze})
	}
	f := map[string]any{"TransactionType": "AccountSet"}
	if propIssues[src] != nil && p.chance(40) {
		f["TransferRate"] = p.pick32([]uint32{QualityOne, 1_002_000_000, 1_250_000_000, 1_500_000_000, MaxTransferRate})
	}
	for i := 1 + p.r.IntN(2); i > 0; i-- {
		switch p.r.IntN(5) {
		case 0:
			f["SetFlag"] = asf()
		case 1:
			f["ClearFlag"] = asf()
		case 2:
			rates := []uint32{0, QualityOne, 1_002_000_000, 1_250_000_000, 1_500_000_000, MaxTransferRate}
			if p.chance(5) {
				rates = []uint32{QualityOne - 1, MaxTransferRate + 1} // temBAD_TRANSFER_RATE
			}
			f["TransferRate"] = p.pick32(rates)
		case 3:
			domains := []string{hex.EncodeToString([]byte("jt.example")), ""}
			if p.chance(5) {
				domains = []string{strings.Repeat("61", maxDomainSize+1)} // telBAD_DOMAIN
			}
			f["Domain"] = p.pick(domains)
		default:
			f["Flags"] = p.pick32([]uint32{TfRequireDestTag, TfOptionalDestTag, TfRequireAuth, TfOptionalAuth, TfDisallowSWT, TfAllowSWT})
		}
	}
	return p.signed("accountset", src, f, "%v", f)
}

func (p *propRun) pick32(xs []uint32) uint32 { return xs[p.r.IntN(len(xs))] }

func (p *propRun) genSetRegularKey() *propTx {
	src := p.pickSender()
	f := map[string]any{"TransactionType": "SetRegularKey"}
	desc := "clear"
	set := 65
	if p.goodKey(src) != src {
		set = 90 // clearing would leave only the signer list; see genAccountSet
	}
	switch n := p.r.IntN(100); {
	case n < set:
		k := p.pick(propRegularKeys(src))
		f["RegularKey"] = p.addr(k)
		desc = "set " + k
	case n >= 95:
		f["RegularKey"] = p.addr(src) // temMALFORMED
		desc = "set to its own master key"
	}
	return p.signed("regkey", src, f, "%s", desc)
}

func (p *propRun) genSignerListSet() *propTx {
	src := p.pickSender()
	f := map[string]any{"TransactionType": "SignerListSet", "SignerQuorum": 0}
	if p.chance(25) {
		return p.signed("signers", src, f, "delete")
	}
	var cands []string
	for _, n := range append(slices.Clone(p.names), propOutsideSigners...) {
		if n != src {
			cands = append(cands, n)
		}
	}
	p.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	chosen := cands[:1+p.r.IntN(4)]
	if p.chance(3) {
		chosen = append(chosen, src) // temREDUNDANTSIGN
	}
	var entries []any
	total := 0
	for _, n := range chosen {
		w := 1 + p.r.IntN(3)
		total += w
		entries = append(entries, map[string]any{"SignerEntry": map[string]any{"Account": p.addr(n), "SignerWeight": w}})
	}
	quorum := 1 + p.r.IntN(total)
	if p.chance(3) {
		quorum = total + 1 // temBAD_QUORUM
	}
	f["SignerQuorum"], f["SignerEntries"] = quorum, entries
	return p.signed("signers", src, f, "quorum %d of %v", quorum, chosen)
}

func (p *propRun) genRelation() *propTx {
	src := p.pickSender()
	if gws := p.existingGateways(); len(gws) > 0 && p.chance(70) {
		src = p.pick(gws)
	}
	typ := "RelationSet"
	if p.chance(45) {
		typ = "RelationDel"
		var owned []*codec.STObject
		for _, k := range p.sortedKeys() {
			if o := p.mirror[k]; codec.EntryType(o.UInt16(sf.LedgerEntryType)) == codec.EntryRelation && o.Account(sf.Account) == p.e.id(src) {
				owned = append(owned, o)
			}
		}
		if len(owned) > 0 && p.chance(75) {
			o := owned[p.r.IntN(len(owned))]
			lim, _ := o.Amount(sf.LimitAmount)
			f := map[string]any{"TransactionType": typ, "Target": o.Account(sf.Target).String(),
				"RelationType": o.UInt32(sf.RelationType), "LimitAmount": codec.AmountJSON(lim)}
			return p.signed("relation", src, f, "delete its relation on %s", p.nameOf[o.Account(sf.Target)])
		}
	}
	kind := RelationAuthorize
	if propIssues[src] != nil && p.chance(60) {
		kind = RelationFreeze
	}
	if p.chance(3) {
		kind = 2 // temINVALID
	}
	target := "nobody"
	if xs := p.existing(src); len(xs) > 0 && p.chance(92) {
		target = p.pick(xs)
	}
	issuer, cur := p.pick(propGateways), p.pick(propCurrencies)
	if kind == RelationFreeze {
		issuer = src
		if is, ok := propIssues[src]; ok {
			cur = p.pick(is)
		}
	}
	value := fmt.Sprintf("%d.%02d", p.r.IntN(100), p.r.IntN(100))
	f := map[string]any{"TransactionType": typ, "Target": p.addr(target), "RelationType": kind,
		"LimitAmount": iou(value, cur, p.addr(issuer))}
	return p.signed("relation", src, f, "%s type %d on %s for %s %s/%s", typ, kind, target, value, cur, issuer)
}

// genRelationChurn makes owner set or delete a relation, keeping about 100
// of them in a directory of several sparse pages that empty out and fill
// again.
func (p *propRun) genRelationChurn(owner string) *propTx {
	var owned []*codec.STObject
	for _, k := range p.sortedKeys() {
		if o := p.mirror[k]; codec.EntryType(o.UInt16(sf.LedgerEntryType)) == codec.EntryRelation {
			owned = append(owned, o)
		}
	}
	create := 80
	if len(owned) >= 100 {
		create = 20
	}
	if len(owned) > 0 && !p.chance(create) {
		o := owned[p.r.IntN(len(owned))]
		// Often empty the first or the last page, so pages get unlinked.
		page := func(o *codec.STObject) uint64 { return o.UInt64(sf.OwnerNode) }
		switch n := p.r.IntN(10); {
		case n < 6:
			o = slices.MinFunc(owned, func(a, b *codec.STObject) int { return cmp.Compare(page(a), page(b)) })
		case n < 7:
			o = slices.MaxFunc(owned, func(a, b *codec.STObject) int { return cmp.Compare(page(a), page(b)) })
		}
		lim, _ := o.Amount(sf.LimitAmount)
		f := map[string]any{"TransactionType": "RelationDel", "Target": o.Account(sf.Target).String(),
			"RelationType": o.UInt32(sf.RelationType), "LimitAmount": codec.AmountJSON(lim)}
		return p.signed("relation", owner, f, "delete its relation on %s", p.nameOf[o.Account(sf.Target)])
	}
	issuer := p.pick(p.names)
	f := map[string]any{"TransactionType": "RelationSet", "Target": p.addr(p.pick(p.existing(owner))),
		"RelationType": RelationAuthorize, "LimitAmount": iou("1", p.pick(propCurrencies), p.addr(issuer))}
	return p.signed("relation", owner, f, "authorize %v", f["Target"])
}

// sortedKeys lists the mirror's keys in order, for deterministic choices.
func (p *propRun) sortedKeys() []codec.Hash256 {
	keys := make([]codec.Hash256, 0, len(p.mirror))
	for k := range p.mirror {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b codec.Hash256) int { return bytes.Compare(a[:], b[:]) })
	return keys
}

// genBad makes a transaction with exactly one defect, so its result is known.
func (p *propRun) genBad() *propTx {
	var srcs []string
	for _, n := range p.existing() {
		if p.goodKey(n) != "" && p.balanceOf(n) >= 10_000 {
			srcs = append(srcs, n)
		}
	}
	if len(srcs) == 0 {
		return p.genFund()
	}
	src := p.pick(srcs)
	key := p.goodKey(src)
	root := p.root(src)
	seq := root.UInt32(sf.Sequence)
	others := p.existing(src)
	if len(others) == 0 {
		return p.genFund()
	}
	dst := p.pick(others)
	base := pay(p.addr(dst), "1000")
	gw := p.addr(p.pick(propGateways))
	bad := func(what string, f map[string]any, want ...ter.Code) *propTx {
		return &propTx{tx: p.e.tx(src, f, key), kind: "bad", what: fmt.Sprintf("bad %s: %s", src, what), want: want}
	}
	switch p.r.IntN(19) {
	case 0:
		return bad("zero SWT amount", pay(p.addr(dst), "0"), ter.TemBAD_AMOUNT)
	case 1:
		return bad("negative usercoin amount", pay(p.addr(dst), iou("-5", "USD", gw)), ter.TemBAD_AMOUNT)
	case 2:
		return bad("unknown flag", merge(base, map[string]any{"Flags": 1}), ter.TemINVALID_FLAG)
	case 3:
		return bad("fee below the base fee", merge(base, map[string]any{"Fee": "9"}), ter.TelINSUF_FEE_P)
	case 4:
		return bad("negative fee", merge(base, map[string]any{"Fee": "-1"}), ter.TemBAD_FEE)
	case 5:
		if seq > 1 {
			return bad("used sequence", merge(base, map[string]any{"Sequence": seq - 1}), ter.TefPAST_SEQ)
		}
		fallthrough
	case 6:
		return bad("future sequence", merge(base, map[string]any{"Sequence": seq + 1 + p.r.Uint32N(3)}), ter.TerPRE_SEQ)
	case 7:
		return bad("LastLedgerSequence in the past", merge(base, map[string]any{"LastLedgerSequence": p.e.open.Seq() - 1}), ter.TefMAX_LEDGER)
	case 8:
		want := ter.TefBAD_AUTH_MASTER
		if root.Has(sf.RegularKey) {
			want = ter.TefBAD_AUTH
		}
		return &propTx{tx: p.e.tx(src, base, "mallory"), kind: "bad", what: "bad " + src + ": signed by an unknown key", want: []ter.Code{want}}
	case 9:
		return &propTx{tx: p.e.tx("nobody", base), kind: "bad", what: "bad: from an account that does not exist", want: []ter.Code{ter.TerNO_ACCOUNT}}
	case 10:
		want := ter.TefNOT_MULTI_SIGNING
		if p.e.open.Read(SignerListKeylet(p.e.id(src))) != nil {
			want = ter.TefBAD_SIGNATURE
		}
		tx := p.e.multiSign(src, merge(base, map[string]any{"Fee": "20"}), []string{"mallory"}, nil)
		return &propTx{tx: tx, kind: "bad", what: "bad " + src + ": multi-signed by an unknown signer", want: []ter.Code{want}}
	case 11:
		return bad("wrong AccountTxnID", merge(base, map[string]any{"AccountTxnID": fmt.Sprintf("%016X%016X%016X%016X", p.r.Uint64(), p.r.Uint64(), p.r.Uint64(), p.r.Uint64())}), ter.TefWRONG_PRIOR)
	case 12:
		return bad("SendMax on an SWT payment", merge(base, map[string]any{"SendMax": "2000"}), ter.TemBAD_SEND_SWT_MAX)
	case 13:
		return bad("SWT to itself", pay(p.addr(src), "1000"), ter.TemREDUNDANT)
	case 14:
		return bad("negative trust limit", trust("-1", "USD", gw), ter.TemBAD_LIMIT)
	case 15:
		return bad("fee above the balance", merge(base, map[string]any{"Fee": fmt.Sprint(p.balanceOf(src) + 1)}), ter.TerINSUF_FEE_B)
	case 16:
		return bad("field of another type", merge(base, map[string]any{"LimitAmount": iou("1", "USD", gw)}), ter.TemMALFORMED)
	case 17:
		return bad("memos over 1 KB", merge(base, map[string]any{"Memos": propMemo(maxMemoSize)}), ter.TemINVALID)
	default:
		return bad("transfer rate below 1.0", map[string]any{"TransactionType": "AccountSet", "TransferRate": QualityOne - 1}, ter.TemBAD_TRANSFER_RATE)
	}
}

// propMemo is a Memos array with n bytes of MemoData.
func propMemo(n int) []any {
	return []any{map[string]any{"Memo": map[string]any{
		"MemoType": hex.EncodeToString([]byte("text/plain")), "MemoData": strings.Repeat("6A", n)}}}
}

// genReplay resubmits the exact bytes of an earlier transaction, from this
// ledger or an earlier one.
func (p *propRun) genReplay() *propTx {
	if len(p.history) == 0 {
		return p.genFund()
	}
	from := p.history
	here := len(from)
	for here > 0 && from[here-1].ledger == p.e.open.Seq() {
		here--
	}
	if here < len(from) && p.chance(55) {
		from = from[here:] // this ledger's
	}
	orig := from[p.r.IntN(len(from))]
	tx, err := DecodeTx(orig.tx.Blob())
	if err != nil || tx.ID() != orig.tx.ID() {
		p.fail("replay of %X does not decode to itself: %v", orig.tx.ID(), err)
	}
	g := &propTx{tx: tx, kind: "replay", what: fmt.Sprintf("replay of %X from ledger %d", tx.ID(), orig.ledger), path: orig.path}
	if _, ok := p.applied[tx.ID()]; ok && orig.path == propPseudo {
		// Committed evidence stays committed: the entry refuses it.
		g.kind, g.want = "replay-evidence", []ter.Code{ter.TefALREADY}
	} else if seq, ok := p.applied[tx.ID()]; ok {
		g.want = []ter.Code{ter.TefPAST_SEQ}
		g.kind = "replay-earlier-ledger"
		if seq == p.e.open.Seq() {
			g.kind = "replay-same-ledger"
			g.want = []ter.Code{ter.TefALREADY}
		}
	}
	return g
}

// genValidator makes the validator pool act: fund its accounts, apply to
// join, approve applications and removals. Mostly the actor is entitled to
// act (a current validator votes, an outsider applies); sometimes not.
func (p *propRun) genValidator() *propTx {
	pool := slices.Concat(propValidators, propCandidates)
	var unfunded, funded []string
	for _, n := range pool {
		if p.root(n) == nil {
			unfunded = append(unfunded, n)
		} else {
			funded = append(funded, n)
		}
	}
	if len(unfunded) > 0 && (len(funded) == 0 || p.chance(60)) {
		dst := p.pick(unfunded)
		return p.signed("fund", "genesis", pay(p.addr(dst), "1000000000"), "1000 SWT to %s", dst)
	}
	s, err := loadValidatorSet(p.e.open)
	if err != nil {
		p.fail("validator set: %v", err)
	}
	seq := p.e.open.Seq()
	isMember := func(set []Validator, n string) bool { _, ok := findValidator(set, p.e.id(n)); return ok }
	cur, projected := s.at(seq), s.projected()
	var members, outsiders []string // funded members of the set in force; funded accounts free to apply
	for _, n := range funded {
		switch {
		case isMember(cur, n):
			members = append(members, n)
		case !isMember(projected, n) && !s.scheduled(p.e.id(n)) && p.mirror[ValidatorApplicationKeylet(p.e.id(n)).Key] == nil:
			outsiders = append(outsiders, n)
		}
	}
	// voter is usually a member that has not yet approved entry (which
	// may be nil), sometimes one that has, rarely anyone.
	voter := func(entry *codec.STObject) string {
		var fresh []string
		for _, m := range members {
			if entry == nil || !slices.Contains(approvalAccounts(entry), p.e.id(m)) {
				fresh = append(fresh, m)
			}
		}
		switch {
		case len(fresh) > 0 && p.chance(80):
			return p.pick(fresh)
		case len(members) > 0 && !p.chance(30):
			return p.pick(members)
		}
		return p.pick(funded) // maybe not a member: tecNO_PERMISSION
	}
	var applications, removals []*codec.STObject
	for _, k := range p.sortedKeys() {
		switch o := p.mirror[k]; codec.EntryType(o.UInt16(sf.LedgerEntryType)) {
		case codec.EntryValidatorApplication:
			applications = append(applications, o)
		case codec.EntryValidatorRemoval:
			removals = append(removals, o)
		}
	}
	// Approve pending applications first, then let outsiders apply, and
	// when everyone is in, remove someone: so the set keeps changing.
	switch n := p.r.IntN(100); {
	case len(applications) > 0 && n < 60:
		app := applications[p.r.IntN(len(applications))]
		target := p.nameOf[app.Account(sf.Account)]
		v := voter(app)
		return p.signed("validator-vote", v, voteOn(p.e, target, ValidatorAdd), "%s approves adding %s", v, target)
	case len(outsiders) > 0 && n < 90, n < 10:
		src := p.pick(funded)
		if len(outsiders) > 0 && p.chance(85) {
			src = p.pick(outsiders)
		}
		f := applyFor(p.e, src)
		if p.chance(4) {
			f["VRFPublicKey"] = hex.EncodeToString(p.e.vrfKey(src)[:31]) // temMALFORMED
		}
		return p.signed("validator-apply", src, f, "%s applies", src)
	}
	// Removals, mostly while the set is large enough to keep a quorum of
	// the pool busy.
	if len(projected) <= 2 && p.chance(80) {
		return p.genFund()
	}
	target := p.nameOf[cur[p.r.IntN(len(cur))].Account]
	var proposal *codec.STObject
	if len(removals) > 0 && p.chance(70) {
		proposal = removals[p.r.IntN(len(removals))]
		target = p.nameOf[proposal.Account(sf.Target)]
	}
	v := voter(proposal)
	return p.signed("validator-vote", v, voteOn(p.e, target, ValidatorRemove), "%s approves removing %s", v, target)
}

// genEvidence has the node commit equivocation evidence against a
// validator: mostly new evidence, sometimes evidence already committed (under
// another offender or height, so another transaction id), malformed
// evidence, or a 602 a client submits (in pseudo form or signed).
func (p *propRun) genEvidence() *propTx {
	pool := slices.Concat(propValidators, propCandidates)
	offender := p.pick(pool)
	seq := p.e.open.Seq()
	height := 1 + p.r.Uint32N(seq)
	data := make([]byte, 1+p.r.IntN(300))
	for i := range data {
		data[i] = byte(p.r.Uint32())
	}
	var committed [][]byte
	for _, k := range p.sortedKeys() {
		if o := p.mirror[k]; codec.EntryType(o.UInt16(sf.LedgerEntryType)) == codec.EntryValidatorEvidence {
			committed = append(committed, o.Blob(sf.EvidenceData))
		}
	}
	mk := func(what string, path propPath, tx *Tx, want ...ter.Code) *propTx {
		return &propTx{tx: tx, kind: "evidence", what: fmt.Sprintf("evidence against %s at %d: %s", offender, height, what), path: path, want: want}
	}
	pseudo := func(data []byte) *Tx {
		tx, err := NewEvidenceTx(p.e.id(offender), height, data)
		if err != nil {
			p.fail("NewEvidenceTx: %v", err)
		}
		return tx
	}
	switch n := p.r.IntN(100); {
	case n < 70:
		return mk("new", propPseudo, pseudo(data), ter.TesSUCCESS)
	case n < 82 && len(committed) > 0:
		return mk("already committed", propPseudo, pseudo(committed[p.r.IntN(len(committed))]), ter.TefALREADY)
	case n < 86:
		return mk("in the future", propPseudo, must(NewEvidenceTx(p.e.id(offender), seq+1+p.r.Uint32N(3), data)), ter.TefMAX_LEDGER)
	case n < 90:
		o := pseudo(data).Object().Clone()
		o.Set(sf.Fee, codec.NewNative(10))
		return mk("with a fee", propPseudo, must(NewTx(o)), ter.TemBAD_FEE)
	case n < 95:
		return mk("submitted by a client", propRaw, pseudo(data), ter.TemINVALID)
	}
	src := p.pickSender()
	tx := p.e.tx(src, map[string]any{"TransactionType": "Evidence", "Offender": p.addr(offender),
		"LedgerSequence": height, "EvidenceData": hex.EncodeToString(data)}, p.goodKey(src))
	return mk("signed by "+src, propRaw, tx, ter.TemINVALID)
}

// checkPseudoApplied: a pseudo-transaction applies only with tes, through
// the pseudo path, and changes no account.
func (p *propRun) checkPseudoApplied(tx *Tx, out Outcome) {
	if out.Result != ter.TesSUCCESS || out.FeeDestroyed != 0 {
		p.fail("pseudo-transaction applied with %s, fee %d", out.Result, out.FeeDestroyed)
	}
	for _, c := range out.Changes {
		if c.Type == codec.EntryAccountRoot {
			p.fail("a %s changed an account", tx.Type())
		}
	}
}

// propApplyOn applies tx to o the way a node re-executing a block does:
// pseudo-transactions through ApplyPseudo, the rest through Apply.
func propApplyOn(o *OpenLedger, tx *Tx) Outcome {
	if IsPseudo(tx.Type()) {
		return o.ApplyPseudo(tx)
	}
	return o.Apply(tx)
}

// checkValidatorVote: only a successful vote changes the ValidatorSet, and
// it schedules its change exactly when the approvals that count reach the
// quorum of the set in force (pre.validators). Called before the mirror
// moves to the post-state.
func (p *propRun) checkValidatorVote(tx *Tx, pre propPre, out Outcome) {
	setKey := ValidatorSetKeylet().Key
	setChanged := slices.ContainsFunc(out.Changes, func(c Change) bool { return c.Key == setKey })
	if tx.Type() != codec.TxValidatorVote || out.Result != ter.TesSUCCESS {
		if setChanged {
			p.fail("a %s with %s changed the ValidatorSet", tx.Type(), out.Result)
		}
		return
	}
	obj := tx.Object()
	seq := p.e.open.Seq()
	target := crypto.AccountIDFromPublicKey(obj.Blob(sf.NodePublicKey))
	action := obj.UInt32(sf.ValidatorAction)
	k := ValidatorApplicationKeylet(target)
	if action == ValidatorRemove {
		k = ValidatorRemovalKeylet(target)
	}
	counted := map[codec.AccountID]bool{tx.Account(): true}
	if before := p.mirror[k.Key]; before != nil {
		for _, id := range approvalAccounts(before) {
			if _, ok := findValidator(pre.validators, id); ok {
				counted[id] = true
			}
		}
	}
	decided := len(counted) >= ValidatorQuorum(len(pre.validators))
	post, err := loadValidatorSet(p.e.open)
	if err != nil {
		p.fail("validator set after the vote: %v", err)
	}
	scheduled := slices.ContainsFunc(post.changes, func(c validatorChange) bool {
		return c.Account == target && c.action == action && c.effective == seq+ValidatorDelay
	})
	after := p.e.open.Read(k)
	switch {
	case decided != scheduled:
		p.fail("%d of %d validators approve (quorum %d), change scheduled: %v", len(counted), len(pre.validators), ValidatorQuorum(len(pre.validators)), scheduled)
	case decided && after != nil:
		p.fail("the decided %v entry was not deleted", k.Type)
	case !decided && (after == nil || len(approvalAccounts(after)) != len(counted)):
		p.fail("the %v entry does not hold exactly the %d approvals that count", k.Type, len(counted))
	}
	if !decided {
		for _, id := range approvalAccounts(after) {
			if !counted[id] {
				p.fail("approval by %s recorded, which does not count", p.nameOf[id])
			}
		}
	}
	if decided {
		p.events["validator change scheduled"]++
	}
}

// checkApprovals: approvals are sorted and distinct.
func (p *propRun) checkApprovals(o *codec.STObject) {
	ids := approvalAccounts(o)
	for i := 1; i < len(ids); i++ {
		if !accountLess(ids[i-1], ids[i]) {
			p.fail("approvals are not sorted and distinct: %v", o.JSON())
		}
	}
	for _, it := range o.Array(sf.Approvals) {
		if it.Field != sf.Approval || it.Object.Len() != 1 {
			p.fail("malformed approval in %v", o.JSON())
		}
	}
}

// checkValidatorEntries: the set decodes and stays in bounds counting every
// scheduled change; an account has at most one scheduled change; no
// applicant is or is about to be a member; every removal names a member
// whose removal is not already scheduled.
func (p *propRun) checkValidatorEntries(applicants, removals []codec.AccountID) {
	o := p.mirror[ValidatorSetKeylet().Key]
	if o == nil {
		p.fail("the ValidatorSet is gone")
	}
	s, err := decodeValidatorSet(o)
	if err != nil {
		p.fail("%v", err)
	}
	seq := p.e.open.Seq()
	if n := len(s.projected()); n < MinValidators || n > MaxValidators {
		p.fail("%d validators once the scheduled changes take effect", n)
	}
	seen := map[codec.AccountID]bool{}
	for _, c := range s.changes {
		if seen[c.Account] || c.effective > seq+ValidatorDelay {
			p.fail("scheduled change of %s effective at %d (ledger %d), twice: %v", p.nameOf[c.Account], c.effective, seq, seen[c.Account])
		}
		seen[c.Account] = true
	}
	cur := s.at(seq)
	for _, id := range applicants {
		if _, ok := findValidator(s.projected(), id); ok || s.scheduled(id) {
			p.fail("%s has an application but is, or is scheduled to become, a validator", p.nameOf[id])
		}
	}
	for _, id := range removals {
		if _, ok := findValidator(cur, id); !ok || s.scheduled(id) {
			p.fail("a removal of %s, which is not a member or is already leaving", p.nameOf[id])
		}
	}
	p.events[fmt.Sprintf("validator set of %d", len(cur))]++
}

// checkValidatorsFixedAhead: the validators of heights l and l+1 are the same
// computed from l or from its parent; l's decisions reach l+2 at the earliest.
func (p *propRun) checkValidatorsFixedAhead(parent, l *Ledger) {
	for h := l.Seq(); h <= l.Seq()+1; h++ {
		a, errA := ValidatorsAt(parent, h)
		b, errB := ValidatorsAt(l, h)
		if errA != nil || errB != nil {
			p.fail("ValidatorsAt(%d): %v, %v", h, errA, errB)
		}
		if !slices.EqualFunc(a, b, func(x, y Validator) bool {
			return x.Account == y.Account && bytes.Equal(x.NodePublicKey, y.NodePublicKey) && bytes.Equal(x.VRFPublicKey, y.VRFPublicKey)
		}) {
			p.fail("the validators of height %d changed when ledger %d closed", h, l.Seq())
		}
	}
	if next, _ := ValidatorsAt(l, l.Seq()+2); len(next) != len(must(ValidatorsAt(l, l.Seq()+1))) {
		p.events["validator set size changed"]++
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// countEvents records the interesting things an applied transaction did.
func (p *propRun) countEvents(g *propTx, out Outcome) {
	if out.Result.IsTec() {
		p.events["tec result"]++
		return
	}
	p.events["tes "+g.kind]++
	switch {
	case strings.HasPrefix(g.how, "multi"):
		p.events["tes multi-signed"]++
	case strings.HasPrefix(g.how, "regular"):
		p.events["tes signed with a regular key"]++
	}
	if out.Delivered != nil {
		p.events["partial delivery"]++
	}
	for _, c := range out.Changes {
		switch {
		case c.Before == nil:
			p.events["created "+c.Type.String()]++
		case c.After == nil:
			p.events["deleted "+c.Type.String()]++
		}
	}
}

// ---- per-transaction checks ----

type propPre struct {
	n     int
	coins uint64
	roots map[string][]byte // encoded AccountRoot of every pool account, as read from the open ledger
	// validators is the set in force at the open ledger.
	validators []Validator
}

func (p *propRun) observe() propPre {
	pre := propPre{n: p.e.open.Len(), coins: p.e.open.coins, roots: map[string][]byte{}}
	pre.validators, _ = ValidatorsAt(p.e.open, p.e.open.Seq())
	for _, n := range slices.Concat(p.names, propValidators, propCandidates, []string{"nobody"}) {
		if r := p.root(n); r != nil {
			pre.roots[n] = r.Encode()
		}
	}
	return pre
}

// checkResult: internal errors never happen, only tes and tec apply, and
// anything else leaves the open ledger exactly as it was.
func (p *propRun) checkResult(g *propTx, pre propPre, out Outcome) {
	code := out.Result
	switch code {
	case ter.TefEXCEPTION, ter.TefBAD_LEDGER, ter.TecINTERNAL:
		p.fail("internal error %s: %s", code, out.Detail)
	}
	if out.Applied != (code.IsTes() || code.IsTec()) {
		p.fail("result %s with Applied=%v", code, out.Applied)
	}
	if len(g.want) > 0 && !slices.Contains(g.want, code) {
		p.fail("result %s (%s), want %v", code, out.Detail, g.want)
	}
	if out.Applied {
		return
	}
	if out.Changes != nil || out.Meta != nil || out.FeeDestroyed != 0 || out.Delivered != nil {
		p.fail("%s was not applied but reports effects: %d changes, meta %v, fee %d", code, len(out.Changes), out.Meta != nil, out.FeeDestroyed)
	}
	if p.e.open.Len() != pre.n || p.e.open.coins != pre.coins {
		p.fail("%s changed the open ledger: %d transactions (was %d), %d coins (was %d)", code, p.e.open.Len(), pre.n, p.e.open.coins, pre.coins)
	}
	now := p.observe()
	for n, b := range pre.roots {
		if !bytes.Equal(now.roots[n], b) {
			p.fail("%s changed %s's account root", code, n)
		}
	}
	if len(now.roots) != len(pre.roots) {
		p.fail("%s created an account", code)
	}
	// tefALREADY means the transaction is in the open ledger, or (evidence)
	// the same evidence is committed under another transaction.
	if in := p.e.open.Contains(g.tx.ID()); in && code != ter.TefALREADY || !in && code == ter.TefALREADY && g.path != propPseudo {
		p.fail("%s: the open ledger contains the transaction: %v", code, in)
	}
	if code == ter.TefALREADY && g.path == propPseudo && !p.e.open.Contains(g.tx.ID()) && !HasEvidence(p.e.open, g.tx.Object().Blob(sf.EvidenceData)) {
		p.fail("tefALREADY for evidence that is not committed")
	}
}

func (p *propRun) checkApplied(tx *Tx, pre propPre, out Outcome) {
	id := tx.ID()
	if seq, dup := p.applied[id]; dup {
		p.fail("transaction %X applied a second time (first in ledger %d)", id, seq)
	}
	p.applied[id] = p.e.open.Seq()
	p.ledgerTxs = append(p.ledgerTxs, tx)
	p.ledgerResults = append(p.ledgerResults, out.Result)

	fee := tx.Fee().Drops()
	if out.FeeDestroyed != fee {
		p.fail("destroyed %d drops, the fee is %d", out.FeeDestroyed, fee)
	}
	p.burnt += uint64(fee)
	if p.e.open.Len() != pre.n+1 || !p.e.open.Contains(id) {
		p.fail("applied but the open ledger has %d transactions (was %d), contains it: %v", p.e.open.Len(), pre.n, p.e.open.Contains(id))
	}
	if p.e.open.coins != JingtumTotalCoins-p.burnt {
		p.fail("open ledger coins %d, want %d", p.e.open.coins, JingtumTotalCoins-p.burnt)
	}
	p.checkMeta(tx, out, uint32(pre.n))
	if out.Result.IsTec() {
		p.checkTecClaimsOnlyTheFee(tx, out)
	}
	p.checkValidatorVote(tx, pre, out)
	rootKey := AccountKeylet(tx.Account()).Key
	before := p.mirror[rootKey]
	deltas, exact := p.predictUsercoins(tx, out)

	p.applyChanges(out)
	post := p.summarize()

	after := p.mirror[rootKey]
	switch {
	case IsPseudo(tx.Type()):
		p.checkPseudoApplied(tx, out)
	case after.UInt32(sf.Sequence) != tx.Sequence()+1 || before.UInt32(sf.Sequence) != tx.Sequence():
		p.fail("sequence %d -> %d for a transaction with sequence %d", before.UInt32(sf.Sequence), after.UInt32(sf.Sequence), tx.Sequence())
	case before.Has(sf.AccountTxnID) && after.Has(sf.AccountTxnID) && after.Hash256(sf.AccountTxnID) != id:
		p.fail("AccountTxnID %X, want this transaction", after.Hash256(sf.AccountTxnID))
	}
	p.checkSWT(tx, out, p.sum, post)
	p.checkUsercoins(deltas, exact, p.sum, post)
	p.checkReserves(tx, out, p.sum, post)
	p.checkInvariants()
	p.sum = post
}

// applyChanges moves the mirror to the post-state. Each change must start
// from the mirror's entry and end at what the open ledger now holds.
func (p *propRun) applyChanges(out Outcome) {
	for _, c := range out.Changes {
		prior, had := p.mirror[c.Key]
		if (c.Before == nil) == had || c.Before != nil && !prior.Equal(c.Before) {
			p.fail("change of %X does not start from the current entry", c.Key)
		}
		now := p.e.open.Read(Keylet{Type: c.Type, Key: c.Key})
		if c.After == nil {
			if now != nil {
				p.fail("deleted entry %X is still readable", c.Key)
			}
			delete(p.mirror, c.Key)
			continue
		}
		if now == nil || !now.Equal(c.After) {
			p.fail("the open ledger's entry %X differs from the change's After", c.Key)
		}
		if codec.EntryType(c.After.UInt16(sf.LedgerEntryType)) != c.Type {
			p.fail("change of %X has type %v, entry says %v", c.Key, c.Type, codec.EntryType(c.After.UInt16(sf.LedgerEntryType)))
		}
		p.mirror[c.Key] = c.After
	}
}

func (p *propRun) summarize() propSummary {
	s := propSummary{
		balances: map[codec.AccountID]int64{},
		owners:   map[codec.AccountID]uint32{},
		owed:     map[propIssue]*big.Rat{},
	}
	for _, o := range p.mirror {
		switch codec.EntryType(o.UInt16(sf.LedgerEntryType)) {
		case codec.EntryAccountRoot:
			b, _ := o.Amount(sf.Balance)
			id := o.Account(sf.Account)
			s.balances[id] = b.Drops()
			s.owners[id] = o.UInt32(sf.OwnerCount)
			s.total += b.Drops()
		case codec.EntrySkywellState:
			lo, _ := o.Amount(sf.LowLimit)
			hi, _ := o.Amount(sf.HighLimit)
			// What each side holds is what the other owes.
			propAdd(s.owed, propIssue{hi.Issuer(), lo.Currency()}, propRat(lineBalance(o, lowSide)))
			propAdd(s.owed, propIssue{lo.Issuer(), lo.Currency()}, propRat(lineBalance(o, highSide)))
		}
	}
	return s
}

// checkSWT: balances plus destroyed fees are the genesis supply, and every
// balance moved exactly as the transaction explains: the sender paid the fee
// and, for a successful SWT payment, the amount, which the destination got.
func (p *propRun) checkSWT(tx *Tx, out Outcome, pre, post propSummary) {
	if post.total+int64(p.burnt) != int64(JingtumTotalCoins) {
		p.fail("balances %d + destroyed %d != supply %d", post.total, p.burnt, JingtumTotalCoins)
	}
	fee := tx.Fee().Drops()
	src := tx.Account()
	want := map[codec.AccountID]int64{src: -fee}
	var dst codec.AccountID
	var amt int64
	if a, ok := tx.Object().Amount(sf.Amount); ok && a.IsNative() && tx.Type() == codec.TxPayment && out.Result == ter.TesSUCCESS {
		dst, amt = tx.Object().Account(sf.Destination), a.Drops()
		want[src] -= amt
		want[dst] += amt
		// Neither the reserve nor the fee may fund a payment: an account
		// goes below its reserve only by paying fees.
		reserve := p.e.open.Fees().AccountReserve(pre.owners[src])
		if prior := pre.balances[src]; prior < amt+max(reserve, fee) {
			p.fail("sent %d drops from a balance of %d with reserve %d", amt, prior, reserve)
		}
	}
	for id, b := range post.balances {
		was, existed := pre.balances[id]
		if !existed {
			if id != dst || b != amt || amt < int64(p.e.open.Fees().Reserve) {
				p.fail("account %s created with %d drops (payment of %d to %s)", p.nameOf[id], b, amt, p.nameOf[dst])
			}
		}
		if b-was != want[id] {
			p.fail("%s's balance moved %d drops, want %d", p.nameOf[id], b-was, want[id])
		}
	}
	for id := range pre.balances {
		if _, ok := post.balances[id]; !ok {
			p.fail("account %s disappeared", p.nameOf[id])
		}
	}
}

// predictUsercoins updates the trust-line model for a successful usercoin
// payment and returns how each account's obligations should move. The
// sender pays the delivered amount times the issuer's transfer rate (1 when
// the issuer is an end), but never more than SendMax or what it can spend.
// exact is false when the Value arithmetic of a line rounded, so the
// obligations cannot be compared exactly.
func (p *propRun) predictUsercoins(tx *Tx, out Outcome) (map[propIssue]*big.Rat, bool) {
	obj := tx.Object()
	amt, _ := obj.Amount(sf.Amount)
	if out.Result != ter.TesSUCCESS || tx.Type() != codec.TxPayment || amt.IsNative() {
		return nil, true
	}
	src, dst, issuer, cur := tx.Account(), obj.Account(sf.Destination), amt.Issuer(), amt.Currency()
	d := amt.Value()
	if out.Delivered != nil {
		d = out.Delivered.Value()
	}
	partial := tx.Flags()&TfPartialPayment != 0
	if d.Sign() <= 0 || d.Cmp(amt.Value()) > 0 || !partial && d.Cmp(amt.Value()) != 0 {
		p.fail("delivered %s of %s (partial %v)", d, amt.Value(), partial)
	}
	maxSend := amt.Value()
	if sm, ok := obj.Amount(sf.SendMax); ok {
		maxSend = sm.Value()
	}
	deltas := map[propIssue]*big.Rat{}
	exact := true
	if src != issuer {
		line := p.mirror[TrustLineKeylet(src, issuer, cur).Key]
		if line == nil {
			p.fail("paid from a line that does not exist")
		}
		s := sideOf(src, issuer)
		avail, _ := lineBalance(line, s).Add(lineLimit(line, s.other()))
		rate := codec.MustValue(1, 0, false)
		if dst != issuer {
			if r := p.mirror[RelationKeylet(issuer, src, RelationFreeze, amt.Issue()).Key]; r != nil {
				frozen, _ := r.Amount(sf.LimitAmount)
				avail, _ = avail.Sub(frozen.Value())
			}
			if tr := p.mirror[AccountKeylet(issuer).Key].UInt32(sf.TransferRate); tr != 0 && tr != QualityOne {
				rate = codec.MustValue(uint64(tr), -9, false)
			}
		}
		cost, err := d.Mul(rate)
		if err != nil {
			p.fail("cost: %v", err)
		}
		for _, limit := range []codec.Value{maxSend, avail} {
			if cost.Cmp(limit) > 0 {
				cost = limit
			}
		}
		if cost.Cmp(d) < 0 {
			p.fail("the sender pays %s for %s delivered", cost, d)
		}
		if cost.Cmp(d) > 0 {
			p.events["transfer fee charged"]++
		}
		exact = p.modelTransfer(src, issuer, cur, cost) && exact
		propAdd(deltas, propIssue{issuer, cur}, new(big.Rat).Neg(propRat(cost)))
		propAdd(deltas, propIssue{src, cur}, propRat(cost))
	}
	if dst != issuer {
		exact = p.modelTransfer(issuer, dst, cur, d) && exact
		propAdd(deltas, propIssue{issuer, cur}, propRat(d))
		propAdd(deltas, propIssue{dst, cur}, new(big.Rat).Neg(propRat(d)))
	}
	return deltas, exact
}

// modelTransfer moves v from `from` to its peer on their line in the model,
// with the ledger's Value arithmetic, and reports whether that was exact.
func (p *propRun) modelTransfer(from, to codec.AccountID, cur codec.Currency, v codec.Value) bool {
	k := TrustLineKeylet(from, to, cur).Key
	s := sideOf(from, to)
	low, ok := p.lines[k]
	if !ok {
		low = codec.ZeroValue
	}
	have := low
	if s.high {
		have = have.Neg()
	}
	nb, err := have.Sub(v)
	if err != nil {
		p.fail("model: %v", err)
	}
	exact := propRat(nb).Cmp(new(big.Rat).Sub(propRat(have), propRat(v))) == 0
	if s.high {
		nb = nb.Neg()
	}
	p.lines[k] = nb
	return exact
}

// checkUsercoins: every line holds what the model says, obligations moved
// by exactly the predicted deltas, and each currency's obligations sum to
// zero.
func (p *propRun) checkUsercoins(deltas map[propIssue]*big.Rat, exact bool, pre, post propSummary) {
	for k, o := range p.mirror {
		if codec.EntryType(o.UInt16(sf.LedgerEntryType)) != codec.EntrySkywellState {
			continue
		}
		want, ok := p.lines[k]
		if !ok {
			want = codec.ZeroValue
		}
		if got := lineBalance(o, lowSide); got.Cmp(want) != 0 {
			lo, _ := o.Amount(sf.LowLimit)
			hi, _ := o.Amount(sf.HighLimit)
			p.fail("line %s/%s %s: balance %s, model %s", p.nameOf[lo.Issuer()], p.nameOf[hi.Issuer()], lo.Currency(), got, want)
		}
	}
	for k, v := range p.lines {
		if _, ok := p.mirror[k]; !ok {
			if !v.IsZero() {
				p.fail("line %X was deleted holding %s", k, v)
			}
			delete(p.lines, k)
		}
	}
	sums := map[codec.Currency]*big.Rat{}
	for k, v := range post.owed {
		propAdd(sums, k.currency, v)
	}
	for c, s := range sums {
		if s.Sign() != 0 {
			p.fail("obligations in %s sum to %s, not zero", c, s.RatString())
		}
	}
	if !exact {
		p.rounded++
		return
	}
	keys := map[propIssue]bool{}
	for _, m := range []map[propIssue]*big.Rat{pre.owed, post.owed, deltas} {
		for k := range m {
			keys[k] = true
		}
	}
	for k := range keys {
		got := new(big.Rat).Sub(propRatOr0(post.owed[k]), propRatOr0(pre.owed[k]))
		if want := propRatOr0(deltas[k]); got.Cmp(want) != 0 {
			p.fail("what others hold of %s's %s moved by %s, want %s", p.nameOf[k.account], k.currency, got.RatString(), want.RatString())
		}
	}
}

// checkReserves: only the sender's owner count may grow, by one, through a
// transaction that creates a reserve-needing object, and only when the
// balance before the fee covered the new reserve; and a reserve failure
// happens only when it did not. rippled (and skywelld) let an account with
// fewer than two objects take on a trust line without the reserve.
func (p *propRun) checkReserves(tx *Tx, out Outcome, pre, post propSummary) {
	fees := p.e.open.Fees()
	for id, n := range post.owners {
		was := pre.owners[id]
		if n <= was {
			continue
		}
		if id != tx.Account() || n != was+1 || out.Result != ter.TesSUCCESS {
			p.fail("%s's owner count went %d -> %d (result %s)", p.nameOf[id], was, n, out.Result)
		}
		switch tx.Type() {
		case codec.TxTrustSet:
			if was < 2 {
				continue
			}
		case codec.TxSignerListSet, codec.TxRelationSet, codec.TxValidatorApply, codec.TxValidatorVote:
		default:
			p.fail("a %s added an owned object", tx.Type())
		}
		if prior := pre.balances[id]; prior < fees.AccountReserve(was+1) {
			p.fail("object %d created with a balance of %d drops, reserve %d", n, prior, fees.AccountReserve(was+1))
		}
	}
	// And the other way round: a reserve failure means the rule above said no.
	src := tx.Account()
	owners, prior := pre.owners[src], pre.balances[src]
	switch out.Result {
	case ter.TecNO_LINE_INSUF_RESERVE, ter.TecINSUF_RESERVE_LINE:
		if owners < 2 {
			p.fail("%s for an account owning %d objects; the first two trust lines need no reserve", out.Result, owners)
		}
		fallthrough
	case ter.TecINSUFFICIENT_RESERVE:
		if prior >= fees.AccountReserve(owners+1) {
			p.fail("%s with a balance of %d drops, which covers the reserve %d", out.Result, prior, fees.AccountReserve(owners+1))
		}
	case ter.TecUNFUNDED_PAYMENT:
		amt, _ := tx.Object().Amount(sf.Amount)
		if need := amt.Drops() + max(fees.AccountReserve(owners), tx.Fee().Drops()); prior >= need {
			p.fail("%s with a balance of %d drops, enough for %d", out.Result, prior, need)
		}
	}
}

// checkTecClaimsOnlyTheFee: a tec result touches the sender's root only,
// and only its balance, sequence, threading and AccountTxnID.
func (p *propRun) checkTecClaimsOnlyTheFee(tx *Tx, out Outcome) {
	if len(out.Changes) != 1 || out.Changes[0].Key != AccountKeylet(tx.Account()).Key {
		p.fail("%s changed %d entries", out.Result, len(out.Changes))
	}
	allowed := []*sf.Field{sf.Balance, sf.Sequence, sf.PreviousTxnID, sf.PreviousTxnLgrSeq, sf.AccountTxnID}
	for _, f := range propDiff(out.Changes[0].Before, out.Changes[0].After) {
		if !slices.Contains(allowed, f) {
			p.fail("%s changed the sender's %s", out.Result, f.Name)
		}
	}
	if out.Delivered != nil {
		p.fail("%s delivered %v", out.Result, out.Delivered)
	}
}

// propDiff lists the fields whose presence or value differ.
func propDiff(a, b *codec.STObject) []*sf.Field {
	var out []*sf.Field
	a.Each(func(f *sf.Field, v any) bool {
		if w, ok := b.Get(f); !ok || !codec.ValueEqual(v, w) {
			out = append(out, f)
		}
		return true
	})
	b.Each(func(f *sf.Field, _ any) bool {
		if !a.Has(f) {
			out = append(out, f)
		}
		return true
	})
	return out
}

// checkMeta: the metadata lists exactly the changes, in key order, and
// replaying it on the pre-state gives the post-state. A CreatedNode did not
// exist and its NewFields are the entry's non-default fields; a DeletedNode
// existed and is gone; a ModifiedNode's PreviousFields are exactly the old
// values of the fields that changed and its FinalFields the new values.
func (p *propRun) checkMeta(tx *Tx, out Outcome, index uint32) {
	m := out.Meta
	if m == nil {
		p.fail("applied without metadata")
	}
	if m.UInt32(sf.TransactionIndex) != index || ter.Code(m.UInt8(sf.TransactionResult)) != out.Result {
		p.fail("meta index %d result %d, want %d %s", m.UInt32(sf.TransactionIndex), m.UInt8(sf.TransactionResult), index, out.Result)
	}
	nodes := m.Array(sf.AffectedNodes)
	if len(nodes) != len(out.Changes) {
		p.fail("%d affected nodes for %d changes", len(nodes), len(out.Changes))
	}
	seq := p.e.open.Seq()
	visible := sf.MetaAlways | sf.MetaChangeNew
	for i, it := range nodes {
		c, n := out.Changes[i], it.Object
		if n.Hash256(sf.LedgerIndex) != c.Key || codec.EntryType(n.UInt16(sf.LedgerEntryType)) != c.Type {
			p.fail("affected node %d is %X, change is %X", i, n.Hash256(sf.LedgerIndex), c.Key)
		}
		if i > 0 && bytes.Compare(out.Changes[i-1].Key[:], c.Key[:]) >= 0 {
			p.fail("changes are not in key order")
		}
		_, existed := p.mirror[c.Key]
		pf, ff := propObj(n.Object(sf.PreviousFields)), propObj(n.Object(sf.FinalFields))
		switch {
		case c.Before == nil:
			if it.Field != sf.CreatedNode || existed || c.After == nil {
				p.fail("created %X: node %s, existed %v", c.Key, it.Field.Name, existed)
			}
			nf := propObj(n.Object(sf.NewFields))
			want := 0
			c.After.Each(func(f *sf.Field, v any) bool {
				if f.InMeta(sf.MetaCreate|sf.MetaAlways) && !propIsDefault(v) {
					want++
					if nv, ok := nf.Get(f); !ok || !codec.ValueEqual(v, nv) {
						p.fail("created %v: NewFields %s is %v, entry has %v", c.Type, f.Name, nv, v)
					}
				}
				return true
			})
			if nf.Len() != want {
				p.fail("created %v: NewFields has %d fields, want %d", c.Type, nf.Len(), want)
			}
		case c.After == nil:
			if it.Field != sf.DeletedNode || !existed {
				p.fail("deleted %X: node %s, existed %v", c.Key, it.Field.Name, existed)
			}
			pf.Each(func(f *sf.Field, v any) bool {
				if w, _ := c.Before.Get(f); !codec.ValueEqual(v, w) {
					p.fail("deleted %v: PreviousFields %s is %v, was %v", c.Type, f.Name, v, w)
				}
				return true
			})
			ff.Each(func(f *sf.Field, v any) bool {
				if w, _ := c.Before.Get(f); !pf.Has(f) && !codec.ValueEqual(v, w) {
					p.fail("deleted %v: FinalFields %s is %v but it did not change from %v", c.Type, f.Name, v, w)
				}
				return true
			})
		default:
			if it.Field != sf.ModifiedNode || !existed {
				p.fail("modified %X: node %s, existed %v", c.Key, it.Field.Name, existed)
			}
			c.Before.Each(func(f *sf.Field, v any) bool {
				if !f.InMeta(sf.MetaChangeOrig) {
					return true
				}
				nv, ok := c.After.Get(f)
				changed := !ok || !codec.ValueEqual(v, nv)
				if pv, listed := pf.Get(f); listed != changed || listed && !codec.ValueEqual(pv, v) {
					p.fail("modified %v: %s %v -> %v, PreviousFields has %v", c.Type, f.Name, v, nv, pv)
				}
				return true
			})
			pf.Each(func(f *sf.Field, _ any) bool {
				if !c.Before.Has(f) {
					p.fail("modified %v: PreviousFields has %s, which the entry did not", c.Type, f.Name)
				}
				return true
			})
			replayed := c.Before.Clone()
			pf.Each(func(f *sf.Field, _ any) bool {
				if !ff.Has(f) {
					replayed.Delete(f)
				}
				return true
			})
			ff.Each(func(f *sf.Field, v any) bool {
				if !f.InMeta(visible) {
					p.fail("modified %v: FinalFields has %s", c.Type, f.Name)
				}
				replayed.Set(f, v)
				return true
			})
			for _, f := range propDiff(replayed, c.After) {
				if f.InMeta(visible) {
					p.fail("modified %v: replaying the metadata gives %s = %v, the entry has it %v", c.Type, f.Name, propGet(replayed, f), propGet(c.After, f))
				}
			}
			if threaded(c.Type) {
				prev := c.Before.Hash256(sf.PreviousTxnID)
				if n.Has(sf.PreviousTxnID) != (prev != codec.Hash256{}) || n.Hash256(sf.PreviousTxnID) != prev ||
					n.UInt32(sf.PreviousTxnLgrSeq) != c.Before.UInt32(sf.PreviousTxnLgrSeq) {
					p.fail("modified %v: node threads to %X, the entry was at %X", c.Type, n.Hash256(sf.PreviousTxnID), prev)
				}
			}
		}
		if c.After != nil && threaded(c.Type) && (c.After.Hash256(sf.PreviousTxnID) != tx.ID() || c.After.UInt32(sf.PreviousTxnLgrSeq) != seq) {
			p.fail("%v %X is not threaded through this transaction", c.Type, c.Key)
		}
	}
	d, hasD := m.Amount(sf.DeliveredAmount)
	if hasD != (out.Delivered != nil) || hasD && !d.Equal(*out.Delivered) {
		p.fail("DeliveredAmount %v in meta, outcome %v", d, out.Delivered)
	}
	if hasD && tx.Flags()&TfPartialPayment == 0 {
		p.fail("a payment without the partial flag delivered %v", d)
	}
	if tx.Type() == codec.TxPayment && out.Result == ter.TesSUCCESS {
		want, _ := tx.Object().Amount(sf.Amount)
		if hasD {
			want = d
		}
		if got, ok := DeliveredAmount(tx.Object(), m); !ok || !got.Equal(want) {
			p.fail("DeliveredAmount helper says %v %v, want %v", got, ok, want)
		}
	}
}

// propIsDefault is rippled's isDefault: the values NewFields leaves out.
func propIsDefault(v any) bool {
	switch x := v.(type) {
	case uint8:
		return x == 0
	case uint16:
		return x == 0
	case uint32:
		return x == 0
	case uint64:
		return x == 0
	case codec.Hash128:
		return x == codec.Hash128{}
	case codec.Hash160:
		return x == codec.Hash160{}
	case codec.Hash256:
		return x == codec.Hash256{}
	case codec.Amount:
		return x.IsNative() && x.IsZero()
	case []byte:
		return len(x) == 0
	case codec.Array:
		return len(x) == 0
	case codec.Vector256:
		return len(x) == 0
	case codec.PathSet:
		return len(x) == 0
	case *codec.STObject:
		return x.Len() == 0
	}
	return false
}

func propObj(o *codec.STObject) *codec.STObject {
	if o == nil {
		return codec.NewObject(0)
	}
	return o
}

func propGet(o *codec.STObject, f *sf.Field) any {
	v, _ := o.Get(f)
	return v
}

// propSideAsks reports whether side s asks something of a line (a limit, a
// quality, NoSkywell, Freeze, or a positive balance) and so must carry its
// owner's reserve.
func propSideAsks(line *codec.STObject, s side) bool {
	lim, _ := line.Amount(s.limit)
	held := lineBalance(line, s)
	return !lim.IsZero() || line.UInt32(s.qIn) != 0 || line.UInt32(s.qOut) != 0 ||
		line.UInt32(sf.Flags)&(s.noSkywell|s.frz) != 0 || held.Sign() > 0
}

// checkInvariants checks the whole state: entries sit at their keys, lines
// are well formed and carry a side's reserve exactly while that side asks
// something, owner counts equal the reserve-needing objects, and owner
// directories list exactly the owned entries on the pages they record.
func (p *propRun) checkInvariants() {
	type owned struct {
		reserves uint32
		entries  map[codec.Hash256]uint64 // entry -> page it says it is on
	}
	accts := map[codec.AccountID]*owned{}
	roots := map[codec.AccountID]*codec.STObject{}
	var applicants, removals []codec.AccountID
	evidence := map[codec.Hash256]bool{}
	pages := 0
	for k, o := range p.mirror {
		switch codec.EntryType(o.UInt16(sf.LedgerEntryType)) {
		case codec.EntryAccountRoot:
			id := o.Account(sf.Account)
			if k != AccountKeylet(id).Key {
				p.fail("account root of %s at %X", id, k)
			}
			roots[id] = o
			accts[id] = &owned{entries: map[codec.Hash256]uint64{}}
		case codec.EntryDirectoryNode:
			pages++
		}
	}
	own := func(id codec.AccountID, k codec.Hash256, page uint64, reserve bool) {
		a := accts[id]
		if a == nil {
			p.fail("entry %X belongs to %s, which has no account", k, id)
		}
		a.entries[k] = page
		if reserve {
			a.reserves++
		}
	}
	for k, o := range p.mirror {
		switch codec.EntryType(o.UInt16(sf.LedgerEntryType)) {
		case codec.EntrySkywellState:
			lo, _ := o.Amount(sf.LowLimit)
			hi, _ := o.Amount(sf.HighLimit)
			bal, _ := o.Amount(sf.Balance)
			cur := lo.Currency()
			if !accountLess(lo.Issuer(), hi.Issuer()) || hi.Currency() != cur || bal.Currency() != cur || bal.Issuer() != propAccountOne {
				p.fail("malformed line %v", o.JSON())
			}
			if k != TrustLineKeylet(lo.Issuer(), hi.Issuer(), cur).Key {
				p.fail("line %v at the wrong key", o.JSON())
			}
			if lineBalance(o, lowSide).Cmp(lineBalance(o, highSide).Neg()) != 0 {
				p.fail("line balance seen from both sides does not cancel: %v", o.JSON())
			}
			flags := o.UInt32(sf.Flags)
			asks := false
			for _, s := range []side{lowSide, highSide} {
				a := propSideAsks(o, s)
				asks = asks || a
				if (flags&s.reserve != 0) != a {
					p.fail("line %s/%s %s: %s side asks something %v, has the reserve flag %v: %v",
						p.nameOf[lo.Issuer()], p.nameOf[hi.Issuer()], cur, map[bool]string{false: "low", true: "high"}[s.high], a, flags&s.reserve != 0, o.JSON())
				}
				for _, q := range []*sf.Field{s.qIn, s.qOut} {
					if o.Has(q) && (o.UInt32(q) == 0 || o.UInt32(q) == QualityOne) {
						p.fail("line stores %s = %d; 0 and 1.0 are stored as absent", q.Name, o.UInt32(q))
					}
				}
			}
			if !asks {
				p.fail("line %v asks nothing of either side and should have been deleted", o.JSON())
			}
			own(lo.Issuer(), k, o.UInt64(sf.LowNode), flags&LsfLowReserve != 0)
			own(hi.Issuer(), k, o.UInt64(sf.HighNode), flags&LsfHighReserve != 0)
		case codec.EntrySignerList:
			id := o.Account(sf.Account)
			if k != SignerListKeylet(id).Key {
				p.fail("signer list of %s at the wrong key", p.nameOf[id])
			}
			entries := o.Array(sf.SignerEntries)
			total := uint32(0)
			for i, e := range entries {
				total += uint32(e.Object.UInt16(sf.SignerWeight))
				if i > 0 && !accountLess(entries[i-1].Object.Account(sf.Account), e.Object.Account(sf.Account)) {
					p.fail("signer entries are not sorted")
				}
			}
			if q := o.UInt32(sf.SignerQuorum); len(entries) == 0 || len(entries) > MaxSigners || q == 0 || q > total {
				p.fail("signer list with %d entries, quorum %d of %d", len(entries), q, total)
			}
			own(id, k, o.UInt64(sf.OwnerNode), true)
		case codec.EntryRelation:
			id := o.Account(sf.Account)
			lim, _ := o.Amount(sf.LimitAmount)
			if k != RelationKeylet(id, o.Account(sf.Target), o.UInt32(sf.RelationType), lim.Issue()).Key {
				p.fail("relation %v at the wrong key", o.JSON())
			}
			own(id, k, o.UInt64(sf.OwnerNode), true)
		case codec.EntryValidatorApplication:
			id := o.Account(sf.Account)
			if k != ValidatorApplicationKeylet(id).Key || crypto.AccountIDFromPublicKey(o.Blob(sf.NodePublicKey)) != id || len(o.Blob(sf.VRFPublicKey)) != VRFPublicKeySize {
				p.fail("malformed validator application %v", o.JSON())
			}
			p.checkApprovals(o)
			applicants = append(applicants, id)
			own(id, k, o.UInt64(sf.OwnerNode), true)
		case codec.EntryValidatorRemoval:
			target := o.Account(sf.Target)
			if k != ValidatorRemovalKeylet(target).Key || crypto.AccountIDFromPublicKey(o.Blob(sf.NodePublicKey)) != target {
				p.fail("malformed validator removal %v", o.JSON())
			}
			p.checkApprovals(o)
			removals = append(removals, target)
			own(o.Account(sf.Account), k, o.UInt64(sf.OwnerNode), true)
		case codec.EntryValidatorSet:
			if k != ValidatorSetKeylet().Key {
				p.fail("a ValidatorSet at %X", k)
			}
		case codec.EntryValidatorEvidence:
			data := o.Blob(sf.EvidenceData)
			if k != EvidenceKeylet(data).Key || len(data) == 0 || o.Account(sf.Offender).IsZero() || o.UInt32(sf.LedgerSequence) == 0 ||
				o.UInt32(sf.LedgerSequence) > o.UInt32(sf.PreviousTxnLgrSeq) {
				p.fail("malformed validator evidence %v", o.JSON())
			}
			evidence[k] = true
		}
	}
	p.checkValidatorEntries(applicants, removals)
	walked := 0
	for id, a := range accts {
		root := roots[id]
		if root.UInt32(sf.OwnerCount) != a.reserves {
			p.fail("%s has OwnerCount %d but %d objects that need a reserve", p.nameOf[id], root.UInt32(sf.OwnerCount), a.reserves)
		}
		if root.UInt32(sf.Flags)&LsfDisableMaster != 0 && !root.Has(sf.RegularKey) && p.mirror[SignerListKeylet(id).Key] == nil {
			p.fail("%s is locked out: master key disabled, no regular key, no signer list", p.nameOf[id])
		}
		dir := OwnerDirKeylet(id).Key
		seen := map[codec.Hash256]bool{}
		walkedHere := 0
		first := p.mirror[dir]
		for pageNo, prev := uint64(0), uint64(0); first != nil; {
			pg := p.mirror[DirPageKeylet(dir, pageNo).Key]
			if pg == nil {
				p.fail("%s's directory links to missing page %d", p.nameOf[id], pageNo)
			}
			walked++
			walkedHere++
			if pg.Account(sf.Owner) != id || pg.Hash256(sf.RootIndex) != dir {
				p.fail("%s's directory page %d has owner %s root %X", p.nameOf[id], pageNo, pg.Account(sf.Owner), pg.Hash256(sf.RootIndex))
			}
			idx := pg.Vector256(sf.Indexes)
			if len(idx) == 0 && (pageNo != 0 || !pg.Has(sf.IndexNext)) {
				p.fail("%s's directory page %d is empty", p.nameOf[id], pageNo)
			}
			if len(idx) == 0 {
				p.events["empty directory root kept"]++
			}
			if len(idx) > 32 { // rippled's dirNodeMaxEntries; page layout is hashed into the state
				p.fail("%s's directory page %d holds %d entries", p.nameOf[id], pageNo, len(idx))
			}
			if pageNo != 0 && pg.UInt64(sf.IndexPrevious) != prev {
				p.fail("%s's directory page %d points back to %d, not %d", p.nameOf[id], pageNo, pg.UInt64(sf.IndexPrevious), prev)
			}
			for _, k := range idx {
				page, ok := a.entries[k]
				switch {
				case seen[k]:
					p.fail("%s's directory lists %X twice", p.nameOf[id], k)
				case !ok:
					p.fail("%s's directory lists %X, which does not exist or is not %s's", p.nameOf[id], k, p.nameOf[id])
				case page != pageNo:
					p.fail("%X says it is on page %d of %s's directory, it is on page %d", k, page, p.nameOf[id], pageNo)
				}
				seen[k] = true
			}
			next := pg.UInt64(sf.IndexNext)
			if next == 0 {
				if first.UInt64(sf.IndexPrevious) != pageNo {
					p.fail("%s's directory root says the last page is %d, it is %d", p.nameOf[id], first.UInt64(sf.IndexPrevious), pageNo)
				}
				break
			}
			prev, pageNo = pageNo, next
		}
		p.maxPages = max(p.maxPages, walkedHere)
		if len(seen) != len(a.entries) {
			p.fail("%s owns %d entries, its directory lists %d", p.nameOf[id], len(a.entries), len(seen))
		}
		got := OwnedEntries(p.e.open, id)
		if len(got) != len(seen) {
			p.fail("OwnedEntries(%s) has %d entries, want %d", p.nameOf[id], len(got), len(seen))
		}
		for _, k := range got {
			if !seen[k] {
				p.fail("OwnedEntries(%s) lists %X", p.nameOf[id], k)
			}
		}
	}
	walked += p.checkEvidenceDirectory(evidence)
	if walked != pages {
		p.fail("%d directory pages in the state, %d reachable from owners and the evidence directory", pages, walked)
	}
}

// checkEvidenceDirectory: the evidence directory lists every
// ValidatorEvidence entry once, in pages of at most 32 with no Owner, and
// Evidence reads them in that order. It returns the pages walked.
func (p *propRun) checkEvidenceDirectory(evidence map[codec.Hash256]bool) int {
	dir := EvidenceDirKeylet().Key
	var listed []codec.Hash256
	walked := 0
	for pageNo := uint64(0); p.mirror[dir] != nil; {
		pg := p.mirror[DirPageKeylet(dir, pageNo).Key]
		if pg == nil {
			p.fail("the evidence directory links to missing page %d", pageNo)
		}
		walked++
		idx := pg.Vector256(sf.Indexes)
		if pg.Has(sf.Owner) || pg.Hash256(sf.RootIndex) != dir || len(idx) == 0 || len(idx) > 32 {
			p.fail("evidence directory page %d: %v", pageNo, pg.JSON())
		}
		listed = append(listed, idx...)
		if pageNo = pg.UInt64(sf.IndexNext); pageNo == 0 {
			break
		}
	}
	seen := map[codec.Hash256]bool{}
	for _, k := range listed {
		if seen[k] || !evidence[k] {
			p.fail("the evidence directory lists %X twice or for no entry", k)
		}
		seen[k] = true
	}
	if len(seen) != len(evidence) {
		p.fail("%d evidence entries, the directory lists %d", len(evidence), len(seen))
	}
	got, err := Evidence(p.e.open)
	if err != nil || len(got) != len(listed) {
		p.fail("Evidence: %d entries (%v), the directory lists %d", len(got), err, len(listed))
	}
	for i, ev := range got {
		if ev.Key != listed[i] {
			p.fail("Evidence()[%d] is %X, the directory has %X", i, ev.Key, listed[i])
		}
	}
	p.maxEvidencePages = max(p.maxEvidencePages, walked)
	return walked
}

// ---- close-time checks ----

func (p *propRun) closeLedger() {
	parent := p.e.closed
	l := p.e.close()
	p.closes++
	h := l.Header()
	ci := CloseInfo{CloseTime: h.CloseTime, Resolution: h.CloseTimeResolution, Flags: h.CloseFlags}
	if h.Seq != parent.Seq()+1 || h.ParentHash != parent.Hash() || h.ParentCloseTime != parent.Header().CloseTime {
		p.fail("ledger %d does not chain to %d", h.Seq, parent.Seq())
	}
	if h.TotalCoins != JingtumTotalCoins-p.burnt {
		p.fail("TotalCoins %d, want supply - destroyed fees = %d", h.TotalCoins, JingtumTotalCoins-p.burnt)
	}

	// The state tree is exactly the mirror, and its balances sum to TotalCoins.
	var total uint64
	n := 0
	for k, data := range l.State().All() {
		n++
		m, ok := p.mirror[k]
		if !ok || !bytes.Equal(m.Encode(), data) {
			p.fail("closed state entry %X differs from the changes applied (in mirror: %v)", k, ok)
		}
		o, err := codec.Decode(data)
		if err != nil {
			p.fail("closed state entry %X: %v", k, err)
		}
		if codec.EntryType(o.UInt16(sf.LedgerEntryType)) == codec.EntryAccountRoot {
			b, _ := o.Amount(sf.Balance)
			total += uint64(b.Drops())
		}
	}
	if n != len(p.mirror) {
		p.fail("closed state has %d entries, the changes applied leave %d", n, len(p.mirror))
	}
	if total != h.TotalCoins {
		p.fail("balances in ledger %d sum to %d, header TotalCoins %d", h.Seq, total, h.TotalCoins)
	}

	// The transaction tree holds exactly the applied transactions, in order.
	txs, err := l.Transactions()
	if err != nil || len(txs) != len(p.ledgerTxs) {
		p.fail("ledger has %d transactions (%v), %d applied", len(txs), err, len(p.ledgerTxs))
	}
	for i, t := range txs {
		if t.Tx.ID() != p.ledgerTxs[i].ID() || t.Index() != uint32(i) || t.Result() != p.ledgerResults[i] {
			p.fail("transaction %d in the tree is %X %s, applied %X %s", i, t.Tx.ID(), t.Result(), p.ledgerTxs[i].ID(), p.ledgerResults[i])
		}
	}

	// Replaying only the applied transactions on the parent rebuilds the
	// same ledger: the failures left no trace.
	o := parent.Open()
	for i, tx := range p.ledgerTxs {
		again, err := DecodeTx(tx.Blob())
		if err != nil {
			p.fail("decode applied transaction: %v", err)
		}
		if out := propApplyOn(o, again); out.Result != p.ledgerResults[i] {
			p.fail("rebuilding ledger %d: transaction %d gives %s, first time %s", h.Seq, i, out.Result, p.ledgerResults[i])
		}
	}
	if r := o.Close(ci); r.Hash() != l.Hash() || r.Header().AccountHash != h.AccountHash || r.Header().TxHash != h.TxHash {
		p.fail("rebuilding ledger %d from its applied transactions gives a different ledger", h.Seq)
	}
	if r, err := Rebuild(h, l.State().Snapshot(), l.TxTree().Snapshot()); err != nil || r.Hash() != l.Hash() || r.Fees() != l.Fees() {
		p.fail("Rebuild from the stored trees: %v", err)
	}

	p.checkValidatorsFixedAhead(parent, l)
	p.checkShuffledTrees(l)
	p.checkOrderIndependence(l)
	p.ledgerTxs, p.ledgerResults = nil, nil
}

// checkShuffledTrees rebuilds the state and transaction trees by inserting
// their leaves in a random order, with unrelated keys written and removed in
// between, and expects the header's roots.
func (p *propRun) checkShuffledTrees(l *Ledger) {
	for _, tree := range []struct {
		m    *shamap.Map
		want codec.Hash256
		name string
	}{{l.State(), l.Header().AccountHash, "state"}, {l.TxTree(), l.Header().TxHash, "transaction"}} {
		type leaf struct {
			k codec.Hash256
			v []byte
		}
		var leaves []leaf
		for k, v := range tree.m.All() {
			leaves = append(leaves, leaf{k, v})
		}
		p.r.Shuffle(len(leaves), func(i, j int) { leaves[i], leaves[j] = leaves[j], leaves[i] })
		m := shamap.New(tree.m.Kind())
		var junk []codec.Hash256
		for _, lf := range leaves {
			m.Put(lf.k, lf.v)
			if p.chance(20) {
				var j codec.Hash256
				for i := range j {
					j[i] = byte(p.r.Uint32())
				}
				m.Put(j, lf.v)
				junk = append(junk, j)
			}
		}
		p.r.Shuffle(len(junk), func(i, j int) { junk[i], junk[j] = junk[j], junk[i] })
		for _, j := range junk {
			m.Delete(j)
		}
		if m.Hash() != tree.want {
			p.fail("%s tree of ledger %d rebuilt in another order has root %X, header %X", tree.name, l.Seq(), m.Hash(), tree.want)
		}
	}
}

// checkOrderIndependence applies two transactions over disjoint accounts in
// both orders on the new ledger: two SWT payments between four distinct
// accounts, and a random pair of generated transactions.
func (p *propRun) checkOrderIndependence(l *Ledger) {
	fees := l.Fees()
	var cands []string
	for _, n := range p.existing() {
		if p.goodKey(n) != "" && p.balanceOf(n) > fees.AccountReserve(p.root(n).UInt32(sf.OwnerCount))+2_000_000 {
			cands = append(cands, n)
		}
	}
	if len(cands) >= 4 {
		p.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		payment := func(from, to string) *Tx {
			f := pay(p.addr(to), fmt.Sprint(1+p.r.Int64N(1_000_000)))
			f["DestinationTag"] = 1
			return p.e.tx(from, f, p.goodKey(from))
		}
		p.checkCommute(l, payment(cands[0], cands[1]), payment(cands[2], cands[3]), true)
		p.commuted++
	}
	for try := 0; try < 5; try++ {
		a, b := p.generate(), p.generate()
		if propDisjoint(propAccounts(a.tx), propAccounts(b.tx)) {
			p.checkCommute(l, a.tx, b.tx, false)
			p.commutedRand++
			break
		}
	}
}

func (p *propRun) checkCommute(l *Ledger, a, b *Tx, mustApply bool) {
	ci := CloseInfo{CloseTime: l.Header().CloseTime + 10, Resolution: 10}
	ab, ba := l.Open(), l.Open()
	a1, b1 := propApplyOn(ab, a), propApplyOn(ab, b)
	b2, a2 := propApplyOn(ba, b), propApplyOn(ba, a)
	if a1.Result != a2.Result || b1.Result != b2.Result {
		p.fail("order changes results: A %s/%s, B %s/%s", a1.Result, a2.Result, b1.Result, b2.Result)
	}
	if mustApply && (!a1.Applied || !b1.Applied) {
		p.fail("commuting payments were not applied: %s (%s), %s (%s)", a1.Result, a1.Detail, b1.Result, b1.Detail)
	}
	for _, ca := range a1.Changes {
		for _, cb := range b1.Changes {
			if ca.Key == cb.Key {
				p.fail("transactions over disjoint accounts both changed %X (%v)", ca.Key, ca.Type)
			}
		}
	}
	l1, l2 := ab.Close(ci), ba.Close(ci)
	if l1.Header().AccountHash != l2.Header().AccountHash {
		p.fail("state root depends on the order of two independent transactions (%s, %s)", a1.Result, b1.Result)
	}
	if !a1.Applied || !b1.Applied {
		p.events["order swap, one applied"]++
		if l1.Header().TxHash != l2.Header().TxHash {
			p.fail("transaction roots differ with at most one transaction applied")
		}
		return
	}
	p.events["order swap, both applied"]++
	// Both applied: the transaction trees differ, but only in each
	// transaction's TransactionIndex.
	if l1.Header().TxHash == l2.Header().TxHash {
		p.fail("transaction roots equal although the transactions swapped places")
	}
	for _, tx := range []*Tx{a, b} {
		m1, ok1, _ := l1.Tx(tx.ID())
		m2, ok2, _ := l2.Tx(tx.ID())
		if !ok1 || !ok2 || m1.Index()+m2.Index() != 1 {
			p.fail("transaction %X at indexes %d and %d", tx.ID(), m1.Index(), m2.Index())
		}
		swapped := m1.Meta.Clone()
		swapped.Set(sf.TransactionIndex, m2.Index())
		if !swapped.Equal(m2.Meta) {
			p.fail("metadata of %X differs between the two orders beyond TransactionIndex", tx.ID())
		}
	}
}

// propAccounts lists the accounts a transaction reads or writes entries of.
// Every entry the TX layer keeps is keyed by the accounts it belongs to, so
// transactions with disjoint account sets touch disjoint entries.
func propAccounts(tx *Tx) map[codec.AccountID]bool {
	obj := tx.Object()
	s := map[codec.AccountID]bool{tx.Account(): true}
	switch tx.Type() {
	case codec.TxValidatorApply, codec.TxValidatorVote:
		s[propValidatorState] = true
		s[crypto.AccountIDFromPublicKey(obj.Blob(sf.NodePublicKey))] = true
	}
	for _, f := range []*sf.Field{sf.Destination, sf.Target} {
		if a, ok := obj.LookupAccount(f); ok {
			s[a] = true
		}
	}
	for _, f := range []*sf.Field{sf.Amount, sf.SendMax, sf.LimitAmount} {
		if a, ok := obj.Amount(f); ok && !a.IsNative() {
			s[a.Issuer()] = true
		}
	}
	for _, it := range obj.Array(sf.Signers) {
		s[it.Object.Account(sf.Account)] = true
	}
	for _, path := range obj.PathSet(sf.Paths) {
		for _, step := range path {
			s[step.Account], s[step.Issuer] = true, true
		}
	}
	return s
}

func propDisjoint(a, b map[codec.AccountID]bool) bool {
	for k := range a {
		if b[k] {
			return false
		}
	}
	return true
}

// report logs what the run covered, so a reader can see the generator
// reaches the interesting results.
func (p *propRun) report() {
	kinds := make([]string, 0, len(p.stats))
	for k := range p.stats {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var b strings.Builder
	fmt.Fprintf(&b, "%d transactions, %d ledgers, %d applied, %d drops destroyed, %d rounded usercoin steps, %d+%d order swaps, largest directory %d pages\n",
		p.step, p.closes, len(p.applied), p.burnt, p.rounded, p.commuted, p.commutedRand, p.maxPages)
	for _, k := range kinds {
		type rc struct {
			code ter.Code
			n    int
		}
		var rs []rc
		for c, n := range p.stats[k] {
			rs = append(rs, rc{c, n})
		}
		slices.SortFunc(rs, func(a, b rc) int { return cmp.Or(b.n-a.n, int(a.code-b.code)) })
		fmt.Fprintf(&b, "  %-22s", k)
		for _, r := range rs {
			fmt.Fprintf(&b, " %s=%d", r.code.Token(), r.n)
		}
		b.WriteByte('\n')
	}
	events := make([]string, 0, len(p.events))
	for e := range p.events {
		events = append(events, e)
	}
	slices.Sort(events)
	for _, e := range events {
		fmt.Fprintf(&b, "  event %q=%d\n", e, p.events[e])
	}
	p.t.Log(b.String())
}

// propCoverage is what every run of the default length reaches (each
// happened at least 5 times in every one of 120 seeded runs of 1000 steps),
// so a run that misses one means the generator or the TX layer stopped
// doing something, and the properties above hold vacuously for it.
var propCoverage = []string{
	"tes fund", "tes pay-swt", "tes pay-iou", "tes trust", "tes accountset", "tes regkey", "tes signers", "tes relation",
	"tes multi-signed", "tes signed with a regular key", "tec result", "partial delivery",
	"created AccountRoot", "created SkywellState", "created SignerList", "created Relation",
	"order swap, both applied", "replay-same-ledger tefALREADY", "replay-earlier-ledger tefPAST_SEQ",
	"tes validator-apply", "tes validator-vote", "created ValidatorApplication", "created ValidatorRemoval",
	"validator change scheduled", "tes evidence", "created ValidatorEvidence",
}

func (p *propRun) checkCoverage() {
	if *propSteps < 1000 {
		return
	}
	for _, e := range propCoverage {
		if p.events[e] == 0 {
			p.t.Errorf("seed %d: %d steps never produced %q; the properties were not exercised there", p.seed, *propSteps, e)
		}
	}
}

// ---- exact arithmetic ----

// propRat is v as an exact rational.
func propRat(v codec.Value) *big.Rat {
	r := new(big.Rat).SetInt(new(big.Int).SetUint64(v.Mantissa()))
	if v.IsZero() {
		return r
	}
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(propAbs(v.Exponent()))), nil))
	if v.Exponent() >= 0 {
		r.Mul(r, scale)
	} else {
		r.Quo(r, scale)
	}
	if v.Negative() {
		r.Neg(r)
	}
	return r
}

func propAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func propRatOr0(r *big.Rat) *big.Rat {
	if r == nil {
		return new(big.Rat)
	}
	return r
}

func propAdd[K comparable](m map[K]*big.Rat, k K, v *big.Rat) {
	if m[k] == nil {
		m[k] = new(big.Rat)
	}
	m[k].Add(m[k], v)
}
