package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A value is a field of Config of one kind: it parses a variable's text into the field,
// checking it, and prints the field back.
type value interface {
	set(text string) error // unwanted when text is not a value of the kind
	String() string
}

// masker is a secret value that can be shown in part (a URL without its password).
type masker interface{ masked() string }

// unwanted says what a value's kind wants, for the message naming the variable.
type unwanted struct {
	want    string
	example bool // the default illustrates it: "such as 15s"
}

func (u unwanted) Error() string { return "want " + u.want }

// text is any text.
type text struct{ p *string }

func (v text) set(s string) error { *v.p = s; return nil }
func (v text) String() string     { return *v.p }

// oneOf is one of a few words.
type oneOf struct {
	p     *string
	words []string
}

func (v oneOf) set(s string) error {
	for _, w := range v.words {
		if s == w {
			*v.p = s
			return nil
		}
	}
	last := len(v.words) - 1
	return unwanted{want: strings.Join(v.words[:last], ", ") + " or " + v.words[last]}
}

func (v oneOf) String() string { return *v.p }

// positive is a whole number above zero.
type positive[T int | int64] struct{ p *T }

func (v positive[T]) set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || int64(T(n)) != n {
		return unwanted{want: "a positive integer"}
	}
	*v.p = T(n)
	return nil
}

func (v positive[T]) String() string { return strconv.FormatInt(int64(*v.p), 10) }

// duration is a Go duration (15s, 2m), positive unless zero is allowed.
type duration struct {
	p      *time.Duration
	zeroOK bool
}

func (v duration) set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case v.zeroOK && (err != nil || d < 0):
		return unwanted{want: "a duration", example: true}
	case err != nil || d <= 0 && !v.zeroOK:
		return unwanted{want: "a positive duration", example: true}
	}
	*v.p = d
	return nil
}

func (v duration) String() string { return v.p.String() }

// rate is a number of requests per second, 0 or more.
type rate struct{ p *float64 }

func (v rate) set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return unwanted{want: "requests per second, 0 or more"}
	}
	*v.p = f
	return nil
}

func (v rate) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }

// byteUnits are the units of a byteSize, as GOMEMLIMIT spells them.
var byteUnits = []struct {
	name string
	size int64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// byteSize is a positive number of bytes, with a unit as GOMEMLIMIT takes it: 180MiB, 2GiB.
type byteSize struct{ p *int64 }

func (v byteSize) set(s string) error {
	digits, unit := s, int64(1)
	for _, u := range byteUnits {
		if d, ok := strings.CutSuffix(s, u.name); ok {
			digits, unit = d, u.size
			break
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return unwanted{want: "a size in B, KiB, MiB or GiB", example: true}
	}
	*v.p = n * unit
	return nil
}

// String writes the size in the largest unit that holds it exactly.
func (v byteSize) String() string {
	for _, u := range byteUnits {
		if *v.p%u.size == 0 {
			return strconv.FormatInt(*v.p/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(*v.p, 10) + "B"
}

// postgresURL is a postgres:// URL; shown without its password.
type postgresURL struct{ p *string }

func (v postgresURL) set(s string) error {
	if u, err := url.Parse(s); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return unwanted{want: "a postgres:// URL"}
	}
	*v.p = s
	return nil
}

func (v postgresURL) String() string { return *v.p }
func (v postgresURL) masked() string { return maskURL(*v.p) }

// maskURL hides the password of a URL.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// metricsListen is where /metrics is served: an address, MetricsOnAPI or MetricsOff.
type metricsListen struct{ p *string }

func (v metricsListen) set(s string) error {
	if s != MetricsOnAPI && s != MetricsOff {
		if _, _, err := net.SplitHostPort(s); err != nil {
			return unwanted{want: "an address (host:port), " + MetricsOnAPI + " or " + MetricsOff}
		}
	}
	*v.p = s
	return nil
}

func (v metricsListen) String() string { return *v.p }

// origins are comma-separated web origins (scheme and host, no path), never a wildcard.
type origins struct{ p *[]string }

func (v origins) set(s string) error {
	var out []string
	for _, o := range strings.Split(s, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if o == "*" {
			return fmt.Errorf("name the origins; a wildcard is not accepted")
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
			return fmt.Errorf("%q is not an origin such as https://console.example.org", o)
		}
		out = append(out, o)
	}
	*v.p = out
	return nil
}

func (v origins) String() string { return strings.Join(*v.p, ",") }

// prefixes are networks: CIDRs, or single addresses.
type prefixes struct{ p *[]netip.Prefix }

func (v prefixes) set(s string) error {
	var out []netip.Prefix
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		p, err := netip.ParsePrefix(t)
		if err != nil {
			a, aerr := netip.ParseAddr(t)
			if aerr != nil {
				return fmt.Errorf("%q is not a network such as 10.1.0.0/16 or 127.0.0.1", t)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	*v.p = out
	return nil
}

func (v prefixes) String() string {
	s := make([]string, len(*v.p))
	for i, p := range *v.p {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}
