package indexer

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
)

// memidxBin is the testdata/memidx plugin, built once by TestMain.
var memidxBin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "indexer-plugin-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		memidxBin = filepath.Join(dir, "memidx")
		out, err := exec.Command("go", "build", "-o", memidxBin, "./testdata/memidx").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "build testdata/memidx: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// launch creates a go-plugin client for the memidx plugin speaking p, with
// the settings the node uses (gRPC only, AutoMTLS, no host environment),
// and kills the process when the test ends.
func launch(t *testing.T, p plugin.Protocol, args ...string) (*goplugin.Client, *plugintest.Logs) {
	t.Helper()
	return plugintest.Client(t, p, "memidx", exec.Command(memidxBin, args...))
}

func TestMemidxPluginAnswersEveryMethodOverGRPC(t *testing.T) {
	c, logs := launch(t, Protocol())
	ix, err := Dispense(c, "memidx")
	if err != nil {
		t.Fatalf("dispense: %v\nhost log:\n%s", err, logs)
	}
	ctx := testCtx(t)

	info, err := ix.Info(ctx)
	want := plugin.Info{Kind: plugin.KindIndexer, Name: "memidx", Version: "0.1.0", APIMajor: APIMajor, APIMinor: APIMinor, Capabilities: []string{"memidx.test"}}
	if err != nil || !reflect.DeepEqual(info, want) {
		t.Errorf("Info = %+v, %v; want %+v", info, err, want)
	}
	if schema, err := ix.ConfigSchema(ctx); err != nil || string(schema) != `{"type":"object"}` {
		t.Errorf("ConfigSchema = %q, %v", schema, err)
	}
	if _, err := ix.Configure(ctx, ConfigureRequest{APIMinor: APIMinor}); err == nil || !strings.Contains(err.Error(), "chain id is empty") {
		t.Errorf("Configure without a chain id: err = %v, want the plugin's refusal", err)
	}
	if _, err := ix.Configure(ctx, ConfigureRequest{APIMinor: APIMinor, ChainID: "jt-test", DataDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ix.LastStored(ctx); ok || err != nil {
		t.Errorf("LastStored of a new plugin = %v, %v", ok, err)
	}

	chain := testChain(1, 12)
	f := &feeding{chain: chain, upTo: 12}
	if err := ix.Feed(ctx, f.request(0, 4)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.acks, seqs(1, 12)) {
		t.Errorf("acks = %v", f.acks)
	}
	if last, ok, err := ix.LastStored(ctx); last != 12 || !ok || err != nil {
		t.Errorf("LastStored = %d, %v, %v", last, ok, err)
	}

	// Every record crossed the wire whole: page through them two at a time.
	var got []LedgerRecord
	q := Query{Limit: 2}
	for {
		res, err := ix.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.Records...)
		if res.Marker == nil {
			break
		}
		q.Marker = res.Marker
	}
	var want2 []LedgerRecord
	for _, l := range chain {
		for _, r := range l.Records {
			want2 = append(want2, LedgerRecord{LedgerSeq: l.Seq, Record: r})
		}
	}
	if !reflect.DeepEqual(got, want2) {
		t.Errorf("records =\n%+v\nwant\n%+v", got, want2)
	}
	if _, err := ix.Query(ctx, Query{Marker: []byte("garbage")}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("a foreign marker: err = %v, want ErrBadQuery", err)
	}

	c.Kill()
	if !c.Exited() {
		t.Error("the plugin process is still running after Kill")
	}
}

func TestStoreErrorOfAPluginProcessEndsTheFeed(t *testing.T) {
	c, _ := launch(t, Protocol(), "-fail-store", "3")
	ix, err := Dispense(c, "memidx")
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if _, err := ix.Configure(ctx, ConfigureRequest{ChainID: "c"}); err != nil {
		t.Fatal(err)
	}
	f := &feeding{chain: testChain(1, 5), upTo: 5}
	err = ix.Feed(ctx, f.request(0, 4))
	if err == nil || !strings.Contains(err.Error(), "refusing ledger 3") || !reflect.DeepEqual(f.acks, seqs(1, 2)) {
		t.Errorf("err = %v, acks %v; want the plugin's refusal after 1 and 2", err, f.acks)
	}
}

func TestPluginOfAnotherProtocolMajorGivesVersionMismatchError(t *testing.T) {
	// A node that speaks only major 2 launches memidx, which speaks 1: the
	// same handshake a v1 node sees from a v2-only plugin.
	host := plugin.Protocol{
		Kind:    plugin.KindIndexer,
		Plugins: map[int]goplugin.PluginSet{2: {string(plugin.KindIndexer): &grpcPlugin{}}},
	}
	c, _ := launch(t, host)
	_, err := dispense(host, c, "memidx")
	var mismatch *plugin.VersionMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v (%T), want a *plugin.VersionMismatchError", err, err)
	}
	if !reflect.DeepEqual(mismatch.PluginVersions, []int{1}) || !reflect.DeepEqual(mismatch.HostVersions, []int{2}) ||
		mismatch.Kind != plugin.KindIndexer || mismatch.Plugin != "memidx" {
		t.Errorf("mismatch = %+v", mismatch)
	}
	const wantMsg = `indexer plugin "memidx" speaks indexer protocol v1, this node speaks v2: the plugin is older than the node; install a release of the plugin built against an SDK for indexer protocol v2, or run a node release that still speaks v1`
	if err.Error() != wantMsg {
		t.Errorf("message:\n%s\nwant\n%s", err, wantMsg)
	}
}

func TestPluginPrintingToStdoutBeforeTheHandshakeFailsNamingTheCause(t *testing.T) {
	c, _ := launch(t, Protocol(), "-stdout-first")
	_, err := Dispense(c, "memidx")
	if !errors.Is(err, plugin.ErrStdoutBeforeHandshake) {
		t.Fatalf("err = %v, want one wrapping plugin.ErrStdoutBeforeHandshake", err)
	}
	for _, want := range []string{`indexer plugin "memidx"`, "stdout before the handshake", `"starting memidx"`, "log to stderr"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%s", want, err)
		}
	}
}

func TestPluginLaunchedAsAnotherKindExitsNamingBothKinds(t *testing.T) {
	asConsensus := plugin.Protocol{Kind: plugin.KindConsensus, Plugins: Protocol().Plugins}
	c, logs := launch(t, asConsensus)
	if _, err := dispense(asConsensus, c, "memidx"); err == nil {
		t.Fatal("an indexer plugin launched as a consensus plugin started")
	}
	c.Kill() // waits for go-plugin to copy the plugin's stderr into the log
	const want = "this binary is an indexer plugin, but the node launched it as a consensus plugin"
	if !strings.Contains(logs.String(), want) {
		t.Errorf("host log lacks %q:\n%s", want, logs)
	}
}
