package ledger

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
)

// ---- helpers ----

func applyFor(e *env, name string) map[string]any {
	return map[string]any{"TransactionType": "ValidatorApply",
		"NodePublicKey": hex.EncodeToString(e.key(name).PublicKey()), "VRFPublicKey": hex.EncodeToString(e.vrfKey(name))}
}

func voteOn(e *env, target string, action uint32) map[string]any {
	return map[string]any{"TransactionType": "ValidatorVote",
		"NodePublicKey": hex.EncodeToString(e.key(target).PublicKey()), "ValidatorAction": action}
}

// validatorNames is the set in force at height according to view, as names.
func (e *env) validatorNames(view ReadView, height uint32) []string {
	e.t.Helper()
	vs, err := ValidatorsAt(view, height)
	if err != nil {
		e.t.Fatalf("ValidatorsAt(%d, %d): %v", view.Seq(), height, err)
	}
	var out []string
	for i, v := range vs {
		if i > 0 && !accountLess(vs[i-1].Account, v.Account) {
			e.t.Fatalf("validators at %d are not sorted by account", height)
		}
		name := e.nameOf(v.Account)
		if !bytes.Equal(v.NodePublicKey, e.key(name).PublicKey()) || !bytes.Equal(v.VRFPublicKey, e.vrfKey(name)) {
			e.t.Fatalf("validator %s has the wrong keys", name)
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func (e *env) nameOf(id codec.AccountID) string {
	for n, kp := range e.keys {
		if kp.AccountID() == id {
			return n
		}
	}
	e.t.Fatalf("unknown account %s", id)
	return ""
}

func names(xs ...string) []string { slices.Sort(xs); return xs }

func (e *env) approvals(k Keylet) []string {
	o := e.open.Read(k)
	if o == nil {
		return nil
	}
	var out []string
	for _, id := range approvalAccounts(o) {
		out = append(out, e.nameOf(id))
	}
	slices.Sort(out)
	return out
}

func (e *env) validatorSet() validatorSet {
	e.t.Helper()
	s, err := loadValidatorSet(e.open)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

var fourValidators = []string{"val-a", "ed-val-b", "val-c", "ed-val-d"}

// ---- genesis and ValidatorsAt ----

func TestValidatorQuorumIsNMinusF(t *testing.T) {
	// spec/rbft.md §1: n=4: Q=3; n=7: Q=5; n=10: Q=7; n=31: Q=21; and Q = ⌊2n/3⌋+1.
	for n, want := range map[int]int{1: 1, 2: 2, 3: 3, 4: 3, 7: 5, 10: 7, 31: 21} {
		if got := ValidatorQuorum(n); got != want {
			t.Errorf("Q(%d) = %d, want %d", n, got, want)
		}
	}
	for n := 1; n <= MaxValidators; n++ {
		if ValidatorQuorum(n) != 2*n/3+1 {
			t.Errorf("Q(%d) = %d, not ⌊2n/3⌋+1", n, ValidatorQuorum(n))
		}
	}
}

func TestGenesisValidatorSetIsInForceFromTheFirstHeight(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	g := e.closed
	for h := uint32(1); h <= 3; h++ {
		if got := e.validatorNames(g, h); !slices.Equal(got, names(fourValidators...)) {
			t.Fatalf("height %d: %v", h, got)
		}
	}
	if _, err := ValidatorsAt(g, 4); err == nil {
		t.Fatal("ValidatorsAt answered for a height its state cannot determine")
	}
	l := e.close() // ledger 2
	if _, err := ValidatorsAt(l, 1); err == nil {
		t.Fatal("ValidatorsAt answered for a height before its state")
	}
	// The entry is canonical: sorted members, no ValidatorChanges field.
	o := l.Read(ValidatorSetKeylet())
	if o == nil || o.Has(sf.ValidatorChanges) || len(o.Array(sf.Validators)) != 4 {
		t.Fatalf("ValidatorSet %v", o.JSON())
	}
	back, err := codec.Decode(o.Encode())
	if err != nil || !back.Equal(o) {
		t.Fatalf("ValidatorSet round trip: %v", err)
	}
	// The slices are the caller's.
	vs, _ := ValidatorsAt(l, 3)
	vs[0].NodePublicKey[1] ^= 0xFF
	if again, _ := ValidatorsAt(l, 3); bytes.Equal(again[0].NodePublicKey, vs[0].NodePublicKey) {
		t.Fatal("ValidatorsAt returned state-owned bytes")
	}
}

func TestGenesisWithoutValidatorsHasNoValidatorSet(t *testing.T) {
	e := newEnv(t)
	if n := e.closed.State().Len(); n != 2 {
		t.Fatalf("genesis without validators has %d entries, want the account and the fee settings", n)
	}
	if _, err := ValidatorsAt(e.closed, 2); !errors.Is(err, ErrNoValidatorSet) {
		t.Fatalf("ValidatorsAt: %v", err)
	}
	e.fund(100_000_000, "val-a", "alice")
	e.submit(ter.TecNO_PERMISSION, "val-a", applyFor(e, "val-a"))
	e.submit(ter.TecNO_PERMISSION, "alice", voteOn(e, "val-a", ValidatorAdd))
}

func TestGenesisRejectsABadValidatorList(t *testing.T) {
	base := GenesisConfig{Account: crypto.GenesisKeyPair().AccountID(), TotalCoins: JingtumTotalCoins, Fees: DefaultFees}
	e := newEnv(t)
	good := func(name string) GenesisValidator {
		return GenesisValidator{NodePublicKey: e.key(name).PublicKey(), VRFPublicKey: e.vrfKey(name)}
	}
	var tooMany []GenesisValidator
	for i := range MaxValidators + 1 {
		tooMany = append(tooMany, good(fmt.Sprint("v", i)))
	}
	for what, vs := range map[string][]GenesisValidator{
		"32 validators":    tooMany,
		"a repeated key":   {good("a"), good("b"), good("a")},
		"a short node key": {{NodePublicKey: e.key("a").PublicKey()[:32], VRFPublicKey: e.vrfKey("a")}},
		"a short VRF key":  {{NodePublicKey: e.key("a").PublicKey(), VRFPublicKey: e.vrfKey("a")[:31]}},
	} {
		cfg := base
		cfg.Validators = vs
		if _, err := Genesis(cfg); err == nil {
			t.Errorf("genesis with %s accepted", what)
		}
	}
	cfg := base
	cfg.Validators = tooMany[:MaxValidators]
	if _, err := Genesis(cfg); err != nil {
		t.Fatalf("31 validators: %v", err)
	}
}

// ---- adding ----

func TestValidatorAddTakesEffectTwoLedgersAfterTheQuorumVote(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...) // n=4, Q=3
	e.fund(100_000_000, "cand")
	e.close()
	before := names(fourValidators...)
	after := names(append(slices.Clone(fourValidators), "cand")...)

	e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
	app := ValidatorApplicationKeylet(e.id("cand"))
	if e.open.Read(app) == nil || e.owners("cand") != 1 {
		t.Fatalf("application missing or owner count %d", e.owners("cand"))
	}
	e.close()

	// Approvals below the quorum change nothing but the application.
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd))
	e.submit(ter.TesSUCCESS, "ed-val-d", voteOn(e, "cand", ValidatorAdd))
	if got := e.approvals(app); !slices.Equal(got, names("val-a", "ed-val-d")) {
		t.Fatalf("approvals %v", got)
	}
	if s := e.validatorSet(); len(s.changes) != 0 || len(s.members) != 4 {
		t.Fatalf("set changed below the quorum: %+v", s)
	}
	l := e.close()
	if got := e.validatorNames(l, l.Seq()+2); !slices.Equal(got, before) {
		t.Fatalf("set after two of three approvals: %v", got)
	}

	// The third approval, in ledger L, schedules the change for L+2.
	L := e.open.Seq()
	out := e.submit(ter.TesSUCCESS, "val-c", voteOn(e, "cand", ValidatorAdd))
	s := e.validatorSet()
	if len(s.changes) != 1 || s.changes[0].effective != L+2 || s.changes[0].action != ValidatorAdd || s.changes[0].Account != e.id("cand") {
		t.Fatalf("scheduled changes %+v", s.changes)
	}
	if e.open.Read(app) != nil || e.owners("cand") != 0 {
		t.Fatal("the application outlived its approval or kept its reserve")
	}
	if got := affected(out.Meta); got["DeletedNode/ValidatorApplication"] != 1 || got["ModifiedNode/ValidatorSet"] != 1 {
		t.Fatalf("affected %v", got)
	}
	lL := e.close()

	// In L+1 the newcomer cannot vote yet; in L+2 it can, and that vote folds
	// the change into Validators.
	e.fund(100_000_000, "cand2")
	e.submit(ter.TesSUCCESS, "cand2", applyFor(e, "cand2"))
	e.submit(ter.TecNO_PERMISSION, "cand", voteOn(e, "cand2", ValidatorAdd))
	lL1 := e.close()
	for _, c := range []struct {
		view   ReadView
		height uint32
		want   []string
	}{
		{lL, L, before}, {lL, L + 1, before}, {lL, L + 2, after},
		{lL1, L + 1, before}, {lL1, L + 2, after}, {lL1, L + 3, after},
	} {
		if got := e.validatorNames(c.view, c.height); !slices.Equal(got, c.want) {
			t.Errorf("from ledger %d, height %d: %v, want %v", c.view.Seq(), c.height, got, c.want)
		}
	}
	if e.open.Seq() != L+2 {
		t.Fatalf("at ledger %d, want %d", e.open.Seq(), L+2)
	}
	e.submit(ter.TesSUCCESS, "cand", voteOn(e, "cand2", ValidatorAdd))
	s = e.validatorSet()
	if len(s.changes) != 0 || len(s.members) != 5 {
		t.Fatalf("after a vote at the effective ledger: %d members, %d changes", len(s.members), len(s.changes))
	}
	if got := e.approvals(ValidatorApplicationKeylet(e.id("cand2"))); !slices.Equal(got, []string{"cand"}) {
		t.Fatalf("approvals %v", got)
	}
}

func TestASingleValidatorApprovesAloneAndTheNewcomerJoinsTheQuorum(t *testing.T) {
	e := newValidatorEnv(t, "val-a") // n=1, Q=1
	e.fund(100_000_000, "cand", "cand2")
	e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
	L := e.open.Seq()
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd))
	e.close()
	e.close()
	if got := e.validatorNames(e.closed, L+2); !slices.Equal(got, names("val-a", "cand")) {
		t.Fatalf("set %v", got)
	}
	// n=2, Q=2: the newcomer's approval is now needed.
	e.submit(ter.TesSUCCESS, "cand2", applyFor(e, "cand2"))
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand2", ValidatorAdd))
	if len(e.validatorSet().changes) != 0 {
		t.Fatal("one approval of two scheduled a change")
	}
	e.submit(ter.TesSUCCESS, "cand", voteOn(e, "cand2", ValidatorAdd))
	if s := e.validatorSet(); len(s.changes) != 1 || s.changes[0].Account != e.id("cand2") {
		t.Fatalf("changes %+v", s.changes)
	}
}

// ---- removing ----

func TestValidatorRemovalTakesEffectTwoLedgersAfterTheQuorumVote(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...) // n=4, Q=3
	e.close()
	rm := ValidatorRemovalKeylet(e.id("val-c"))
	owners := e.owners("val-a")

	// The first vote creates the proposal, owned by the voter.
	out := e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "val-c", ValidatorRemove))
	if got := affected(out.Meta); got["CreatedNode/ValidatorRemoval"] != 1 || got["CreatedNode/DirectoryNode"] != 1 {
		t.Fatalf("affected %v", got)
	}
	p := e.open.Read(rm)
	if p == nil || p.Account(sf.Account) != e.id("val-a") || p.Account(sf.Target) != e.id("val-c") || e.owners("val-a") != owners+1 {
		t.Fatalf("proposal %v, owner count %d", p, e.owners("val-a"))
	}
	// A validator may approve its own removal.
	e.submit(ter.TesSUCCESS, "val-c", voteOn(e, "val-c", ValidatorRemove))
	if got := e.approvals(rm); !slices.Equal(got, names("val-a", "val-c")) {
		t.Fatalf("approvals %v", got)
	}
	e.close()

	L := e.open.Seq()
	out = e.submit(ter.TesSUCCESS, "ed-val-b", voteOn(e, "val-c", ValidatorRemove))
	if e.open.Read(rm) != nil || e.owners("val-a") != owners {
		t.Fatal("the proposal outlived its approval or kept its reserve")
	}
	if got := affected(out.Meta); got["DeletedNode/ValidatorRemoval"] != 1 || got["ModifiedNode/ValidatorSet"] != 1 || got["ModifiedNode/AccountRoot"] != 2 {
		t.Fatalf("affected %v", got)
	}
	// A second removal of the same validator cannot start while one is scheduled.
	e.submit(ter.TecNO_TARGET, "val-a", voteOn(e, "val-c", ValidatorRemove))
	// Nor can the leaving validator reapply until it has left.
	e.submit(ter.TecNO_PERMISSION, "val-c", applyFor(e, "val-c"))
	lL := e.close()
	rest := names("val-a", "ed-val-b", "ed-val-d")
	if got := e.validatorNames(lL, L+1); !slices.Equal(got, names(fourValidators...)) {
		t.Fatalf("height L+1: %v", got)
	}
	if got := e.validatorNames(lL, L+2); !slices.Equal(got, rest) {
		t.Fatalf("height L+2: %v", got)
	}
	// In L+1 the leaving validator still votes; from L+2 it cannot.
	e.fund(100_000_000, "cand")
	e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
	e.submit(ter.TesSUCCESS, "val-c", voteOn(e, "cand", ValidatorAdd))
	e.close()
	e.submit(ter.TecNO_PERMISSION, "val-c", voteOn(e, "cand", ValidatorAdd))
	// Its approval no longer counts: with n=3 (Q=3), two more are not enough.
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd))
	e.submit(ter.TesSUCCESS, "ed-val-b", voteOn(e, "cand", ValidatorAdd))
	if got := e.approvals(ValidatorApplicationKeylet(e.id("cand"))); !slices.Equal(got, names("val-a", "ed-val-b")) {
		t.Fatalf("approvals after the approver left: %v", got)
	}
	e.submit(ter.TesSUCCESS, "ed-val-d", voteOn(e, "cand", ValidatorAdd))
	if s := e.validatorSet(); len(s.changes) != 1 || s.changes[0].Account != e.id("cand") {
		t.Fatalf("changes %+v", s.changes)
	}
	// And, once it has left, it may apply again.
	e.submit(ter.TesSUCCESS, "val-c", applyFor(e, "val-c"))
}

// ---- who may vote, and what ----

func TestValidatorVoteFromANonValidatorIsRejected(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	e.fund(100_000_000, "cand", "alice")
	e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
	for _, who := range []string{"alice", "cand"} {
		out := e.submit(ter.TecNO_PERMISSION, who, voteOn(e, "cand", ValidatorAdd))
		if got := affected(out.Meta); len(got) != 1 || got["ModifiedNode/AccountRoot"] != 1 {
			t.Fatalf("a rejected vote changed %v", got)
		}
		e.submit(ter.TecNO_PERMISSION, who, voteOn(e, "val-a", ValidatorRemove))
	}
	if got := e.approvals(ValidatorApplicationKeylet(e.id("cand"))); len(got) != 0 {
		t.Fatalf("approvals %v", got)
	}
	// A validator's regular key votes for it.
	e.submit(ter.TesSUCCESS, "val-a", map[string]any{"TransactionType": "SetRegularKey", "RegularKey": e.addr("val-a-hot")})
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd), "val-a-hot")
}

func TestValidatorVoteChecksItsTarget(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	e.fund(100_000_000, "cand")
	e.submit(ter.TecNO_ENTRY, "val-a", voteOn(e, "cand", ValidatorAdd))     // no application
	e.submit(ter.TecNO_ENTRY, "val-a", voteOn(e, "ed-val-b", ValidatorAdd)) // a member has none
	e.submit(ter.TecNO_TARGET, "val-a", voteOn(e, "cand", ValidatorRemove)) // not a member
	e.submit(ter.TemINVALID, "val-a", voteOn(e, "cand", 3))
	f := voteOn(e, "cand", ValidatorAdd)
	delete(f, "ValidatorAction")
	e.submit(ter.TemMALFORMED, "val-a", f)
	f = voteOn(e, "cand", ValidatorAdd)
	f["NodePublicKey"] = strings.Repeat("02", 32)
	e.submit(ter.TemMALFORMED, "val-a", f)
	f = voteOn(e, "cand", ValidatorAdd)
	f["VRFPublicKey"] = hex.EncodeToString(e.vrfKey("cand"))
	e.submit(ter.TemMALFORMED, "val-a", f) // a field votes do not take
}

func TestDuplicateValidatorVoteIsIdempotent(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	e.fund(100_000_000, "cand")
	e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd))
	e.close()
	out := e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd))
	if got := affected(out.Meta); len(got) != 1 || got["ModifiedNode/AccountRoot"] != 1 {
		t.Fatalf("a repeated vote changed %v", got)
	}
	if got := e.approvals(ValidatorApplicationKeylet(e.id("cand"))); !slices.Equal(got, []string{"val-a"}) {
		t.Fatalf("approvals %v", got)
	}
	// Repeats never make a quorum.
	for range 3 {
		e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd))
	}
	if len(e.validatorSet().changes) != 0 {
		t.Fatal("one validator's repeated votes scheduled a change")
	}
	// Removal votes repeat the same way.
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "val-c", ValidatorRemove))
	owners := e.owners("val-a")
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "val-c", ValidatorRemove))
	if e.owners("val-a") != owners || len(e.approvals(ValidatorRemovalKeylet(e.id("val-c")))) != 1 {
		t.Fatal("a repeated removal vote changed the proposal")
	}
}

// ---- applying ----

func TestValidatorApplicationMustBeSignedByItsNodeKey(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	e.fund(100_000_000, "cand", "alice")
	// Account is not the node key's account.
	e.submit(ter.TemBAD_SRC_ACCOUNT, "alice", applyFor(e, "cand"), "cand")
	e.submit(ter.TemBAD_SRC_ACCOUNT, "alice", applyFor(e, "cand"))
	// The account's regular key may act for it, but cannot prove the node key.
	e.submit(ter.TesSUCCESS, "cand", map[string]any{"TransactionType": "SetRegularKey", "RegularKey": e.addr("cand-hot")})
	e.submit(ter.TemBAD_SIGNATURE, "cand", applyFor(e, "cand"), "cand-hot")
	// Malformed keys.
	f := applyFor(e, "cand")
	f["VRFPublicKey"] = hex.EncodeToString(e.vrfKey("cand")[:31])
	e.submit(ter.TemMALFORMED, "cand", f)
	f = applyFor(e, "cand")
	delete(f, "VRFPublicKey")
	e.submit(ter.TemMALFORMED, "cand", f)
	f = applyFor(e, "cand")
	f["NodePublicKey"] = "04" + hex.EncodeToString(e.key("cand").PublicKey()[1:])
	e.submit(ter.TemMALFORMED, "cand", f)

	e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
	e.submit(ter.TecNO_PERMISSION, "cand", applyFor(e, "cand")) // already pending
	e.submit(ter.TecNO_PERMISSION, "val-a", applyFor(e, "val-a"))
	// ed25519 node keys apply the same way.
	e.fund(100_000_000, "ed-cand")
	e.submit(ter.TesSUCCESS, "ed-cand", applyFor(e, "ed-cand"))
}

func TestValidatorApplicationNeedsTheReserve(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	fees := e.open.Fees()
	// Enough for the account reserve and fees, not for one more object.
	e.fund(fees.AccountReserve(1)-1, "cand")
	out := e.submit(ter.TecINSUFFICIENT_RESERVE, "cand", applyFor(e, "cand"))
	if got := affected(out.Meta); len(got) != 1 {
		t.Fatalf("affected %v", got)
	}
	e.fund(11, "cand")
	bal := e.balance("cand")
	e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
	if e.owners("cand") != 1 || e.balance("cand") != bal-10 {
		t.Fatalf("owner count %d, balance %d", e.owners("cand"), e.balance("cand"))
	}
	if got := OwnedEntries(e.open, e.id("cand")); len(got) != 1 || got[0] != ValidatorApplicationKeylet(e.id("cand")).Key {
		t.Fatalf("owned %X", got)
	}
	// A removal proposal is the first voter's object and needs its reserve too.
	e2 := newValidatorEnv(t, fourValidators...)
	e2.submit(ter.TesSUCCESS, "val-a", pay(e2.addr("alice"), fmt.Sprint(e2.balance("val-a")-fees.AccountReserve(0)-10)))
	e2.submit(ter.TecINSUFFICIENT_RESERVE, "val-a", voteOn(e2, "val-c", ValidatorRemove))
	e2.submit(ter.TesSUCCESS, "ed-val-b", voteOn(e2, "val-c", ValidatorRemove))
	// Joining an existing proposal costs only the fee.
	e2.submit(ter.TesSUCCESS, "val-a", voteOn(e2, "val-c", ValidatorRemove))
}

// ---- bounds ----

func TestValidatorSetNeverExceedsThirtyOneMembers(t *testing.T) {
	var vals []string
	for i := range MaxValidators - 1 {
		vals = append(vals, fmt.Sprintf("val-%02d", i))
	}
	e := newValidatorEnv(t, vals...) // n=30, Q=21
	e.fund(100_000_000, "cand-1", "cand-2")
	e.submit(ter.TesSUCCESS, "cand-1", applyFor(e, "cand-1"))
	e.submit(ter.TesSUCCESS, "cand-2", applyFor(e, "cand-2"))
	e.submit(ter.TesSUCCESS, vals[0], voteOn(e, "cand-2", ValidatorAdd))
	for _, v := range vals[:ValidatorQuorum(30)] {
		e.submit(ter.TesSUCCESS, v, voteOn(e, "cand-1", ValidatorAdd))
	}
	// 31 with the scheduled change: no vote to add is taken, before or after
	// it takes effect.
	e.submit(ter.TecDIR_FULL, vals[1], voteOn(e, "cand-2", ValidatorAdd))
	e.close()
	e.close()
	e.submit(ter.TecDIR_FULL, "cand-1", voteOn(e, "cand-2", ValidatorAdd))
	if got := e.validatorNames(e.open, e.open.Seq()); len(got) != MaxValidators {
		t.Fatalf("%d validators", len(got))
	}
	// Once a removal is scheduled there is room again.
	for _, v := range vals[:ValidatorQuorum(31)] {
		e.submit(ter.TesSUCCESS, v, voteOn(e, vals[29], ValidatorRemove))
	}
	e.submit(ter.TesSUCCESS, vals[1], voteOn(e, "cand-2", ValidatorAdd))
}

func TestValidatorSetNeverDropsBelowOneMember(t *testing.T) {
	e := newValidatorEnv(t, "val-a")
	e.submit(ter.TecFAILED_PROCESSING, "val-a", voteOn(e, "val-a", ValidatorRemove))

	e = newValidatorEnv(t, "val-a", "val-b") // n=2, Q=2
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "val-b", ValidatorRemove))
	e.submit(ter.TesSUCCESS, "val-b", voteOn(e, "val-b", ValidatorRemove))
	// One member is left once the removal takes effect: it cannot go too.
	e.submit(ter.TecFAILED_PROCESSING, "val-a", voteOn(e, "val-a", ValidatorRemove))
	e.close()
	e.close()
	e.close()
	if got := e.validatorNames(e.closed, e.closed.Seq()+1); !slices.Equal(got, []string{"val-a"}) {
		t.Fatalf("set %v", got)
	}
	e.submit(ter.TecFAILED_PROCESSING, "val-a", voteOn(e, "val-a", ValidatorRemove))
	e.submit(ter.TecNO_PERMISSION, "val-b", voteOn(e, "val-a", ValidatorRemove))
}

// ---- metadata and determinism ----

func TestValidatorTransactionsMetadataHasRippledShape(t *testing.T) {
	e := newValidatorEnv(t, "val-a", "ed-val-b", "val-c") // n=3, Q=3
	e.fund(100_000_000, "cand")
	e.close()
	tx := e.tx("cand", applyFor(e, "cand"))
	out := e.apply(tx)
	if out.Result != ter.TesSUCCESS {
		t.Fatal(out.Result, out.Detail)
	}
	got := affected(out.Meta)
	want := map[string]int{"CreatedNode/ValidatorApplication": 1, "CreatedNode/DirectoryNode": 1, "ModifiedNode/AccountRoot": 1}
	if !mapsEqual(got, want) {
		t.Fatalf("apply: affected %v, want %v", got, want)
	}
	for _, it := range out.Meta.Array(sf.AffectedNodes) {
		if codec.EntryType(it.Object.UInt16(sf.LedgerEntryType)) != codec.EntryValidatorApplication {
			continue
		}
		nf := it.Object.Object(sf.NewFields)
		if !bytes.Equal(nf.Blob(sf.NodePublicKey), e.key("cand").PublicKey()) || !bytes.Equal(nf.Blob(sf.VRFPublicKey), e.vrfKey("cand")) ||
			nf.Account(sf.Account) != e.id("cand") || nf.Has(sf.Approvals) {
			t.Fatalf("NewFields %v", nf.JSON())
		}
	}
	app := e.open.Read(ValidatorApplicationKeylet(e.id("cand")))
	if app.Hash256(sf.PreviousTxnID) != tx.ID() || app.UInt32(sf.PreviousTxnLgrSeq) != e.open.Seq() {
		t.Fatal("the application is not threaded")
	}
	e.close()

	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd))
	out = e.submit(ter.TesSUCCESS, "ed-val-b", voteOn(e, "cand", ValidatorAdd))
	got = affected(out.Meta)
	want = map[string]int{"ModifiedNode/ValidatorApplication": 1, "ModifiedNode/AccountRoot": 1}
	if !mapsEqual(got, want) {
		t.Fatalf("vote: affected %v, want %v", got, want)
	}
	for _, it := range out.Meta.Array(sf.AffectedNodes) {
		n := it.Object
		if codec.EntryType(n.UInt16(sf.LedgerEntryType)) != codec.EntryValidatorApplication {
			continue
		}
		if pf := n.Object(sf.PreviousFields); len(pf.Array(sf.Approvals)) != 1 {
			t.Fatalf("PreviousFields %v", pf.JSON())
		}
		if ff := n.Object(sf.FinalFields); len(ff.Array(sf.Approvals)) != 2 {
			t.Fatalf("FinalFields %v", ff.JSON())
		}
		if !n.Has(sf.PreviousTxnID) {
			t.Fatal("modified application without its previous transaction")
		}
	}

	out = e.submit(ter.TesSUCCESS, "val-c", voteOn(e, "cand", ValidatorAdd))
	got = affected(out.Meta)
	want = map[string]int{"DeletedNode/ValidatorApplication": 1, "DeletedNode/DirectoryNode": 1,
		"ModifiedNode/ValidatorSet": 1, "ModifiedNode/AccountRoot": 2}
	if !mapsEqual(got, want) {
		t.Fatalf("deciding vote: affected %v, want %v", got, want)
	}
	for _, it := range out.Meta.Array(sf.AffectedNodes) {
		n := it.Object
		if codec.EntryType(n.UInt16(sf.LedgerEntryType)) != codec.EntryValidatorSet {
			continue
		}
		ch := n.Object(sf.FinalFields).Array(sf.ValidatorChanges)
		if len(ch) != 1 || ch[0].Field != sf.ValidatorChange || ch[0].Object.UInt32(sf.EffectiveLedger) != e.open.Seq()+2 ||
			ch[0].Object.UInt32(sf.ValidatorAction) != ValidatorAdd || ch[0].Object.Account(sf.Account) != e.id("cand") {
			t.Fatalf("ValidatorSet FinalFields %v", n.Object(sf.FinalFields).JSON())
		}
		if n.Has(sf.PreviousTxnID) {
			t.Fatal("the ValidatorSet singleton is not threaded")
		}
	}
	back, err := codec.Decode(out.Meta.Encode())
	if err != nil || !back.Equal(out.Meta) {
		t.Fatalf("metadata round trip: %v", err)
	}
	// The entry reads back in JSON with the new field and type names.
	js := e.open.Read(ValidatorSetKeylet()).JSON()
	if js["LedgerEntryType"] != "ValidatorSet" {
		t.Fatalf("JSON %v", js)
	}
	parsed, err := codec.ParseJSON(mustJSON(t, js))
	if err != nil || !parsed.Equal(e.open.Read(ValidatorSetKeylet())) {
		t.Fatalf("JSON round trip: %v", err)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A run of validator-set changes gives the same ledger hashes when run again
// from genesis, and each ledger is rebuilt bit for bit by replaying its
// transactions on its parent.
func TestValidatorSetChangesAreDeterministic(t *testing.T) {
	var e *env
	run := func() []*Ledger {
		e = newValidatorEnv(t, fourValidators...)
		ledgers := []*Ledger{e.close()}
		e.fund(100_000_000, "cand", "ed-cand")
		e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
		e.submit(ter.TesSUCCESS, "ed-cand", applyFor(e, "ed-cand"))
		ledgers = append(ledgers, e.close())
		for _, v := range []string{"val-c", "ed-val-b", "val-a"} {
			e.submit(ter.TesSUCCESS, v, voteOn(e, "ed-cand", ValidatorAdd))
			e.submit(ter.TesSUCCESS, v, voteOn(e, "cand", ValidatorAdd))
		}
		e.submit(ter.TesSUCCESS, "ed-val-d", voteOn(e, "val-a", ValidatorRemove))
		ledgers = append(ledgers, e.close())
		e.submit(ter.TesSUCCESS, "val-c", voteOn(e, "val-a", ValidatorRemove))
		ledgers = append(ledgers, e.close())
		// The adds take effect here (n=6, Q=5), so three approvals become
		// too few; the newcomers make up the difference.
		e.submit(ter.TesSUCCESS, "ed-val-b", voteOn(e, "val-a", ValidatorRemove))
		e.submit(ter.TesSUCCESS, "cand", voteOn(e, "val-a", ValidatorRemove))
		if len(e.validatorSet().changes) != 0 {
			t.Fatal("four approvals of six removed a validator")
		}
		e.submit(ter.TesSUCCESS, "ed-cand", voteOn(e, "val-a", ValidatorRemove))
		ledgers = append(ledgers, e.close(), e.close(), e.close())
		return ledgers
	}
	a, b := run(), run()
	for i := range a {
		if a[i].Hash() != b[i].Hash() {
			t.Fatalf("ledger %d: %X and %X", a[i].Seq(), a[i].Hash(), b[i].Hash())
		}
	}
	last := a[len(a)-1]
	if got := e.validatorNames(last, last.Seq()+1); !slices.Equal(got, names("ed-val-b", "val-c", "ed-val-d", "cand", "ed-cand")) {
		t.Fatalf("final set %v", got)
	}
	for i := 1; i < len(a); i++ {
		parent, l := a[i-1], a[i]
		txs, err := l.Transactions()
		if err != nil {
			t.Fatal(err)
		}
		o := parent.Open()
		for _, tm := range txs {
			again, err := DecodeTx(tm.Tx.Blob())
			if err != nil {
				t.Fatal(err)
			}
			if out := o.Apply(again); out.Result != tm.Result() {
				t.Fatalf("ledger %d replay: %s, first %s", l.Seq(), out.Result, tm.Result())
			}
		}
		h := l.Header()
		if r := o.Close(CloseInfo{CloseTime: h.CloseTime, Resolution: h.CloseTimeResolution, Flags: h.CloseFlags}); r.Hash() != l.Hash() {
			t.Fatalf("ledger %d replays to another hash", l.Seq())
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
