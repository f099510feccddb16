package check

import (
	"maps"
	"slices"
)

// The fields of the option structs are read through methods named as the
// fields: each hides the promoted field of the same name, so that c.Method
// does not compile as a field, and c.Method() reads the zero value rather
// than panicking on a check without http options.

// Method returns the HTTP method of an http check.
func (c *Check) Method() string { return optionsOf(c.HTTPOptions).Method }

// ExpectStatus returns the status codes an http check accepts, as written.
func (c *Check) ExpectStatus() string { return optionsOf(c.HTTPOptions).ExpectStatus }

// BodyContains returns the text an http check wants in the body.
func (c *Check) BodyContains() string { return optionsOf(c.HTTPOptions).BodyContains }

// BodyRegex returns the expression an http check wants the body to match.
func (c *Check) BodyRegex() string { return optionsOf(c.HTTPOptions).BodyRegex }

// MaxLatency returns the latency above which an http check is slow.
func (c *Check) MaxLatency() Duration { return optionsOf(c.HTTPOptions).MaxLatency }

// FollowRedirects returns whether an http check follows redirects, nil
// when it does not say.
func (c *Check) FollowRedirects() *bool { return optionsOf(c.HTTPOptions).FollowRedirects }

// Headers returns the request headers of an http check; the map may be
// shared with other checks and must not be modified.
func (c *Check) Headers() map[string]string { return optionsOf(c.HTTPOptions).Headers }

// TLSVerify returns whether an http check verifies certificates, nil when
// it does not say.
func (c *Check) TLSVerify() *bool { return optionsOf(c.HTTPOptions).TLSVerify }

// Banner returns the text a tcp check wants the server to send first.
func (c *Check) Banner() string { return optionsOf(c.TCPOptions).Banner }

// Server returns the name server of a dns check.
func (c *Check) Server() string { return optionsOf(c.DNSOptions).Server }

// Query returns the name a dns check asks for.
func (c *Check) Query() string { return optionsOf(c.DNSOptions).Query }

// QueryType returns the record type a dns check asks for.
func (c *Check) QueryType() string { return optionsOf(c.DNSOptions).QueryType }

// ExpectRcode returns the response code a dns check wants.
func (c *Check) ExpectRcode() string { return optionsOf(c.DNSOptions).ExpectRcode }

// ExpectAnswers returns the answers a dns check wants; the slice may be
// shared with other checks and must not be modified.
func (c *Check) ExpectAnswers() []string { return optionsOf(c.DNSOptions).ExpectAnswers }

// ServerName returns the name a tls check sends and verifies.
func (c *Check) ServerName() string { return optionsOf(c.TLSOptions).ServerName }

// MinDays returns how many days a tls check wants the certificate to last.
func (c *Check) MinDays() int { return optionsOf(c.TLSOptions).MinDays }

// Period returns how often a heartbeat is expected.
func (c *Check) Period() Duration { return optionsOf(c.HeartbeatOptions).Period }

// Grace returns how late a heartbeat may be.
func (c *Check) Grace() Duration { return optionsOf(c.HeartbeatOptions).Grace }

// EditHTTP returns the http options of c to modify: a copy of its own,
// since the options it had may be shared with other checks. Each call
// makes a new copy, so set several fields through one call's result.
func (c *Check) EditHTTP() *HTTPOptions {
	o := editCopy(c.HTTPOptions)
	o.Headers = maps.Clone(o.Headers)
	o.FollowRedirects = cloneBool(o.FollowRedirects)
	o.TLSVerify = cloneBool(o.TLSVerify)
	c.HTTPOptions = o
	return o
}

// EditTCP returns the tcp options of c to modify, as EditHTTP does.
func (c *Check) EditTCP() *TCPOptions {
	c.TCPOptions = editCopy(c.TCPOptions)
	return c.TCPOptions
}

// EditDNS returns the dns options of c to modify, as EditHTTP does.
func (c *Check) EditDNS() *DNSOptions {
	c.DNSOptions = editCopy(c.DNSOptions)
	c.DNSOptions.ExpectAnswers = slices.Clone(c.DNSOptions.ExpectAnswers)
	return c.DNSOptions
}

// EditTLS returns the tls options of c to modify, as EditHTTP does.
func (c *Check) EditTLS() *TLSOptions {
	c.TLSOptions = editCopy(c.TLSOptions)
	return c.TLSOptions
}

// EditHeartbeat returns the heartbeat options of c to modify, as EditHTTP
// does.
func (c *Check) EditHeartbeat() *HeartbeatOptions {
	c.HeartbeatOptions = editCopy(c.HeartbeatOptions)
	return c.HeartbeatOptions
}

// editCopy returns a new copy of *o, or a new zero value when o is nil.
func editCopy[T any](o *T) *T {
	n := new(T)
	if o != nil {
		*n = *o
	}
	return n
}

func cloneBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}

// Equal reports whether c and d are the same check: the same fields, their
// options compared by value, nil options the same as options left empty
// (decoding {"method": ""} gives empty http options; both encode alike).
// It compares field by field, without reflection or copies on the heap,
// since the scheduler and the effective set compare every check on each
// change of the inventory.
func (c *Check) Equal(d *Check) bool {
	if c == d {
		return true
	}
	if c == nil || d == nil {
		return false
	}
	return c.Name == d.Name && c.Asset == d.Asset && c.Kind == d.Kind &&
		c.Interval == d.Interval && c.Timeout == d.Timeout && c.Attempts == d.Attempts &&
		slices.Equal(c.Locations, d.Locations) && c.Quorum == d.Quorum &&
		c.URL == d.URL && c.Address == d.Address &&
		optionsOf(c.HTTPOptions).equal(optionsOf(d.HTTPOptions)) &&
		optionsOf(c.TCPOptions) == optionsOf(d.TCPOptions) &&
		optionsOf(c.DNSOptions).equal(optionsOf(d.DNSOptions)) &&
		optionsOf(c.TLSOptions) == optionsOf(d.TLSOptions) &&
		optionsOf(c.HeartbeatOptions) == optionsOf(d.HeartbeatOptions)
}

// optionsOf returns *o, or the zero value when o is nil.
func optionsOf[T any](o *T) T {
	if o == nil {
		var zero T
		return zero
	}
	return *o
}

func (o HTTPOptions) equal(p HTTPOptions) bool {
	return o.Method == p.Method && o.ExpectStatus == p.ExpectStatus &&
		o.BodyContains == p.BodyContains && o.BodyRegex == p.BodyRegex &&
		o.MaxLatency == p.MaxLatency && sameBool(o.FollowRedirects, p.FollowRedirects) &&
		maps.Equal(o.Headers, p.Headers) && sameBool(o.TLSVerify, p.TLSVerify)
}

func (o DNSOptions) equal(p DNSOptions) bool {
	return o.Server == p.Server && o.Query == p.Query && o.QueryType == p.QueryType &&
		o.ExpectRcode == p.ExpectRcode && slices.Equal(o.ExpectAnswers, p.ExpectAnswers)
}

// sameBool reports whether a and b are both unset or both set to the same
// value.
func sameBool(a, b *bool) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
