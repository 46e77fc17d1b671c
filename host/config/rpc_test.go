package config

import (
	"net/netip"
	"testing"
)

func TestIsLoopbackOnlyForAddressesThisMachineAloneReaches(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:5020":          true,
		"127.9.9.9:5020":          true,
		"[::1]:5020":              true,
		"localhost:5020":          true,
		"[::ffff:127.0.0.1]:5020": true,
		":5020":                   false, // every interface
		"0.0.0.0:5020":            false,
		"[::]:5020":               false,
		"192.168.1.5:5020":        false,
		"node.internal:5020":      false, // a name may resolve anywhere
		"127.0.0.1":               false, // not host:port
		"":                        false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestServerSigningAutoAllowsSecretsOnLoopbackListenersOnly(t *testing.T) {
	tests := []struct {
		signing, addr string
		want          bool
	}{
		{SigningAuto, "127.0.0.1:5020", true},
		{SigningAuto, "0.0.0.0:5020", false},
		{SigningAuto, "10.0.0.1:5020", false},
		{SigningOn, "0.0.0.0:5020", true},
		{SigningOn, "127.0.0.1:5020", true},
		{SigningOff, "127.0.0.1:5020", false},
		{"bogus", "127.0.0.1:5020", false}, // fail closed
	}
	for _, tt := range tests {
		c := RPCConfig{ServerSigning: tt.signing}
		if got := c.ServerSigningAllowed(tt.addr); got != tt.want {
			t.Errorf("server_signing %q on %s: allowed = %v, want %v", tt.signing, tt.addr, got, tt.want)
		}
	}
}

func TestIsAdminMatchesAddressesAndPrefixes(t *testing.T) {
	c := RPCConfig{AdminIPs: []string{"127.0.0.1", "::1", "10.1.0.0/16", "::ffff:192.168.0.0/112", "not an ip"}}
	for ip, want := range map[string]bool{
		"127.0.0.1":        true,
		"::ffff:127.0.0.1": true, // IPv4-mapped counts as IPv4
		"::1":              true,
		"fe80::1%eth0":     false,
		"10.1.200.3":       true,
		"10.2.0.1":         false,
		"192.168.7.7":      true,
		"127.0.0.2":        false,
		"8.8.8.8":          false,
	} {
		if got := c.IsAdmin(netip.MustParseAddr(ip)); got != want {
			t.Errorf("IsAdmin(%s) = %v, want %v", ip, got, want)
		}
	}
	if (RPCConfig{}).IsAdmin(netip.MustParseAddr("127.0.0.1")) {
		t.Error("no admin_ips must mean no admins")
	}
}

func TestLogFormatAutoIsTextOnATerminalOnly(t *testing.T) {
	for _, tt := range []struct {
		format   string
		terminal bool
		json     bool
	}{
		{LogFormatAuto, true, false},
		{LogFormatAuto, false, true},
		{LogFormatText, false, false},
		{LogFormatJSON, true, true},
	} {
		if got := (LogConfig{Format: tt.format}).JSON(tt.terminal); got != tt.json {
			t.Errorf("format %q, terminal %v: JSON() = %v, want %v", tt.format, tt.terminal, got, tt.json)
		}
	}
}
