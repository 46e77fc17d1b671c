package config

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Values of RPCConfig.ServerSigning.
const (
	SigningAuto = "auto" // allowed on loopback listeners only
	SigningOn   = "on"   // allowed on every listener
	SigningOff  = "off"  // refused everywhere
)

// RPCConfig is the client API: WebSocket and HTTP JSON-RPC in Jingtum's
// dialect ([rpc]). Every limit applies to public clients; admin clients
// (AdminIPs) are exempt from rate limits, as in rippled. Its fields match
// host/rpc's Config one for one, in the same order, so the node converts it
// with rpc.Config(cfg.RPC); keep the two in step.
type RPCConfig struct {
	// WSListen is the WebSocket API address, host:port; "" turns it off. A
	// host of "" or 0.0.0.0 listens on every interface. Default
	// "127.0.0.1:5020".
	WSListen string `koanf:"ws_listen"`
	// HTTPListen is the HTTP JSON-RPC address, host:port; "" turns it off.
	// This is the admin port: keep it on loopback unless AdminIPs and a
	// firewall say who may reach it. Default "127.0.0.1:5050".
	HTTPListen string `koanf:"http_listen"`
	// ServerSigning decides whether the node signs transactions for clients
	// that send an account secret (jingtum-lib's non-local signing):
	// "auto" allows it only on loopback listeners, "on" everywhere, "off"
	// nowhere. A secret sent over a network is a secret given away, so the
	// node refuses secrets on non-loopback listeners unless this is "on".
	// Default "auto". See ServerSigningAllowed.
	ServerSigning string `koanf:"server_signing"`
	// MaxFrameBytes is the largest WebSocket message the node reads (1 KiB to
	// 64 MiB). Default 1 MiB.
	MaxFrameBytes int `koanf:"max_frame_bytes"`
	// MaxBodyBytes is the largest HTTP request body the node reads (1 KiB to
	// 64 MiB). Default 1 MiB.
	MaxBodyBytes int `koanf:"max_body_bytes"`
	// MaxConnections caps open WebSocket connections. Default 1000.
	MaxConnections int `koanf:"max_connections"`
	// MaxConnectionsPerIP caps open connections from one IP address (at most
	// MaxConnections). Default 100.
	MaxConnectionsPerIP int `koanf:"max_connections_per_ip"`
	// RequestsPerSecond is the sustained request rate of one connection (a
	// token bucket refilled at this rate). Default 500.
	RequestsPerSecond float64 `koanf:"requests_per_second"`
	// RequestsBurst is that bucket's size: how many requests a connection may
	// send at once after being quiet. Default 1000.
	RequestsBurst int `koanf:"requests_burst"`
	// IPRequestsPerSecond is the sustained request rate of all connections
	// and HTTP requests from one IP address together. Default 2000.
	IPRequestsPerSecond float64 `koanf:"ip_requests_per_second"`
	// IPRequestsBurst is the size of that per-IP bucket; 0 means twice
	// IPRequestsPerSecond, so it follows the rate when that changes.
	// Default 0.
	IPRequestsBurst int `koanf:"ip_requests_burst"`
	// MaxSubscriptions caps the accounts one connection may subscribe to.
	// Default 200.
	MaxSubscriptions int `koanf:"max_subscriptions"`
	// SendQueue is how many stream messages (ledgers, transactions) are
	// buffered for one subscriber; a subscriber that falls this far behind is
	// disconnected rather than slowing the node. Default 2048.
	SendQueue int `koanf:"send_queue"`
	// WriteTimeout bounds writing one message to a client; a client that
	// does not read for this long is disconnected. Default 10s.
	WriteTimeout time.Duration `koanf:"write_timeout"`
	// RequestTimeout bounds the handling of one request. Default 30s.
	RequestTimeout time.Duration `koanf:"request_timeout"`
	// AdminIPs are the client addresses granted admin commands and exempt
	// from rate limits: IP addresses ("127.0.0.1") or CIDR prefixes
	// ("10.0.0.0/8"). Default ["127.0.0.1", "::1"]. See IsAdmin.
	AdminIPs []string `koanf:"admin_ips"`
}

// ServerSigningAllowed reports whether the node may accept account secrets on
// the listener at addr (a host:port such as WSListen).
func (c RPCConfig) ServerSigningAllowed(addr string) bool {
	switch c.ServerSigning {
	case SigningOn:
		return true
	case SigningAuto:
		return IsLoopback(addr)
	default:
		return false
	}
}

// IsAdmin reports whether a client at ip is an admin under AdminIPs.
// IPv4-mapped IPv6 addresses count as their IPv4 address.
func (c RPCConfig) IsAdmin(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	for _, s := range c.AdminIPs {
		if pfx, err := parseAdminIP(s); err == nil && pfx.Contains(ip) {
			return true
		}
	}
	return false
}

// IsLoopback reports whether the listen address addr (host:port) accepts
// connections from this machine only: its host is "localhost" or a loopback
// IP. An empty host, an unspecified IP (0.0.0.0, ::) and any other host name
// are not loopback, since they may be reachable from the network.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// Validate reports every problem with the section at once.
func (c RPCConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c RPCConfig) check(p *problems) {
	d := Default().RPC
	checkListen(p, "rpc.ws_listen", c.WSListen, d.WSListen, "the WebSocket API")
	checkListen(p, "rpc.http_listen", c.HTTPListen, d.HTTPListen, "the HTTP JSON-RPC API")
	if c.WSListen != "" && c.WSListen == c.HTTPListen && !strings.HasSuffix(c.WSListen, ":0") {
		p.add("rpc.http_listen", c.HTTPListen, "is the same address as rpc.ws_listen: give each API its own port")
	}
	checkOneOf(p, "rpc.server_signing", c.ServerSigning, SigningAuto, SigningOn, SigningOff)
	checkRange(p, "rpc.max_frame_bytes", int64(c.MaxFrameBytes), 1<<10, 64<<20, int64(d.MaxFrameBytes))
	checkRange(p, "rpc.max_body_bytes", int64(c.MaxBodyBytes), 1<<10, 64<<20, int64(d.MaxBodyBytes))
	checkAtLeast(p, "rpc.max_connections", int64(c.MaxConnections), 1, int64(d.MaxConnections))
	checkAtLeast(p, "rpc.max_connections_per_ip", int64(c.MaxConnectionsPerIP), 1, int64(d.MaxConnectionsPerIP))
	if c.MaxConnections >= 1 && c.MaxConnectionsPerIP > c.MaxConnections {
		p.add("rpc.max_connections_per_ip", c.MaxConnectionsPerIP,
			"is more than rpc.max_connections (%d): lower it to at most %d", c.MaxConnections, c.MaxConnections)
	}
	checkPositiveRate(p, "rpc.requests_per_second", c.RequestsPerSecond, d.RequestsPerSecond)
	checkAtLeast(p, "rpc.requests_burst", int64(c.RequestsBurst), 1, int64(d.RequestsBurst))
	checkPositiveRate(p, "rpc.ip_requests_per_second", c.IPRequestsPerSecond, d.IPRequestsPerSecond)
	if c.IPRequestsBurst < 0 {
		p.add("rpc.ip_requests_burst", c.IPRequestsBurst,
			"must be at least 0 (default 0, meaning twice rpc.ip_requests_per_second)")
	}
	checkAtLeast(p, "rpc.max_subscriptions", int64(c.MaxSubscriptions), 1, int64(d.MaxSubscriptions))
	checkAtLeast(p, "rpc.send_queue", int64(c.SendQueue), 1, int64(d.SendQueue))
	checkPositiveDuration(p, "rpc.write_timeout", c.WriteTimeout, d.WriteTimeout)
	checkPositiveDuration(p, "rpc.request_timeout", c.RequestTimeout, d.RequestTimeout)
	for _, s := range c.AdminIPs {
		if _, err := parseAdminIP(s); err != nil {
			p.add("rpc.admin_ips", c.AdminIPs,
				`has %q, which is neither an IP address nor a CIDR prefix: write e.g. "127.0.0.1", "::1" or "10.0.0.0/8"`, s)
		}
	}
}

// checkListen accepts "" (off) or host:port with a numeric port.
func checkListen(p *problems, key, v, example, what string) {
	if v == "" {
		return
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		reason := err.Error()
		var ae *net.AddrError
		if errors.As(err, &ae) {
			reason = ae.Err
		}
		p.add(key, v, `is not a host:port address (%s): write it like %q, or "" to turn %s off`, reason, example, what)
		return
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		p.add(key, v, `has port %q, which is not a number from 0 to 65535: write it like %q`, port, example)
		return
	}
	if host != "" && !isHost(host) {
		p.add(key, v, `has host %q, which is neither an IP address nor a host name: write it like %q`, host, example)
	}
}

// isHost accepts an IP address or a DNS host name.
func isHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// parseAdminIP reads an AdminIPs entry: an address is a one-address prefix.
func parseAdminIP(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a := pfx.Addr(); a.Is4In6() {
			// ::ffff:10.0.0.0/104 is 10.0.0.0/8: clients are compared unmapped.
			if pfx.Bits() < 96 {
				return netip.Prefix{}, errors.New("an IPv4-mapped prefix needs at least 96 bits")
			}
			pfx = netip.PrefixFrom(a.Unmap(), pfx.Bits()-96)
		}
		return pfx.Masked(), nil
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	ip = ip.Unmap().WithZone("")
	return netip.PrefixFrom(ip, ip.BitLen()), nil
}
