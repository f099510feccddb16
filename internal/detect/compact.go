package detect

import (
	"encoding/binary"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// The compact state: a Detector keeps about a hundred bytes per check and
// location (see BenchmarkDetectorMemory), so that a million sites watched
// from three locations fit in a few hundred megabytes. Times are kept as
// Unix nanoseconds, locations as small numbers, and a location's last hard
// change as a short encoded string; results are kept only while they may
// become the evidence of a change.

// nanos is t as Unix nanoseconds, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// timeOf is the inverse of nanos, in UTC.
func timeOf(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// evidencePool holds the results of the runs that may yet confirm a change:
// a failing run while a location is not Down, a succeeding one while it is
// not Up. Steady locations hold none. A handle is an index + 1; 0 is none.
type evidencePool struct {
	runs [][]check.Result
	free []int32
}

// get returns the run of handle h, taking a free one when h is 0.
func (p *evidencePool) get(h *int32) *[]check.Result {
	if *h == 0 {
		if n := len(p.free); n > 0 {
			*h = p.free[n-1]
			p.free = p.free[:n-1]
		} else {
			p.runs = append(p.runs, nil)
			*h = int32(len(p.runs))
		}
	}
	return &p.runs[*h-1]
}

// of returns the run of handle h, nil for none.
func (p *evidencePool) of(h int32) []check.Result {
	if h == 0 {
		return nil
	}
	return p.runs[h-1]
}

// release empties the run of h and gives it back.
func (p *evidencePool) release(h *int32) {
	if *h == 0 {
		return
	}
	r := &p.runs[*h-1]
	clear(*r)
	*r = (*r)[:0]
	p.free = append(p.free, *h)
	*h = 0
}

// reasons numbers the failure reasons a machine remembers: the known ones
// have fixed numbers, others get the next one, up to 255.
var knownReasons = []check.Reason{"", check.ReasonTimeout, check.ReasonRefused, check.ReasonDNS, check.ReasonTLS,
	check.ReasonCertificate, check.ReasonHTTPStatus, check.ReasonContent, check.ReasonSlow, check.ReasonMissed}

var knownPhases = []check.Phase{"", check.PhaseResolve, check.PhaseConnect, check.PhaseTLS, check.PhaseRequest,
	check.PhaseResponse, check.PhaseBody, check.PhaseDone}

// The encoding of a hard change, kept by a quorum member for the signals
// it may yet carry (see encodeChange). Strings are a byte: the index of a
// known value, or literal followed by a uvarint length and the bytes;
// numbers are varints; times are nanoseconds relative to the change's.
const literal = 0xff

func appendString(b []byte, s string, known []string) []byte {
	for i, k := range known {
		if k == s {
			return append(b, byte(i))
		}
	}
	b = append(b, literal)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var (
	reasonNames = func() []string {
		out := make([]string, len(knownReasons))
		for i, r := range knownReasons {
			out[i] = string(r)
		}
		return out
	}()
	phaseNames = func() []string {
		out := make([]string, len(knownPhases))
		for i, p := range knownPhases {
			out[i] = string(p)
		}
		return out
	}()
	noStrings = []string{""}
)

// encodeChange writes c without its time, which the member keeps.
func encodeChange(c *Change) string {
	b := make([]byte, 0, 24+len(c.Message)+len(c.Results)*24)
	b = append(b, byte(c.From)<<4|byte(c.To))
	b = appendString(b, string(c.Reason), reasonNames)
	b = appendString(b, c.Message, noStrings)
	b = binary.AppendUvarint(b, uint64(len(c.Results)))
	at := nanos(c.At)
	for i := range c.Results {
		r := &c.Results[i]
		flags := byte(0)
		if r.OK {
			flags |= 1
		}
		if r.Started.IsZero() {
			flags |= 2
		}
		b = append(b, flags)
		b = appendString(b, string(r.Phase), phaseNames)
		b = appendString(b, string(r.Reason), reasonNames)
		b = appendString(b, r.Message, noStrings)
		for _, d := range [...]time.Duration{r.Timings.DNS, r.Timings.Connect, r.Timings.TLS, r.Timings.FirstByte, r.Timings.Total} {
			b = binary.AppendVarint(b, int64(d))
		}
		if !r.Started.IsZero() {
			b = binary.AppendVarint(b, r.Started.UnixNano()-at)
		}
	}
	return string(b)
}

// changeReader reads an encoded change; it trusts its input, which only
// encodeChange writes.
type changeReader struct {
	s string
	i int
}

func (r *changeReader) byte() byte {
	c := r.s[r.i]
	r.i++
	return c
}

func (r *changeReader) uvarint() uint64 {
	v, n := binary.Uvarint([]byte(r.s[r.i:min(r.i+binary.MaxVarintLen64, len(r.s))]))
	r.i += n
	return v
}

func (r *changeReader) varint() int64 {
	v, n := binary.Varint([]byte(r.s[r.i:min(r.i+binary.MaxVarintLen64, len(r.s))]))
	r.i += n
	return v
}

func (r *changeReader) string(known []string) string {
	c := r.byte()
	if c != literal {
		return known[c]
	}
	n := int(r.uvarint())
	s := r.s[r.i : r.i+n]
	r.i += n
	return s
}

// decodeChange reads what encodeChange wrote of a change at at.
func decodeChange(s string, at int64) Change {
	r := changeReader{s: s}
	c := r.byte()
	ch := Change{From: State(c >> 4), To: State(c & 0xf), At: timeOf(at)}
	ch.Reason = check.Reason(r.string(reasonNames))
	ch.Message = r.string(noStrings)
	if n := int(r.uvarint()); n > 0 {
		ch.Results = make([]check.Result, n)
		for i := range ch.Results {
			res := &ch.Results[i]
			flags := r.byte()
			res.OK = flags&1 != 0
			res.Phase = check.Phase(r.string(phaseNames))
			res.Reason = check.Reason(r.string(reasonNames))
			res.Message = r.string(noStrings)
			res.Timings.DNS = time.Duration(r.varint())
			res.Timings.Connect = time.Duration(r.varint())
			res.Timings.TLS = time.Duration(r.varint())
			res.Timings.FirstByte = time.Duration(r.varint())
			res.Timings.Total = time.Duration(r.varint())
			if flags&2 == 0 {
				res.Started = timeOf(at + r.varint())
			}
		}
	}
	return ch
}
