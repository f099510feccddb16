package check

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// everyField is a check with every field set, whatever its kind: encoding
// does not look at the kind.
func everyField() Check {
	d := func(x time.Duration) Duration { return Duration(x) }
	return Check{Name: "all", Asset: "a", Kind: HTTP, Interval: d(30 * time.Second), Timeout: d(5 * time.Second),
		Attempts: 2, Locations: []string{"par", "fra"}, Quorum: 1, URL: "https://www.site.example/x?a=1&b=<2>",
		HTTPOptions: &HTTPOptions{Method: "POST", ExpectStatus: "200-299,304", BodyContains: "ok", BodyRegex: "^ok$",
			MaxLatency: d(2 * time.Second), FollowRedirects: ptr(false),
			Headers: map[string]string{"Host": "www.site.example", "X-Token": "t"}, TLSVerify: ptr(true)},
		Address:    "10.0.0.1:443",
		TCPOptions: &TCPOptions{Banner: "SSH-"},
		DNSOptions: &DNSOptions{Server: "[2001:db8::53]:5353", Query: "www.site.example", QueryType: "MX",
			ExpectRcode: "NXDOMAIN", ExpectAnswers: []string{"mx1.site.example", "mx2.site.example"}},
		TLSOptions:       &TLSOptions{ServerName: "site.example", MinDays: 14},
		HeartbeatOptions: &HeartbeatOptions{Period: d(time.Hour), Grace: d(5 * time.Minute)},
	}
}

// The JSON of a check is the same as when every field was a field of Check:
// the expected texts were written by the version before options existed.
// Decoding them gives back the same check.
func TestCheckJSONKeepsItsEncoding(t *testing.T) {
	d := func(x time.Duration) Duration { return Duration(x) }
	tests := []struct {
		name string
		c    Check
		want string
	}{
		{"every field", everyField(),
			`{"name":"all","asset":"a","kind":"http","interval":"30s","timeout":"5s","attempts":2,"locations":["par","fra"],"quorum":1,"url":"https://www.site.example/x?a=1\u0026b=\u003c2\u003e","method":"POST","expect_status":"200-299,304","body_contains":"ok","body_regex":"^ok$","max_latency":"2s","follow_redirects":false,"headers":{"Host":"www.site.example","X-Token":"t"},"tls_verify":true,"address":"10.0.0.1:443","banner":"SSH-","server":"[2001:db8::53]:5353","query":"www.site.example","query_type":"MX","expect_rcode":"NXDOMAIN","expect_answers":["mx1.site.example","mx2.site.example"],"server_name":"site.example","min_days":14,"period":"1h0m0s","grace":"5m0s"}`},
		{"http, nothing set", Check{Asset: "s1", Kind: HTTP, URL: "https://s1.example/"},
			`{"asset":"s1","kind":"http","url":"https://s1.example/"}`},
		{"http with defaults", Check{Name: "http", Asset: "s1", Kind: HTTP, Interval: d(time.Minute), Timeout: d(10 * time.Second), Attempts: 3,
			URL: "https://s1.example/", HTTPOptions: &HTTPOptions{Method: "GET"}},
			`{"name":"http","asset":"s1","kind":"http","interval":"1m0s","timeout":"10s","attempts":3,"url":"https://s1.example/","method":"GET"}`},
		{"tcp", Check{Asset: "vm1", Kind: TCP, Address: "10.0.0.1:22", TCPOptions: &TCPOptions{Banner: "SSH-"}},
			`{"asset":"vm1","kind":"tcp","address":"10.0.0.1:22","banner":"SSH-"}`},
		{"dns", Check{Asset: "ns", Kind: DNS, DNSOptions: &DNSOptions{Server: "ns1.example:53", Query: "www.example", QueryType: "AAAA",
			ExpectRcode: "NOERROR", ExpectAnswers: []string{"2001:db8::1"}}},
			`{"asset":"ns","kind":"dns","server":"ns1.example:53","query":"www.example","query_type":"AAAA","expect_rcode":"NOERROR","expect_answers":["2001:db8::1"]}`},
		{"tls", Check{Asset: "s1", Kind: TLS, URL: "https://s1.example/", TLSOptions: &TLSOptions{ServerName: "s1.example", MinDays: 21}},
			`{"asset":"s1","kind":"tls","url":"https://s1.example/","server_name":"s1.example","min_days":21}`},
		{"heartbeat", Check{Asset: "backup", Kind: Heartbeat, HeartbeatOptions: &HeartbeatOptions{Period: d(24 * time.Hour), Grace: d(time.Hour)}},
			`{"asset":"backup","kind":"heartbeat","period":"24h0m0s","grace":"1h0m0s"}`},
		{"host", Check{Asset: "vm1", Kind: Host}, `{"asset":"vm1","kind":"host"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Fatalf("encoded as\n%s\nwant\n%s", b, tt.want)
			}
			var back Check
			dec := json.NewDecoder(strings.NewReader(tt.want))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tt.c) || !back.Equal(&tt.c) {
				t.Fatalf("decoded as %+v, want %+v", back, tt.c)
			}
		})
	}
}

// Strict decoding still refuses an unknown field among the options' names,
// and reports a field of the wrong type by its JSON name (internal/web
// drops the name of the options struct from the path it is given).
func TestCheckJSONStrictErrors(t *testing.T) {
	var c Check
	dec := json.NewDecoder(strings.NewReader(`{"kind":"http","methd":"GET"}`))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err == nil || err.Error() != `json: unknown field "methd"` {
		t.Errorf("unknown field: got %v", err)
	}
	var typ *json.UnmarshalTypeError
	if err := json.Unmarshal([]byte(`{"kind":"dns","query":7}`), &c); !errors.As(err, &typ) || typ.Field != "DNSOptions.query" {
		t.Errorf("wrong type: got %v", err)
	}
}

// Checks equal field by field are Equal, whether their options are shared,
// copies, or nil against options that set nothing; a difference in any
// field, of the check or of its options, makes them differ.
func TestCheckEqualComparesOptionValues(t *testing.T) {
	a, b := everyField(), everyField()
	if !a.Equal(&b) {
		t.Fatal("two checks with equal options in different structs are not Equal")
	}
	c := Check{Asset: "s1", Kind: HTTP, HTTPOptions: &HTTPOptions{}, DNSOptions: &DNSOptions{ExpectAnswers: []string{}}}
	n := Check{Asset: "s1", Kind: HTTP}
	if !c.Equal(&n) || !n.Equal(&c) {
		t.Fatal("empty options are not Equal to nil options")
	}
	// Change each field in turn, options' fields included, on a copy.
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			if sf.Anonymous {
				walk(f.Elem(), path+sf.Name+".")
				continue
			}
			changed := everyField()
			cv := reflect.ValueOf(&changed).Elem()
			for _, name := range strings.Split(strings.TrimSuffix(path, "."), ".") {
				if name != "" {
					// A copy of the options, not the shared ones.
					p := reflect.New(cv.FieldByName(name).Elem().Type())
					p.Elem().Set(cv.FieldByName(name).Elem())
					cv.FieldByName(name).Set(p)
					cv = p.Elem()
				}
			}
			g := cv.Field(i)
			switch g.Kind() {
			case reflect.String:
				g.SetString(g.String() + "x")
			case reflect.Int, reflect.Int64:
				g.SetInt(g.Int() + 1)
			case reflect.Slice:
				g.Set(reflect.Append(g, reflect.ValueOf("x")))
			case reflect.Map:
				g.Set(reflect.ValueOf(map[string]string{"Other": "x"}))
			case reflect.Pointer:
				g.Set(reflect.ValueOf(ptr(!g.Elem().Bool())))
			default:
				t.Fatalf("field %s%s: no change for %s", path, sf.Name, g.Kind())
			}
			if a.Equal(&changed) || changed.Equal(&a) {
				t.Errorf("a change of %s%s is not seen", path, sf.Name)
			}
		}
	}
	walk(reflect.ValueOf(a), "")
}

// A copy of a check shares its options; changing the copy's options
// through Edit* leaves the original as it was.
func TestEditingACopyLeavesTheOriginal(t *testing.T) {
	orig := everyField()
	want := everyField()
	cp := orig
	h := cp.EditHTTP()
	h.Method = "HEAD"
	h.Headers["X-Token"] = "changed"
	*h.FollowRedirects = true
	cp.EditTCP().Banner = "220"
	dns := cp.EditDNS()
	dns.Query = "other.example"
	dns.ExpectAnswers[0] = "changed"
	cp.EditTLS().MinDays = 1
	cp.EditHeartbeat().Grace = 0
	if !reflect.DeepEqual(orig, want) {
		t.Fatalf("editing a copy changed the original:\n got %+v\nwant %+v", orig, want)
	}
	if cp.Method() != "HEAD" || cp.Headers()["X-Token"] != "changed" || cp.Banner() != "220" || cp.Query() != "other.example" ||
		cp.MinDays() != 1 || cp.Grace() != 0 || !*cp.FollowRedirects() {
		t.Fatalf("the copy did not change: %+v", cp)
	}
	// Defaults and masking work on copies too.
	shared := Check{Asset: "s", Kind: HTTP, URL: "https://u:p@s.example/", HTTPOptions: &HTTPOptions{Headers: map[string]string{"Authorization": "x"}}}
	c := shared
	ApplyDefaults(&c)
	_ = c.Masked()
	if shared.Method() != "" || shared.Headers()["Authorization"] != "x" {
		t.Fatalf("defaults or masking changed the check copied from: %+v", shared.HTTPOptions)
	}
	if c.Method() != "GET" {
		t.Fatalf("method %q after defaults", c.Method())
	}
}

// An http check that sets nothing but its URL keeps no options of its own
// once its defaults are applied, and reading options of another kind is
// safe.
func TestDefaultsShareOptions(t *testing.T) {
	a := Check{Asset: "a", Kind: HTTP, URL: "https://a.example/"}
	b := Check{Asset: "b", Kind: HTTP, URL: "https://b.example/"}
	ApplyDefaults(&a)
	ApplyDefaults(&b)
	if a.HTTPOptions != b.HTTPOptions {
		t.Fatal("each check got its own default options")
	}
	if a.Banner() != "" || a.Query() != "" || a.MinDays() != 0 || a.Period() != 0 || a.ExpectAnswers() != nil {
		t.Fatal("options of another kind read as set")
	}
	if size := unsafe.Sizeof(Check{}); size > 200 {
		t.Fatalf("a check takes %d bytes, want at most 200", size)
	}
}
