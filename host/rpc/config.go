package rpc

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Values of Config.ServerSigning.
const (
	SigningAuto = "auto" // allowed on loopback listeners only
	SigningOn   = "on"   // allowed on every listener
	SigningOff  = "off"  // refused everywhere
)

// Config is the API server's configuration. The field names match
// host/config's RPCConfig one for one, so the node copies them across.
// Every limit applies to public clients; admin clients (AdminIPs) are exempt
// from rate limits and from the per-IP connection cap, as in rippled.
type Config struct {
	// WSListen is the WebSocket API address (host:port, port 0 picks one);
	// "" turns it off.
	WSListen string `koanf:"ws_listen"`
	// HTTPListen is the HTTP JSON-RPC (admin) address; "" turns it off.
	HTTPListen string `koanf:"http_listen"`
	// ServerSigning decides where the node accepts account secrets
	// (sign, sign_for, submit with secret): "auto" on loopback listeners
	// only, "on" everywhere, "off" nowhere.
	ServerSigning string `koanf:"server_signing"`
	// MaxFrameBytes bounds one WebSocket message; a bigger one closes the
	// connection with 1009 (message too big). skywelld uses 1,000,000.
	MaxFrameBytes int `koanf:"max_frame_bytes"`
	// MaxBodyBytes bounds one HTTP request body (413 beyond it).
	MaxBodyBytes int `koanf:"max_body_bytes"`
	// MaxConnections caps open WebSocket connections (and, separately, open
	// HTTP connections).
	MaxConnections int `koanf:"max_connections"`
	// MaxConnectionsPerIP caps WebSocket connections from one address.
	MaxConnectionsPerIP int `koanf:"max_connections_per_ip"`
	// RequestsPerSecond and RequestsBurst are one connection's token bucket.
	// A client past its burst first gets "warning":"load" on its responses;
	// one more burst beyond that and it is disconnected with 1008 "threshold
	// exceeded" (rippled's resource manager behaves the same way).
	RequestsPerSecond float64 `koanf:"requests_per_second"`
	RequestsBurst     int     `koanf:"requests_burst"`
	// IPRequestsPerSecond and IPRequestsBurst are the bucket shared by every
	// connection and HTTP request from one address. HTTP clients past it get
	// 503. IPRequestsBurst 0 means twice IPRequestsPerSecond.
	IPRequestsPerSecond float64 `koanf:"ip_requests_per_second"`
	IPRequestsBurst     int     `koanf:"ip_requests_burst"`
	// MaxSubscriptions caps the accounts one connection subscribes to.
	MaxSubscriptions int `koanf:"max_subscriptions"`
	// SendQueue is how many messages wait for one WebSocket client; a
	// subscriber that falls this far behind is disconnected (close code
	// 4000, skywelld's crTooSlow) instead of slowing the node.
	SendQueue int `koanf:"send_queue"`
	// WriteTimeout bounds writing one message; a client that does not read
	// for this long is disconnected.
	WriteTimeout time.Duration `koanf:"write_timeout"`
	// RequestTimeout bounds the handling of one request.
	RequestTimeout time.Duration `koanf:"request_timeout"`
	// AdminIPs are addresses ("127.0.0.1") or prefixes ("10.0.0.0/8") that
	// get admin commands (wallet_propose) and no rate limits.
	AdminIPs []string `koanf:"admin_ips"`
}

// DefaultConfig returns skywelld's ports on loopback and limits sized for a
// public node.
func DefaultConfig() Config {
	return Config{
		WSListen:            "127.0.0.1:5020",
		HTTPListen:          "127.0.0.1:5050",
		ServerSigning:       SigningAuto,
		MaxFrameBytes:       1 << 20,
		MaxBodyBytes:        1 << 20,
		MaxConnections:      1000,
		MaxConnectionsPerIP: 100,
		RequestsPerSecond:   500,
		RequestsBurst:       1000,
		IPRequestsPerSecond: 2000,
		MaxSubscriptions:    200,
		SendQueue:           2048,
		WriteTimeout:        10 * time.Second,
		RequestTimeout:      30 * time.Second,
		AdminIPs:            []string{"127.0.0.1", "::1"},
	}
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("rpc: "+format, args...)) }
	for _, l := range []struct{ name, v string }{{"ws_listen", c.WSListen}, {"http_listen", c.HTTPListen}} {
		if l.v == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(l.v); err != nil {
			bad("%s %q is not host:port: write it like \"127.0.0.1:5020\", or \"\" to turn it off", l.name, l.v)
		}
	}
	if c.WSListen != "" && c.WSListen == c.HTTPListen && !strings.HasSuffix(c.WSListen, ":0") {
		bad("http_listen %q is the same address as ws_listen: give each API its own port", c.HTTPListen)
	}
	switch c.ServerSigning {
	case SigningAuto, SigningOn, SigningOff:
	default:
		bad("server_signing %q is not one of auto, on, off", c.ServerSigning)
	}
	atLeast := func(name string, v, min int) {
		if v < min {
			bad("%s is %d: set it to at least %d", name, v, min)
		}
	}
	atLeast("max_frame_bytes", c.MaxFrameBytes, 1024)
	atLeast("max_body_bytes", c.MaxBodyBytes, 1024)
	atLeast("max_connections", c.MaxConnections, 1)
	atLeast("max_connections_per_ip", c.MaxConnectionsPerIP, 1)
	atLeast("requests_burst", c.RequestsBurst, 1)
	atLeast("ip_requests_burst", c.IPRequestsBurst, 0)
	atLeast("max_subscriptions", c.MaxSubscriptions, 1)
	atLeast("send_queue", c.SendQueue, 1)
	if c.RequestsPerSecond <= 0 {
		bad("requests_per_second is %v: set a positive rate such as 500", c.RequestsPerSecond)
	}
	if c.IPRequestsPerSecond <= 0 {
		bad("ip_requests_per_second is %v: set a positive rate such as 2000", c.IPRequestsPerSecond)
	}
	if c.WriteTimeout <= 0 {
		bad("write_timeout is %v: set a positive duration such as 10s", c.WriteTimeout)
	}
	if c.RequestTimeout <= 0 {
		bad("request_timeout is %v: set a positive duration such as 30s", c.RequestTimeout)
	}
	for _, s := range c.AdminIPs {
		if _, err := parseAdminIP(s); err != nil {
			bad("admin_ips has %q, which is neither an IP address nor a CIDR prefix: write e.g. \"127.0.0.1\" or \"10.0.0.0/8\"", s)
		}
	}
	return errors.Join(errs...)
}

func (c Config) ipBurst() float64 {
	if c.IPRequestsBurst > 0 {
		return float64(c.IPRequestsBurst)
	}
	return 2 * c.IPRequestsPerSecond
}

// signingAllowed reports whether the listener bound at addr may take
// account secrets.
func (c Config) signingAllowed(addr net.Addr) bool {
	switch c.ServerSigning {
	case SigningOn:
		return true
	case SigningAuto:
		ta, ok := addr.(*net.TCPAddr)
		return ok && ta.IP.IsLoopback()
	}
	return false
}

// adminSet is AdminIPs parsed once.
type adminSet []netip.Prefix

func parseAdminSet(ips []string) adminSet {
	var out adminSet
	for _, s := range ips {
		if p, err := parseAdminIP(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func (a adminSet) contains(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	for _, p := range a {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func parseAdminIP(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a := p.Addr(); a.Is4In6() {
			if p.Bits() < 96 {
				return netip.Prefix{}, errors.New("an IPv4-mapped prefix needs at least 96 bits")
			}
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	ip = ip.Unmap().WithZone("")
	return netip.PrefixFrom(ip, ip.BitLen()), nil
}
