package check

import (
	"reflect"
	"testing"
	"time"
)

// validChecks are one valid check of each kind.
func validChecks() map[Kind]Check {
	return map[Kind]Check{
		HTTP:      {Kind: HTTP, URL: "https://www.site.example/"},
		TCP:       {Kind: TCP, Address: "mail.site.example:25"},
		DNS:       {Kind: DNS, DNSOptions: &DNSOptions{Server: "ns1.site.example", Query: "www.site.example"}},
		TLS:       {Kind: TLS, Address: "www.site.example:443"},
		Heartbeat: {Kind: Heartbeat, HeartbeatOptions: &HeartbeatOptions{Period: Duration(24 * time.Hour)}},
		Host:      {Kind: Host},
	}
}

// TestValidate proves each rule of Validate with its exact message.
func TestValidate(t *testing.T) {
	sec := func(n int) Duration { return Duration(time.Duration(n) * time.Second) }
	tests := []struct {
		name   string
		kind   Kind
		change func(c *Check)
		want   []FieldError
	}{
		{"http", HTTP, func(*Check) {}, nil},
		{"tcp", TCP, func(*Check) {}, nil},
		{"dns", DNS, func(*Check) {}, nil},
		{"tls", TLS, func(*Check) {}, nil},
		{"heartbeat", Heartbeat, func(*Check) {}, nil},
		{"host", Host, func(*Check) {}, nil},
		{"every http field", HTTP, func(c *Check) {
			*c = Check{
				Kind:        HTTP,
				URL:         "http://127.0.0.1:8080/health",
				Address:     "10.0.0.1:80",
				Interval:    sec(60),
				Timeout:     sec(10),
				Attempts:    10,
				HTTPOptions: &HTTPOptions{Method: "HEAD", ExpectStatus: "200-299,304", BodyContains: "ok", BodyRegex: "^ok$", MaxLatency: sec(2), FollowRedirects: ptr(false), Headers: map[string]string{"Host": "www.site.example"}, TLSVerify: ptr(true)},
			}
		}, nil},
		{"every dns field", DNS, func(c *Check) {
			o := c.EditDNS()
			o.Server, o.QueryType, o.ExpectRcode, o.ExpectAnswers = "[2001:db8::53]:5353", "mx", "NXDOMAIN", []string{"mail.site.example"}
		}, nil},
		{"tls by url", TLS, func(c *Check) {
			o := c.EditTLS()
			c.Address, c.URL, o.ServerName, o.MinDays = "", "https://www.site.example:8443/", "site.example", 30
		}, nil},

		{"no kind", HTTP, func(c *Check) { c.Kind = "" }, []FieldError{{"kind", "required"}}},
		{"unknown kind", HTTP, func(c *Check) { c.Kind = "ping" },
			[]FieldError{{"kind", `unknown kind "ping", want http, tcp, dns, tls, heartbeat or host`}}},
		{"field of another kind", HTTP, func(c *Check) { c.EditTCP().Banner = "SSH-" },
			[]FieldError{{"banner", "not used by http checks, only by tcp"}}},
		{"fields of other kinds", Heartbeat, func(c *Check) { c.URL, c.Address, c.EditTLS().MinDays = "https://x.example/", "x.example:443", 3 },
			[]FieldError{
				{"url", "not used by heartbeat checks, only by http and tls"},
				{"address", "not used by heartbeat checks, only by http, tcp and tls"},
				{"min_days", "not used by heartbeat checks, only by tls"},
			}},
		{"host has no fields", Host, func(c *Check) { c.EditHeartbeat().Period, c.EditDNS().QueryType = sec(60), "A" },
			[]FieldError{{"query_type", "not used by host checks, only by dns"}, {"period", "not used by host checks, only by heartbeat"}}},

		{"negative durations", HTTP, func(c *Check) { c.Interval, c.Timeout, c.EditHTTP().MaxLatency = -1, -1, -1 },
			[]FieldError{{"interval", "must not be negative"}, {"timeout", "must not be negative"}, {"max_latency", "must not be negative"}}},
		{"timeout as long as the interval", TCP, func(c *Check) { c.Interval, c.Timeout = sec(30), sec(30) },
			[]FieldError{{"timeout", "must be shorter than the interval (30s)"}}},
		{"attempts", TCP, func(c *Check) { c.Attempts = 11 }, []FieldError{{"attempts", "must be from 0 to 10, got 11"}}},
		{"negative attempts", TCP, func(c *Check) { c.Attempts = -1 }, []FieldError{{"attempts", "must be from 0 to 10, got -1"}}},
		{"quorum above locations", TCP, func(c *Check) { c.Locations = []string{"paris", "montreal"}; c.Quorum = 3 },
			[]FieldError{{"quorum", "must be from 1 to the number of locations, got 3"}}},
		{"negative quorum", TCP, func(c *Check) { c.Quorum = -1 }, []FieldError{{"quorum", "must be from 1 to the number of locations, got -1"}}},

		{"http without url", HTTP, func(c *Check) { c.URL = "" }, []FieldError{{"url", "required"}}},
		{"http relative url", HTTP, func(c *Check) { c.URL = "/health" },
			[]FieldError{{"url", `want an absolute http or https URL, got "/health"`}}},
		{"http other scheme", HTTP, func(c *Check) { c.URL = "ftp://www.site.example/" },
			[]FieldError{{"url", `want an absolute http or https URL, got "ftp://www.site.example/"`}}},
		{"method", HTTP, func(c *Check) { c.EditHTTP().Method = "GET /" },
			[]FieldError{{"method", `want an HTTP method such as GET or HEAD, got "GET /"`}}},
		{"expect_status word", HTTP, func(c *Check) { c.EditHTTP().ExpectStatus = "ok" },
			[]FieldError{{"expect_status", `want statuses such as 200, 200-299 or 301,302, got "ok"`}}},
		{"expect_status reversed range", HTTP, func(c *Check) { c.EditHTTP().ExpectStatus = "299-200" },
			[]FieldError{{"expect_status", `want statuses such as 200, 200-299 or 301,302, got "299-200"`}}},
		{"expect_status out of range", HTTP, func(c *Check) { c.EditHTTP().ExpectStatus = "200,600" },
			[]FieldError{{"expect_status", `want statuses such as 200, 200-299 or 301,302, got "200,600"`}}},
		{"expect_status empty item", HTTP, func(c *Check) { c.EditHTTP().ExpectStatus = "200," },
			[]FieldError{{"expect_status", `want statuses such as 200, 200-299 or 301,302, got "200,"`}}},
		{"body_regex", HTTP, func(c *Check) { c.EditHTTP().BodyRegex = "a(b" },
			[]FieldError{{"body_regex", "does not compile: error parsing regexp: missing closing ): `a(b`"}}},
		{"headers", HTTP, func(c *Check) { c.EditHTTP().Headers = map[string]string{"X-B": "1\n2", "X A": "1", "X-C": "ok"} },
			[]FieldError{{"headers", `invalid header name "X A"`}, {"headers", "the value of X-B must not contain line breaks"}}},
		{"http address", HTTP, func(c *Check) { c.Address = "10.0.0.1" },
			[]FieldError{{"address", `want host:port, got "10.0.0.1"`}}},

		{"tcp without address", TCP, func(c *Check) { c.Address = "" }, []FieldError{{"address", "required"}}},
		{"tcp port", TCP, func(c *Check) { c.Address = "mail.site.example:smtp" },
			[]FieldError{{"address", `port must be a number from 1 to 65535, got "smtp"`}}},

		{"dns without server and query", DNS, func(c *Check) { c.DNSOptions = &DNSOptions{} },
			[]FieldError{{"server", "required"}, {"query", "required"}}},
		{"dns bad server", DNS, func(c *Check) { c.EditDNS().Server = "ns1:domain" },
			[]FieldError{{"server", `want host or host:port, got "ns1:domain"`}}},
		{"dns bad query", DNS, func(c *Check) { c.EditDNS().Query = "a..b" },
			[]FieldError{{"query", `want a domain name, got "a..b"`}}},
		{"dns unknown type and rcode", DNS, func(c *Check) { o := c.EditDNS(); o.QueryType, o.ExpectRcode = "AX", "GONE" },
			[]FieldError{{"query_type", `unknown type "AX"`}, {"expect_rcode", `unknown rcode "GONE"`}}},
		{"dns empty answer", DNS, func(c *Check) { c.EditDNS().ExpectAnswers = []string{"127.0.0.1", " "} },
			[]FieldError{{"expect_answers", "entry 2 is empty"}}},

		{"tls without target", TLS, func(c *Check) { c.Address = "" }, []FieldError{{"address", "required unless url is set"}}},
		{"tls http url", TLS, func(c *Check) { c.URL = "http://www.site.example/" },
			[]FieldError{{"url", `want an absolute https URL, got "http://www.site.example/"`}}},
		{"tls negative min_days", TLS, func(c *Check) { c.EditTLS().MinDays = -1 }, []FieldError{{"min_days", "must not be negative"}}},

		{"heartbeat without period", Heartbeat, func(c *Check) { c.EditHeartbeat().Period = 0 }, []FieldError{{"period", "required"}}},
		{"heartbeat negative durations", Heartbeat, func(c *Check) { c.HeartbeatOptions = &HeartbeatOptions{Period: -1, Grace: -1} },
			[]FieldError{{"period", "must not be negative"}, {"grace", "must not be negative"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validChecks()[tt.kind]
			tt.change(&c)
			if got := Validate(&c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestApplyDefaults proves which defaults each kind gets and that set
// fields are kept.
func TestApplyDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Check
		want Check
	}{
		{"http", Check{Kind: HTTP}, Check{Kind: HTTP, Name: "http", Interval: Duration(time.Minute), Timeout: Duration(10 * time.Second), Attempts: 3, HTTPOptions: &HTTPOptions{Method: "GET"}}},
		{"tcp", Check{Kind: TCP}, Check{Kind: TCP, Name: "tcp", Interval: Duration(30 * time.Second), Timeout: Duration(10 * time.Second), Attempts: 3}},
		{"dns", Check{Kind: DNS}, Check{Kind: DNS, Name: "dns", Interval: Duration(time.Minute), Timeout: Duration(10 * time.Second), Attempts: 3}},
		{"heartbeat", Check{Kind: Heartbeat}, Check{
			Kind:             Heartbeat,
			Name:             "heartbeat",
			Interval:         Duration(time.Minute),
			Timeout:          Duration(10 * time.Second),
			Attempts:         3,
			HeartbeatOptions: &HeartbeatOptions{Grace: Duration(5 * time.Minute)},
		}},
		{"short interval", Check{Kind: TCP, Address: "mail.site.example:25", Interval: Duration(5 * time.Second)},
			Check{Kind: TCP, Address: "mail.site.example:25", Name: "tcp", Interval: Duration(5 * time.Second),
				Timeout: Duration(2500 * time.Millisecond), Attempts: 3}},
		{"set fields kept", Check{Kind: HTTP, Name: "home", Interval: Duration(time.Hour), Timeout: Duration(time.Second), Attempts: 1, HTTPOptions: &HTTPOptions{Method: "HEAD"}},
			Check{Kind: HTTP, Name: "home", Interval: Duration(time.Hour), Timeout: Duration(time.Second), Attempts: 1, HTTPOptions: &HTTPOptions{Method: "HEAD"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.in
			ApplyDefaults(&c)
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("got %+v, want %+v", c, tt.want)
			}
			if errs := Validate(&c); tt.name == "short interval" && errs != nil {
				t.Errorf("defaults do not validate: %v", errs)
			}
		})
	}
}
