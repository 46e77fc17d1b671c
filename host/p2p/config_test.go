package p2p

import (
	"context"
	"strings"
	"testing"

	ma "github.com/multiformats/go-multiaddr"
)

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	self, err := PeerIDFromKey(testKey(0))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := PeerIDFromKey(testKey(1))
	bad := Config{
		ListenAddrs:    []string{"/ip4/127.0.0.1/udp/1"},
		Key:            []byte("short"),
		ChainID:        "a/b",
		Peers:          []Peer{{ID: "nope"}, {ID: other, Addrs: []string{"/ip4/1.2.3.4/tcp/1/p2p/" + self}}, {ID: other}},
		MaxMessageSize: 32 << 20,
		ReconnectMin:   -1,
	}
	err = bad.Validate()
	if err == nil {
		t.Fatal("a bad configuration passed")
	}
	for _, want := range []string{
		"only TCP addresses", "ed25519 seed is 32 bytes", "chain_id", "peers[0].id", "names peer",
		"peers[2] repeats peers[1]", "max_message_size", "reconnect_min is negative",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems %q do not mention %q", err, want)
		}
	}

	selfListed := Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Key: testKey(0), ChainID: testChain, Peers: []Peer{{ID: self}}}
	if err := selfListed.Validate(); err == nil || !strings.Contains(err.Error(), "this host itself") {
		t.Errorf("a host listing itself: %v", err)
	}
	if _, err := New(context.Background(), bad, nil); err == nil {
		t.Error("New accepted a bad configuration")
	}
}

// Port 0 picks a free port, and Addrs reports it; the peer id is the one
// PeerIDFromKey computes.
func TestNewListensOnAFreePort(t *testing.T) {
	checkNoLeaks(t)
	h, err := New(context.Background(), Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Key: testKey(9), ChainID: testChain}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if want, _ := PeerIDFromKey(testKey(9)); h.ID() != want {
		t.Errorf("peer id %s, want %s", h.ID(), want)
	}
	addrs := h.Addrs()
	if len(addrs) != 1 {
		t.Fatalf("addrs %q, want one", addrs)
	}
	port, err := ma.StringCast(addrs[0]).ValueForProtocol(ma.P_TCP)
	if err != nil || port == "0" {
		t.Errorf("addr %s: port %q, %v; want the port picked", addrs[0], port, err)
	}
}
