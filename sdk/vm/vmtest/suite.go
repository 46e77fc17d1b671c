package vmtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
	"github.com/jtchain/jtchain/sdk/vm"
)

// NewRuntime returns a fresh, unconfigured runtime. Each check calls it
// with its own subtest, so a runtime's resources (a plugin process) can be
// released with t.Cleanup.
type NewRuntime func(t *testing.T) vm.Runtime

// Suite describes the runtime under test. Calls and State are required.
type Suite struct {
	// Config is the operator config sent with every Configure (nil: none).
	Config json.RawMessage
	// InvalidConfigs are configs the runtime must refuse, checked besides
	// the suite's own: bytes that are not JSON, a JSON array, and Config
	// with a key no runtime defines (UnknownKey).
	InvalidConfigs []json.RawMessage
	// Calls are sample calls in the runtime's own code. Their Code must
	// pass Validate, they run as batches against State, and at least one
	// must read a key of State. The suite fills in Context, CodeHash where
	// it is zero (with the SHA-256 of Code) and GasLimit where it is 0
	// (with DefaultGasLimit); the gas check needs every sample to finish
	// within its limit.
	Calls []vm.Call
	// State is the snapshot the Calls run against, by state key
	// (vm.StateKey(contract, key)).
	State map[string][]byte
	// InvalidCode is code the runtime must refuse at deploy time, checked
	// besides empty code and code one byte over MaxCodeSize.
	InvalidCode [][]byte
	// MaxCodeSize is the runtime's own code size limit (0: vm.MaxCodeSize).
	MaxCodeSize int
}

// DefaultGasLimit is the gas limit of sample calls that set none.
const DefaultGasLimit = 1_000_000

// UnknownKey is the config key of the suite's own invalid config: no
// runtime defines it, and a runtime must refuse keys it does not know,
// since a misspelt setting that is silently ignored changes a chain-level
// component without anyone noticing.
const UnknownKey = "vmtest_no_such_key"

// Run runs the suite s against runtimes from newRuntime, in process.
func Run(t *testing.T, newRuntime NewRuntime, s Suite) {
	t.Helper()
	s.Run(t, newRuntime)
}

// RunBinary runs the suite s against the vm plugin binary at path,
// launching one process per runtime as the node does (see Launch).
func RunBinary(t *testing.T, path string, s Suite) {
	t.Helper()
	s.RunBinary(t, path)
}

// RunBinary runs the suite against the vm plugin binary at path.
func (s Suite) RunBinary(t *testing.T, path string) {
	t.Helper()
	s.Run(t, func(t *testing.T) vm.Runtime { return Launch(t, path) })
}

// Run runs every check as a subtest of t.
func (s Suite) Run(t *testing.T, newRuntime NewRuntime) {
	t.Helper()
	if len(s.Calls) == 0 {
		t.Fatal("vmtest: Suite.Calls is empty: give sample calls in the runtime's code, at least one reading a key of Suite.State")
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(t, s, newRuntime); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A check returns every contract violation it finds, joined.
type check struct {
	name string
	run  func(t *testing.T, s Suite, newRuntime NewRuntime) error
}

var checks = []check{
	{"InfoIsWellFormed", checkInfo},
	{"ConfigureAcceptsValidConfig", checkConfigureValid},
	{"ConfigureRefusesInvalidConfig", checkConfigureInvalid},
	{"ValidateRefusesEmptyOversizedAndInvalidCode", checkValidate},
	{"EmptyBatchGivesNoResults", checkEmptyBatch},
	{"OneResultPerCallInOrder", checkOneResultPerCall},
	{"Deterministic", checkDeterministic},
	{"GasLimitIsRespected", checkGas},
	{"ReadsOnlyThroughStateReader", checkReads},
	{"StateErrorsFailTheBatch", checkStateErrors},
}

// calls returns the sample calls with a context the suite chose: every
// field differs between calls, so a runtime that mixes them up shows.
func (s Suite) calls() []vm.Call {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	out := slices.Clone(s.Calls)
	for i := range out {
		c := &out[i]
		n := byte(i + 1)
		c.Context = vm.CallContext{
			LedgerIndex: 1000 + uint64(i),
			LedgerHash:  vm.Hash256{0x1e, n},
			CloseTime:   base.Add(time.Duration(i) * time.Second),
			Caller:      vm.AccountID{0xca, n},
			Seed:        vm.Hash256{0x5e, n},
		}
		if c.GasLimit == 0 {
			c.GasLimit = DefaultGasLimit
		}
		if c.CodeHash == (vm.Hash256{}) {
			c.CodeHash = sha256.Sum256(c.Code)
		}
	}
	return out
}

func (s Suite) maxCodeSize() int {
	if s.MaxCodeSize <= 0 {
		return vm.MaxCodeSize
	}
	return s.MaxCodeSize
}

func (s Suite) request(t *testing.T, config json.RawMessage) vm.ConfigureRequest {
	return vm.ConfigureRequest{APIMinor: vm.APIMinor, Config: config, ChainID: "vmtest", DataDir: t.TempDir()}
}

// configured returns a fresh runtime configured with Suite.Config.
func (s Suite) configured(t *testing.T, newRuntime NewRuntime) (vm.Runtime, error) {
	rt := newRuntime(t)
	if err := configure(rt, s.request(t, s.Config)); err != nil {
		return nil, fmt.Errorf("Configure with Suite.Config: %w", err)
	}
	return rt, nil
}

func checkInfo(t *testing.T, s Suite, newRuntime NewRuntime) error {
	rt := newRuntime(t)
	info, err := getInfo(rt)
	if err != nil {
		return err
	}
	_, wire := rt.(*vm.Client)
	errs := plugin.CheckInfo(info, plugin.InfoRules{
		Kind: plugin.KindVM, APIMajor: vm.APIMajor, APIMinor: vm.APIMinor, Wire: wire, Noun: "runtime",
		SemanticsExample: "lua-jingtum/1", SemanticsWhy: "contracts pin the runtime by it",
	})
	if p, ok := rt.(vm.ConfigSchemaProvider); ok {
		schema, err := configSchema(p)
		if err == nil {
			err = plugintest.CheckConfigSchema(schema)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func checkConfigureValid(t *testing.T, s Suite, newRuntime NewRuntime) error {
	_, err := s.configured(t, newRuntime)
	return err
}

func checkConfigureInvalid(t *testing.T, s Suite, newRuntime NewRuntime) error {
	unknown, err := withKey(s.Config, UnknownKey)
	if err != nil {
		return err
	}
	invalid := []struct {
		what   string
		config json.RawMessage
	}{
		{"config that is not JSON", json.RawMessage(`{"`)},
		{"config that is a JSON array", json.RawMessage(`[]`)},
		{fmt.Sprintf("Suite.Config with the unknown key %q", UnknownKey), unknown},
	}
	for i, c := range s.InvalidConfigs {
		invalid = append(invalid, struct {
			what   string
			config json.RawMessage
		}{fmt.Sprintf("Suite.InvalidConfigs[%d] %s", i, c), c})
	}
	var errs []error
	for _, c := range invalid {
		rt := newRuntime(t)
		err := configure(rt, s.request(t, c.config))
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("Configure accepted %s: it must refuse it with an error that names the problem", c.what))
		case errors.Is(err, errPanicked):
			errs = append(errs, fmt.Errorf("Configure with %s: %w", c.what, err))
		default:
			t.Logf("Configure with %s: %v", c.what, err)
			if err := alive(rt); err != nil {
				errs = append(errs, fmt.Errorf("after refusing %s: %w", c.what, err))
			}
		}
	}
	return errors.Join(errs...)
}

// withKey returns config (a JSON object, or empty) with key set.
func withKey(config json.RawMessage, key string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if t := bytes.TrimSpace(config); len(t) > 0 && !bytes.Equal(t, []byte("null")) {
		if err := json.Unmarshal(t, &m); err != nil {
			return nil, fmt.Errorf("Suite.Config is not a JSON object: %w", err)
		}
	}
	m[key] = json.RawMessage("true")
	return json.Marshal(m)
}

func checkValidate(t *testing.T, s Suite, newRuntime NewRuntime) error {
	rt, err := s.configured(t, newRuntime)
	if err != nil {
		return err
	}
	var errs []error
	for i, c := range s.Calls {
		resp, err := validate(rt, c.Code)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("Validate of Suite.Calls[%d]'s code: %w", i, err))
		case !resp.OK():
			errs = append(errs, fmt.Errorf("Validate refused Suite.Calls[%d]'s code %.40q: %q", i, c.Code, resp.Problems))
		}
	}
	refuse := []struct {
		what string
		code []byte
	}{
		{"empty code", nil},
		{fmt.Sprintf("code of %d bytes, one over the limit", s.maxCodeSize()+1), bytes.Repeat([]byte{'x'}, s.maxCodeSize()+1)},
	}
	for i, c := range s.InvalidCode {
		refuse = append(refuse, struct {
			what string
			code []byte
		}{fmt.Sprintf("Suite.InvalidCode[%d] %.40q", i, c), c})
	}
	for _, c := range refuse {
		resp, err := validate(rt, c.code)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("Validate of %s: %w (invalid code is a problem in the response, not an error)", c.what, err))
		case resp.OK():
			errs = append(errs, fmt.Errorf("Validate accepted %s: it must refuse it, naming the problem", c.what))
		case slices.Contains(resp.Problems, ""):
			errs = append(errs, fmt.Errorf("Validate of %s gave an empty problem: say what is wrong", c.what))
		default:
			t.Logf("Validate of %s: %q", c.what, resp.Problems)
		}
	}
	return errors.Join(errs...)
}

func checkEmptyBatch(t *testing.T, s Suite, newRuntime NewRuntime) error {
	rt, err := s.configured(t, newRuntime)
	if err != nil {
		return err
	}
	for _, calls := range [][]vm.Call{nil, {}} {
		state := newSnapshot(s.State)
		results, err := execute(rt, calls, state)
		switch {
		case err != nil:
			return fmt.Errorf("Execute of an empty batch: %w", err)
		case len(results) > 0:
			return fmt.Errorf("Execute of an empty batch gave %d results", len(results))
		case len(state.keys()) > 0:
			return fmt.Errorf("Execute of an empty batch read %q", state.keys())
		}
	}
	return nil
}

func checkOneResultPerCall(t *testing.T, s Suite, newRuntime NewRuntime) error {
	rt, err := s.configured(t, newRuntime)
	if err != nil {
		return err
	}
	calls := s.calls()
	batch, err := executeChecked(rt, calls, newSnapshot(s.State))
	if err != nil {
		return err
	}
	var errs []error
	for i, c := range calls {
		alone, err := executeChecked(rt, []vm.Call{c}, newSnapshot(s.State))
		if err != nil {
			return fmt.Errorf("call %d alone: %w", i, err)
		}
		if !reflect.DeepEqual(alone[0], batch[i]) {
			errs = append(errs, fmt.Errorf("result %d of the batch differs from call %d run alone (results must be in call order, and a call must not see the batch's other calls):\nin the batch: %s\nalone:        %s",
				i, i, describe(batch[i]), describe(alone[0])))
		}
	}
	reversed := slices.Clone(calls)
	slices.Reverse(reversed)
	back, err := executeChecked(rt, reversed, newSnapshot(s.State))
	if err != nil {
		return fmt.Errorf("the batch reversed: %w", err)
	}
	slices.Reverse(back)
	if !reflect.DeepEqual(back, batch) {
		errs = append(errs, errors.New("reversing the batch did not reverse its results: results must be in call order"))
	}
	return errors.Join(errs...)
}

func checkDeterministic(t *testing.T, s Suite, newRuntime NewRuntime) error {
	a, err := s.configured(t, newRuntime)
	if err != nil {
		return err
	}
	b, err := s.configured(t, newRuntime)
	if err != nil {
		return err
	}
	calls := s.calls()
	var runs [][]vm.Result
	for _, rt := range []vm.Runtime{a, a, b} {
		results, err := executeChecked(rt, calls, newSnapshot(s.State))
		if err != nil {
			return err
		}
		runs = append(runs, results)
	}
	for i, what := range []string{"the same runtime", "a fresh runtime"} {
		for j := range calls {
			if !reflect.DeepEqual(runs[0][j], runs[i+1][j]) {
				return fmt.Errorf("call %d gave a different result on %s (Execute must be deterministic: no clock, no global randomness, no map order, nothing kept between batches):\nfirst: %s\nthen:  %s",
					j, what, describe(runs[0][j]), describe(runs[i+1][j]))
			}
		}
	}
	return nil
}

func checkGas(t *testing.T, s Suite, newRuntime NewRuntime) error {
	rt, err := s.configured(t, newRuntime)
	if err != nil {
		return err
	}
	var errs []error
	for i, c := range s.calls() {
		full, err := executeChecked(rt, []vm.Call{c}, newSnapshot(s.State))
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		r := full[0]
		switch {
		case r.Status == vm.StatusOutOfGas:
			errs = append(errs, fmt.Errorf("call %d ran out of gas with a limit of %d: give Suite.Calls[%d] a GasLimit it fits in", i, c.GasLimit, i))
			continue
		case r.GasUsed == 0:
			errs = append(errs, fmt.Errorf("call %d used no gas: every call costs gas, or a limit cannot bound it", i))
			continue
		}
		for _, limit := range []uint64{r.GasUsed - 1, 0} {
			c.GasLimit = limit
			short, err := executeChecked(rt, []vm.Call{c}, newSnapshot(s.State))
			if err != nil {
				return fmt.Errorf("call %d with gas limit %d: %w", i, limit, err)
			}
			if short[0].Status != vm.StatusOutOfGas {
				errs = append(errs, fmt.Errorf("call %d used %d gas with a big limit but with a limit of %d it gave status %s, want out_of_gas: %s",
					i, r.GasUsed, limit, short[0].Status, describe(short[0])))
			}
		}
	}
	return errors.Join(errs...)
}

func checkReads(t *testing.T, s Suite, newRuntime NewRuntime) error {
	rt, err := s.configured(t, newRuntime)
	if err != nil {
		return err
	}
	// Each call alone, so what the reader served belongs to that call.
	calls := s.calls()
	state := s.State
	// firstRead is the first key each call read in round 0. Before its
	// first read a call knows only its code, input and context, so a
	// deterministic runtime reads the same key first in round 1.
	firstRead := make([]string, len(calls))
	var errs []error
	for round := range 2 {
		changed := map[string][]byte{}
		maps.Copy(changed, state)
		for i, c := range calls {
			snap := newSnapshot(state)
			results, err := executeChecked(rt, []vm.Call{c}, snap)
			if err != nil {
				return fmt.Errorf("round %d, call %d: %w", round, i, err)
			}
			if err := compareReads(results[0].ReadSet, snap.reads()); err != nil {
				errs = append(errs, fmt.Errorf("round %d, call %d: %w", round, i, err))
			}
			keys := snap.keys()
			switch {
			case round == 0 && len(keys) > 0:
				firstRead[i] = keys[0]
			case round == 1 && firstRead[i] != "" && (len(keys) == 0 || keys[0] != firstRead[i]):
				got := "nothing"
				if len(keys) > 0 {
					got = fmt.Sprintf("key %x", keys[0])
				}
				errs = append(errs, fmt.Errorf("call %d first read key %x, but run again against changed state it first read %s from the StateReader: read state only through ExecuteRequest.State and keep nothing between batches",
					i, firstRead[i], got))
			}
			for _, k := range keys {
				changed[k] = append(append([]byte(nil), state[k]...), "~vmtest"...)
			}
		}
		if !slices.ContainsFunc(firstRead, func(k string) bool { return k != "" }) {
			return errors.New("no sample call read any state, so reads cannot be checked: add a call to Suite.Calls that reads a key of Suite.State")
		}
		// Round 1 runs the same calls on the same runtime against state in
		// which every key read holds a new value: a runtime that kept values
		// from round 0 reads nothing or reports stale reads.
		state = changed
	}
	return errors.Join(errs...)
}

// compareReads checks a call's read set against what the StateReader
// served it.
func compareReads(readSet []vm.Read, served map[string]vm.Read) error {
	var errs []error
	seen := map[string]bool{}
	for _, r := range readSet {
		k := string(r.Key)
		want, ok := served[k]
		switch {
		case seen[k]:
			errs = append(errs, fmt.Errorf("the read set lists key %x twice", r.Key))
		case !ok:
			errs = append(errs, fmt.Errorf("the read set lists key %x, which the StateReader never served this batch: read state only through ExecuteRequest.State, and keep nothing between batches", r.Key))
		case r.Found != want.Found || r.ValueHash != want.ValueHash:
			errs = append(errs, fmt.Errorf("the read set says key %x was found=%t with value hash %x, but the StateReader served found=%t, hash %x (vm.ReadOf computes it)",
				r.Key, r.Found, r.ValueHash[:4], want.Found, want.ValueHash[:4]))
		}
		seen[k] = true
	}
	for k := range served {
		if !seen[k] {
			errs = append(errs, fmt.Errorf("the StateReader served key %x but the read set lacks it: every key read belongs in the read set (vm.Recorder keeps it)", k))
		}
	}
	return errors.Join(errs...)
}

func checkStateErrors(t *testing.T, s Suite, newRuntime NewRuntime) error {
	rt, err := s.configured(t, newRuntime)
	if err != nil {
		return err
	}
	calls := s.calls()
	// Find the calls that read, then run them against a failing reader.
	var readers []vm.Call
	for _, c := range calls {
		snap := newSnapshot(s.State)
		if _, err := executeChecked(rt, []vm.Call{c}, snap); err != nil {
			return err
		}
		if len(snap.keys()) > 0 {
			readers = append(readers, c)
		}
	}
	if len(readers) == 0 {
		return errors.New("no sample call read any state: add a call to Suite.Calls that reads a key of Suite.State")
	}
	failing := newSnapshot(s.State)
	failing.err = errors.New("vmtest: the node could not read its snapshot")
	results, err := execute(rt, readers, failing)
	switch {
	case err == nil:
		return fmt.Errorf("Execute succeeded although every state read failed; results:\n%s\nA failed read must fail Execute: a result that depends on a transient node failure would differ between executors", describeAll(results))
	case errors.Is(err, errPanicked):
		return err
	}
	t.Logf("Execute with a failing StateReader: %v", err)
	return alive(rt)
}

func describe(r vm.Result) string {
	line := fmt.Sprintf("%+v", r)
	if len(line) > maxLine {
		line = line[:maxLine] + "…"
	}
	return line
}

func describeAll(rs []vm.Result) string {
	var b strings.Builder
	for i, r := range rs {
		fmt.Fprintf(&b, "  %d: %s\n", i, describe(r))
	}
	return b.String()
}

// maxLine keeps a large output from burying a failure message.
const maxLine = 400

// Calls into the runtime, each under a deadline, with a panic of an
// in-process runtime turned into an error wrapping errPanicked. (A plugin
// that panics dies; alive notices.)

const callTimeout = 10 * time.Second

var errPanicked = errors.New("panicked")

func guard(method string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s %w: %v\n%s", method, errPanicked, r, debug.Stack())
	}
}

func getInfo(rt vm.Runtime) (info plugin.Info, err error) {
	defer guard("Info", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	info, err = rt.Info(ctx)
	if err != nil {
		err = fmt.Errorf("Info: %w", err)
	}
	return info, err
}

func configSchema(p vm.ConfigSchemaProvider) (schema []byte, err error) {
	defer guard("ConfigSchema", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	schema, err = p.ConfigSchema(ctx)
	if err != nil {
		err = fmt.Errorf("ConfigSchema: %w", err)
	}
	return schema, err
}

func configure(rt vm.Runtime, req vm.ConfigureRequest) (err error) {
	defer guard("Configure", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err = rt.Configure(ctx, req)
	return err
}

func validate(rt vm.Runtime, code []byte) (resp vm.ValidateResponse, err error) {
	defer guard("Validate", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return rt.Validate(ctx, vm.ValidateRequest{Code: code})
}

func execute(rt vm.Runtime, calls []vm.Call, state vm.StateReader) (results []vm.Result, err error) {
	defer guard("Execute", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	resp, err := rt.Execute(ctx, vm.ExecuteRequest{Calls: calls, State: state})
	return resp.Results, err
}

// executeChecked is execute that also checks what every result must hold:
// one per call, a known status, gas within the limit, and writes and events
// only on success.
func executeChecked(rt vm.Runtime, calls []vm.Call, state vm.StateReader) ([]vm.Result, error) {
	results, err := execute(rt, calls, state)
	if err != nil {
		return nil, fmt.Errorf("Execute of %d calls: %w", len(calls), err)
	}
	if len(results) != len(calls) {
		return nil, fmt.Errorf("Execute of %d calls gave %d results: it must give exactly one per call, in call order", len(calls), len(results))
	}
	var errs []error
	for i, r := range results {
		switch {
		case r.Status < vm.StatusOK || r.Status > vm.StatusError:
			errs = append(errs, fmt.Errorf("result %d: status %d is not one of vm's statuses", i, r.Status))
		case r.GasUsed > calls[i].GasLimit:
			errs = append(errs, fmt.Errorf("result %d: used %d gas, more than the call's limit of %d", i, r.GasUsed, calls[i].GasLimit))
		case r.Status != vm.StatusOK && (len(r.Writes) > 0 || len(r.Events) > 0):
			errs = append(errs, fmt.Errorf("result %d: status %s carries writes or events: only an ok result may", i, r.Status))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("Execute of %d calls: %w\nresults:\n%s", len(calls), err, describeAll(results))
	}
	return results, nil
}

// alive reports whether the runtime still answers: a plugin that crashed
// while refusing something fails here.
func alive(rt vm.Runtime) error {
	if _, err := getInfo(rt); err != nil {
		return fmt.Errorf("the runtime no longer answers (did the plugin crash?): %w", err)
	}
	return nil
}
