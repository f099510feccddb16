// Package check defines what a check is and runs one: an executor per kind
// (http, tcp, dns, tls), each returning a structured result. Heartbeat and
// host checks are judged from what jobs and host agents report, not run.
package check

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Kind names a kind of check.
type Kind string

// The kinds of checks.
const (
	HTTP      Kind = "http"
	TCP       Kind = "tcp"
	DNS       Kind = "dns"
	TLS       Kind = "tls"
	Heartbeat Kind = "heartbeat"
	Host      Kind = "host"
)

// Kinds lists every kind, in the order documentation shows them.
var Kinds = []Kind{HTTP, TCP, DNS, TLS, Heartbeat, Host}

// Reason is the category of a failure, shared by every kind so that
// detection, incidents and customers speak of failures the same way.
type Reason string

// The failure categories. A successful result has no reason.
const (
	ReasonTimeout     Reason = "timeout"
	ReasonRefused     Reason = "refused"
	ReasonDNS         Reason = "dns"
	ReasonTLS         Reason = "tls"
	ReasonCertificate Reason = "certificate"
	ReasonHTTPStatus  Reason = "http-status"
	ReasonContent     Reason = "content"
	ReasonSlow        Reason = "slow"
	ReasonMissed      Reason = "missed"
	ReasonFailed      Reason = "failed"    // a heartbeat reported failure
	ReasonNetwork     Reason = "network"   // reset, unreachable, other I/O errors
	ReasonViolation   Reason = "violation" // a host fact breaks a compliance rule
	ReasonConfig      Reason = "config"    // the check itself cannot run as written
)

// Phase is the step of a check at which it failed or finished.
type Phase string

// The phases of a check.
const (
	PhaseResolve  Phase = "resolve"
	PhaseConnect  Phase = "connect"
	PhaseTLS      Phase = "tls"
	PhaseRequest  Phase = "request"
	PhaseResponse Phase = "response"
	PhaseBody     Phase = "body"
	PhaseDone     Phase = "done"
)

// Timings are the durations of a check's phases; zero when a phase did not
// happen.
type Timings struct {
	DNS       time.Duration `json:"dns"`
	Connect   time.Duration `json:"connect"`
	TLS       time.Duration `json:"tls"`
	FirstByte time.Duration `json:"first_byte"`
	Total     time.Duration `json:"total"`
}

// Result is the outcome of one run of a check.
type Result struct {
	OK      bool      `json:"ok"`
	Phase   Phase     `json:"phase"`
	Reason  Reason    `json:"reason,omitempty"`
	Message string    `json:"message,omitempty"`
	Timings Timings   `json:"timings"`
	Started time.Time `json:"started"`
}

// Duration is a time.Duration written as "30s", "2m" in files and JSON.
type Duration time.Duration

// MarshalText writes the duration as Go does ("1m30s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads "30s", "2m", "1h30m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("want a duration such as 30s or 2m, got %q", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a JSON string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a JSON string such as "30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string such as \"30s\", got %s", b)
	}
	return d.UnmarshalText([]byte(s))
}

// Check is one declared check: what to probe, how often, from where, and
// the fields of its kind. The same struct is read from inventory files and
// the API, stored, and sent to probes.
//
// The fields few checks set live in option structs of their kind, held by
// pointer and nil when none is set: a server keeps one Check per check, a
// million of them, and most are http checks with a URL and nothing else.
// The option structs are embedded so that encoding/json writes and reads
// their fields flat, in the same order as when they were fields of Check.
//
// An option struct may be shared between checks (a check copied from a
// default check shares its options, and defaults share one value), so it is
// never modified in place: read its fields through the methods of Check,
// named as the fields, which hide the promoted fields and return the zero
// value when the options are nil; change them through EditHTTP, EditTCP,
// EditDNS, EditTLS and EditHeartbeat, which give the check its own copy.
// Compare checks with Equal, which sees nil options as options left empty.
type Check struct {
	// Name identifies the check within its asset (default: the kind).
	Name      string   `json:"name,omitempty"`
	Asset     string   `json:"asset"`
	Kind      Kind     `json:"kind"`
	Interval  Duration `json:"interval,omitempty"`
	Timeout   Duration `json:"timeout,omitempty"`
	Attempts  int      `json:"attempts,omitempty"`
	Locations []string `json:"locations,omitempty"`
	// Quorum is how many locations must see the check failing for it to
	// be DOWN (default: a majority of those reporting).
	Quorum int `json:"quorum,omitempty"`

	// http (URL also names the host of a tls check)
	URL string `json:"url,omitempty"`
	*HTTPOptions

	// tcp and tls: host:port to connect to; http: where to connect instead
	// of resolving the URL's host (optional).
	Address string `json:"address,omitempty"`
	*TCPOptions

	*DNSOptions
	*TLSOptions
	*HeartbeatOptions
}

// HTTPOptions are the fields of an http check beside its URL.
type HTTPOptions struct {
	Method          string            `json:"method,omitempty"`
	ExpectStatus    string            `json:"expect_status,omitempty"` // "200", "200-299", "301,302"
	BodyContains    string            `json:"body_contains,omitempty"`
	BodyRegex       string            `json:"body_regex,omitempty"`
	MaxLatency      Duration          `json:"max_latency,omitempty"`
	FollowRedirects *bool             `json:"follow_redirects,omitempty"`
	Headers         map[string]string `json:"headers,omitempty"` // "Host" sets the Host header
	TLSVerify       *bool             `json:"tls_verify,omitempty"`
}

// TCPOptions are the fields of a tcp check beside its address.
type TCPOptions struct {
	Banner string `json:"banner,omitempty"`
}

// DNSOptions are the fields of a dns check.
type DNSOptions struct {
	Server        string   `json:"server,omitempty"` // host:port of the name server
	Query         string   `json:"query,omitempty"`  // the name to ask for
	QueryType     string   `json:"query_type,omitempty"`
	ExpectRcode   string   `json:"expect_rcode,omitempty"`   // default NOERROR
	ExpectAnswers []string `json:"expect_answers,omitempty"` // each must appear among the answers
}

// TLSOptions are the fields of a tls check beside its URL or address.
type TLSOptions struct {
	ServerName string `json:"server_name,omitempty"` // SNI and name to verify
	MinDays    int    `json:"min_days,omitempty"`    // fail when the certificate expires sooner
}

// HeartbeatOptions are the fields of a heartbeat check.
type HeartbeatOptions struct {
	Period Duration `json:"period,omitempty"`
	Grace  Duration `json:"grace,omitempty"`
}

// Key identifies a check: the asset it watches and its name. Its string
// form, ASSET/NAME, keys maps and rows; nothing parses it back, since an
// asset name may itself contain a slash.
type Key struct {
	Asset, Name string
}

// String returns ASSET/NAME.
func (k Key) String() string { return k.Asset + "/" + k.Name }

// ID returns the check's key; its name defaults to its kind.
func (c *Check) ID() Key {
	name := c.Name
	if name == "" {
		name = string(c.Kind)
	}
	return Key{Asset: c.Asset, Name: name}
}

// Key returns the string form of the check's key.
func (c *Check) Key() string { return c.ID().String() }

// Defaults applied to every check that does not set them.
const (
	DefaultAttempts       = 3
	DefaultHTTPInterval   = 60 * time.Second
	DefaultTCPInterval    = 30 * time.Second
	DefaultInterval       = 60 * time.Second
	DefaultTimeout        = 10 * time.Second
	DefaultHeartbeatGrace = 5 * time.Minute
)
