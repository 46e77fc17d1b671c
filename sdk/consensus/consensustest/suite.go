package consensustest

import (
	"context"
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

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
)

// NewEngine returns a fresh, unconfigured engine. Each check calls it with
// its own subtest, so an engine's resources (a plugin process) can be
// released with t.Cleanup.
type NewEngine func(t *testing.T) consensus.Engine

// Suite configures the checks; the zero value suits engines that need no
// options and no operator config.
type Suite struct {
	// Params are parameters the engine must accept; the zero value means
	// DefaultParams().
	Params consensus.Params
	// Config is the operator config sent with every Configure (nil: none).
	Config json.RawMessage
	// Malformed are parameter sets the engine must refuse, checked besides
	// the suite's own: Params with an option no engine defines.
	Malformed []consensus.Params
	// Batches is how many input batches the randomized check feeds (0:
	// 400).
	Batches int
}

// DefaultParams are valid Params for a single validator: chain id
// "consensustest", one-second close and ten-second idle intervals, a ledger
// target of 100 and no options.
func DefaultParams() consensus.Params {
	return consensus.Params{
		ChainID:       "consensustest",
		Self:          consensus.AccountID{0xc0, 0x45, 0x5e, 0x45, 0x05},
		CloseInterval: time.Second,
		IdleInterval:  10 * time.Second,
		LedgerTarget:  100,
	}
}

// UnknownOption is the option of the suite's own malformed Params: no
// engine defines it, and an engine must refuse options it does not know,
// since a misspelt option that is silently ignored changes a chain-level
// component without anyone noticing.
const UnknownOption = "consensustest.no-such-option"

// Run runs the suite with default settings against engines from
// newEngine, in process.
func Run(t *testing.T, newEngine NewEngine) {
	t.Helper()
	Suite{}.Run(t, newEngine)
}

// RunBinary runs the suite with default settings against the consensus
// plugin binary at path, launching one process per engine as the node
// does (see Launch).
func RunBinary(t *testing.T, path string) {
	t.Helper()
	Suite{}.RunBinary(t, path)
}

// RunBinary runs the suite against the consensus plugin binary at path.
func (s Suite) RunBinary(t *testing.T, path string) {
	t.Helper()
	s.Run(t, func(t *testing.T) consensus.Engine { return Launch(t, path) })
}

// Run runs every check as a subtest of t.
func (s Suite) Run(t *testing.T, newEngine NewEngine) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(t, s, newEngine); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A check returns every contract violation it finds, joined.
type check struct {
	name string
	run  func(t *testing.T, s Suite, newEngine NewEngine) error
}

var checks = []check{
	{"InfoIsWellFormed", checkInfo},
	{"ConfigureAcceptsValidParams", checkConfigureValid},
	{"ConfigureRefusesMalformedParams", checkConfigureMalformed},
	{"StepAfterFailedConfigureErrs", checkStepAfterFailedConfigure},
	{"EmptyBatchGivesNothing", checkEmptyBatch},
	{"UnaskedInputsAreIgnored", checkUnaskedInputs},
	{"DeterministicAndWellFormed", checkDeterministic},
}

func (s Suite) params() consensus.Params {
	if reflect.ValueOf(s.Params).IsZero() {
		return DefaultParams()
	}
	return s.Params
}

func (s Suite) batches() int {
	if s.Batches <= 0 {
		return 400
	}
	return s.Batches
}

type malformed struct {
	what string
	p    consensus.Params
}

func (s Suite) malformed() []malformed {
	p := s.params()
	p.Options = maps.Clone(p.Options)
	if p.Options == nil {
		p.Options = map[string]string{}
	}
	p.Options[UnknownOption] = "1"
	out := []malformed{{fmt.Sprintf("an unknown option %q", UnknownOption), p}}
	for i, p := range s.Malformed {
		out = append(out, malformed{fmt.Sprintf("Suite.Malformed[%d] (close %s, idle %s, ledger target %d, options %v)",
			i, p.CloseInterval, p.IdleInterval, p.LedgerTarget, p.Options), p})
	}
	return out
}

func (s Suite) request(t *testing.T, p consensus.Params) consensus.ConfigureRequest {
	return consensus.ConfigureRequest{APIMinor: consensus.APIMinor, Config: s.Config, DataDir: t.TempDir(), Params: p}
}

// configured returns a fresh engine configured with the suite's Params.
func (s Suite) configured(t *testing.T, newEngine NewEngine) (consensus.Engine, error) {
	e := newEngine(t)
	if err := configure(e, s.request(t, s.params())); err != nil {
		return nil, fmt.Errorf("Configure with valid params: %w", err)
	}
	return e, nil
}

func checkInfo(t *testing.T, s Suite, newEngine NewEngine) error {
	e := newEngine(t)
	info, err := getInfo(e)
	if err != nil {
		return err
	}
	_, wire := e.(*consensus.Client)
	errs := plugin.CheckInfo(info, plugin.InfoRules{
		Kind: plugin.KindConsensus, APIMajor: consensus.APIMajor, APIMinor: consensus.APIMinor, Wire: wire, Noun: "engine",
		SemanticsExample: "solo/1", SemanticsWhy: "the node checks it against the chain's engine",
	})
	if p, ok := e.(consensus.ConfigSchemaProvider); ok {
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

func checkConfigureValid(t *testing.T, s Suite, newEngine NewEngine) error {
	_, err := s.configured(t, newEngine)
	return err
}

func checkConfigureMalformed(t *testing.T, s Suite, newEngine NewEngine) error {
	var errs []error
	for _, m := range s.malformed() {
		e := newEngine(t)
		err := configure(e, s.request(t, m.p))
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("Configure accepted %s: it must refuse it with an error that names the problem", m.what))
		case errors.Is(err, errPanicked):
			errs = append(errs, fmt.Errorf("Configure with %s: %w", m.what, err))
		default:
			t.Logf("Configure with %s: %v", m.what, err)
			if err := alive(e); err != nil {
				errs = append(errs, fmt.Errorf("after refusing %s: %w", m.what, err))
			}
		}
	}
	return errors.Join(errs...)
}

func checkStepAfterFailedConfigure(t *testing.T, s Suite, newEngine NewEngine) error {
	m := s.malformed()[0]
	e := newEngine(t)
	if err := configure(e, s.request(t, m.p)); err == nil {
		return fmt.Errorf("Configure accepted %s, so Step after a failed Configure cannot be checked", m.what)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := step(e, []consensus.Input{
		consensus.StartHeight{Height: 1, Now: now},
		consensus.TxsAvailable{Count: 1, Now: now},
		consensus.Tick{Now: now.Add(time.Hour)},
	})
	switch {
	case err == nil:
		return errors.New("Step after a refused Configure succeeded: an unconfigured engine must refuse to step")
	case errors.Is(err, errPanicked):
		return err
	}
	t.Logf("Step after a refused Configure: %v", err)
	return alive(e)
}

func checkEmptyBatch(t *testing.T, s Suite, newEngine NewEngine) error {
	e, err := s.configured(t, newEngine)
	if err != nil {
		return err
	}
	d := NewDriver(1, s.params())
	for i, batch := range [][]consensus.Input{nil, {}, d.Next(), nil, {}} {
		outs, err := step(e, batch)
		switch {
		case err != nil:
			return fmt.Errorf("Step %d: %w", i, err)
		case len(batch) == 0 && len(outs) > 0:
			return fmt.Errorf("Step %d with an empty batch returned outputs:\n%s", i, describe(outs))
		}
	}
	return nil
}

func checkUnaskedInputs(t *testing.T, s Suite, newEngine NewEngine) error {
	e, err := s.configured(t, newEngine)
	if err != nil {
		return err
	}
	p := s.params()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const h = 10
	start := consensus.StartHeight{
		Height: h, ParentID: consensus.Hash256{9}, Seed: consensus.Hash256{1},
		Validators: []consensus.Validator{{Address: p.Self, PublicKey: append([]byte{0x02}, p.Self[:]...)}}, Now: now,
	}
	checker := newOutputChecker()
	if err := stepChecked(e, checker, "StartHeight", []consensus.Input{start}); err != nil {
		return err
	}
	stranger := consensus.AccountID{0xba, 0xd}
	unasked := []struct {
		what string
		in   consensus.Input
	}{
		{"an empty Message", consensus.Message{From: stranger}},
		{"a garbage Message", consensus.Message{From: stranger, Payload: []byte("\x00\xffnot a consensus message"), Signature: []byte{1, 2, 3}}},
		{"a 64 KiB garbage Message", consensus.Message{From: stranger, Payload: []byte(strings.Repeat("\xff", 64<<10)), Signature: []byte{1}}},
		{"a garbage Message from Self", consensus.Message{From: p.Self, Payload: []byte{0x7f, 0, 0, 0, 1}, Signature: []byte{1}}},
		{"a Validated for an unknown block", consensus.Validated{BlockID: consensus.Hash256{0xde, 0xad}, OK: true}},
		{"a failed Validated for an unknown block", consensus.Validated{BlockID: consensus.Hash256{0xbe, 0xef}}},
		{"a Timeout for the next height", consensus.Timeout{Kind: consensus.TimeoutPropose, Height: h + 1}},
		{"a Timeout for the previous height", consensus.Timeout{Kind: consensus.TimeoutPrecommit, Height: h - 1, Round: 3}},
		{"a Timeout of an unknown kind for another height", consensus.Timeout{Kind: 99, Height: h + 2}},
		{"a BlockBuilt for the previous height", consensus.BlockBuilt{Height: h - 1, Block: consensus.Block{Height: h - 1, ID: consensus.Hash256{7}}}},
		{"a BlockBuilt for a future height", consensus.BlockBuilt{Height: h + 100, Block: consensus.Block{Height: h + 100, ID: consensus.Hash256{8}}}},
	}
	var errs []error
	for _, u := range unasked {
		if err := stepChecked(e, checker, u.what, []consensus.Input{u.in}); err != nil {
			errs = append(errs, err)
			if errors.Is(err, errPanicked) {
				break
			}
		}
	}
	if err := alive(e); err != nil {
		return errors.Join(append(errs, err)...)
	}
	if outs, err := step(e, nil); err != nil || len(outs) > 0 {
		errs = append(errs, fmt.Errorf("after the unasked inputs an empty Step gave %d outputs, err %v", len(outs), err))
	}
	return errors.Join(errs...)
}

func stepChecked(e consensus.Engine, c *outputChecker, what string, ins []consensus.Input) error {
	outs, err := step(e, ins)
	if err != nil {
		return fmt.Errorf("Step with %s: %w (a node delivers such inputs in ordinary operation; ignore them)", what, err)
	}
	if err := c.check(ins, outs); err != nil {
		return fmt.Errorf("Step with %s:\n%w", what, err)
	}
	return nil
}

func checkDeterministic(t *testing.T, s Suite, newEngine NewEngine) error {
	seed := Seed(t)
	a, err := s.configured(t, newEngine)
	if err != nil {
		return err
	}
	b, err := s.configured(t, newEngine)
	if err != nil {
		return err
	}
	d := NewDriver(seed, s.params())
	checker := newOutputChecker()
	counts := map[string]int{}
	inputs := 0
	for i := range s.batches() {
		ins := d.Next()
		inputs += len(ins)
		outsA, err := step(a, ins)
		if err != nil {
			return fmt.Errorf("seed %d, batch %d: engine A: %w\ninputs:\n%s", seed, i, err, describe(ins))
		}
		outsB, err := step(b, ins)
		if err != nil {
			return fmt.Errorf("seed %d, batch %d: engine B: %w\ninputs:\n%s", seed, i, err, describe(ins))
		}
		if (len(outsA) > 0 || len(outsB) > 0) && !reflect.DeepEqual(outsA, outsB) {
			return fmt.Errorf("seed %d, batch %d: two engines fed the same inputs disagree (Step must be deterministic: no clock, no global randomness, no map order)\ninputs:\n%sengine A:\n%sengine B:\n%s",
				seed, i, describe(ins), describe(outsA), describe(outsB))
		}
		if err := checker.check(ins, outsA); err != nil {
			return fmt.Errorf("seed %d, batch %d: malformed outputs:\n%w\ninputs:\n%soutputs:\n%s", seed, i, err, describe(ins), describe(outsA))
		}
		for _, o := range outsA {
			counts[strings.TrimPrefix(fmt.Sprintf("%T", o), "consensus.")]++
		}
		d.Observe(outsA)
	}
	var summary []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		summary = append(summary, fmt.Sprintf("%s %d", k, counts[k]))
	}
	t.Logf("%d batches, %d inputs, outputs: %s", s.batches(), inputs, strings.Join(summary, ", "))
	return nil
}

// maxLine keeps a 64 KiB payload from burying a failure message.
const maxLine = 400

func describe[T any](xs []T) string {
	if len(xs) == 0 {
		return "  (none)\n"
	}
	var b strings.Builder
	for i, x := range xs {
		line := fmt.Sprintf("%T%+v", x, x)
		if len(line) > maxLine {
			line = line[:maxLine] + "…"
		}
		fmt.Fprintf(&b, "  %d: %s\n", i, line)
	}
	return b.String()
}

// Calls into the engine, each under a deadline, with a panic of an
// in-process engine turned into an error wrapping errPanicked. (A plugin
// that panics dies; alive notices.)

const callTimeout = 10 * time.Second

var errPanicked = errors.New("panicked")

func guard(method string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s %w: %v\n%s", method, errPanicked, r, debug.Stack())
	}
}

func getInfo(e consensus.Engine) (info plugin.Info, err error) {
	defer guard("Info", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	info, err = e.Info(ctx)
	if err != nil {
		err = fmt.Errorf("Info: %w", err)
	}
	return info, err
}

func configSchema(p consensus.ConfigSchemaProvider) (schema []byte, err error) {
	defer guard("ConfigSchema", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	schema, err = p.ConfigSchema(ctx)
	if err != nil {
		err = fmt.Errorf("ConfigSchema: %w", err)
	}
	return schema, err
}

func configure(e consensus.Engine, req consensus.ConfigureRequest) (err error) {
	defer guard("Configure", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err = e.Configure(ctx, req)
	return err
}

func step(e consensus.Engine, ins []consensus.Input) (outs []consensus.Output, err error) {
	defer guard("Step", &err)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	resp, err := e.Step(ctx, consensus.StepRequest{Inputs: ins})
	return resp.Outputs, err
}

// alive reports whether the engine still answers: a plugin that crashed
// while refusing an input fails here.
func alive(e consensus.Engine) error {
	if _, err := getInfo(e); err != nil {
		return fmt.Errorf("the engine no longer answers (did the plugin crash?): %w", err)
	}
	return nil
}
