package pluginengine

import (
	"context"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/consensus"
	sdk "github.com/jtchain/jtchain/sdk/consensus"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// genEngine records what it is called with; gen stands for the
// supervisor's process generation.
type genEngine struct {
	gen        uint64
	configures []sdk.ConfigureRequest
	steps      [][]sdk.Input
}

func (e *genEngine) Generation() uint64 { return e.gen }
func (e *genEngine) Info(context.Context) (sdkplugin.Info, error) {
	return sdkplugin.Info{Name: "gen"}, nil
}
func (e *genEngine) Configure(_ context.Context, req sdk.ConfigureRequest) (sdk.ConfigureResponse, error) {
	e.configures = append(e.configures, req)
	return sdk.ConfigureResponse{}, nil
}
func (e *genEngine) Step(_ context.Context, req sdk.StepRequest) (sdk.StepResponse, error) {
	e.steps = append(e.steps, req.Inputs)
	return sdk.StepResponse{}, nil
}

// A plugin replaced between two Steps (its supervisor restarted it after a
// failed health check) is configured again, with the instance's config and
// data dir, and brought back to the height in progress before it sees the
// next input.
func TestRestartedPluginIsConfiguredAgainBeforeItsNextStep(t *testing.T) {
	g := &genEngine{gen: 1}
	setup := Setup{Config: []byte(`{"k":1}`), DataDir: "/tmp/x"}
	e, err := NewWithSetup(g, consensus.Params{ChainID: "c"}, setup, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := consensus.StartHeight{Height: 7, Now: time.Unix(5, 0)}
	e.Step(start)
	e.Step(consensus.Tick{Now: time.Unix(6, 0)})
	if len(g.configures) != 1 || len(g.steps) != 2 {
		t.Fatalf("before the restart: %d configures, %d steps", len(g.configures), len(g.steps))
	}
	if c := g.configures[0]; string(c.Config) != `{"k":1}` || c.DataDir != "/tmp/x" || c.Params.ChainID != "c" {
		t.Fatalf("configure %+v", c)
	}

	g.gen = 2 // a new process
	e.Step(consensus.Tick{Now: time.Unix(7, 0)})
	if len(g.configures) != 2 || string(g.configures[1].Config) != `{"k":1}` {
		t.Fatalf("after the restart: %d configures", len(g.configures))
	}
	last := g.steps[len(g.steps)-1]
	if len(last) != 2 {
		t.Fatalf("first step of the new process has %d inputs, want the replayed StartHeight and the Tick", len(last))
	}
	if sh, ok := last[0].(sdk.StartHeight); !ok || sh.Height != 7 {
		t.Errorf("replayed %#v, want StartHeight 7", last[0])
	}
	if _, ok := last[1].(sdk.Tick); !ok {
		t.Errorf("then %#v, want the Tick", last[1])
	}
	// The same generation is not configured again.
	e.Step(consensus.Tick{Now: time.Unix(8, 0)})
	if len(g.configures) != 2 {
		t.Errorf("configured %d times without a restart", len(g.configures))
	}
}
