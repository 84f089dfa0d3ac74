package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Guard keeps webhooks from reaching internal services: an address in a private, loopback,
// link-local, unspecified or multicast range is refused unless one of Allow holds it. It is
// checked when an endpoint is registered (every address its host resolves to) and again on
// every connection, on the address actually dialled, so a host that resolves elsewhere later
// (DNS rebinding) is refused too.
type Guard struct {
	Allow []netip.Prefix
}

// ErrRefused is the error of an address the guard refuses.
var ErrRefused = errors.New("the address is in a private, loopback or link-local range and not allow-listed")

// Permits reports whether the guard lets a connection reach a.
func (g Guard) Permits(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return true
		}
	}
	return !(a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || cgnat.Contains(a))
}

// cgnat is the shared address space of carrier-grade NAT, internal too.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// CheckURL checks an endpoint's URL: http or https, a host, and every address the host
// resolves to permitted.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return errors.New("the URL must be http(s)://host[:port]/path, without credentials")
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("the host %s does not resolve", u.Hostname())
	}
	for _, a := range addrs {
		if !g.Permits(a) {
			return fmt.Errorf("%s resolves to %s: %w", u.Hostname(), a.Unmap(), ErrRefused)
		}
	}
	return nil
}

// Dialer gives a dialer that refuses, after resolution, any address the guard does not permit.
func (g Guard) Dialer() *net.Dialer {
	return &net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return err
		}
		if !g.Permits(ap.Addr()) {
			return fmt.Errorf("dial %s: %w", address, ErrRefused)
		}
		return nil
	}}
}
