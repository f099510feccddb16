package probe

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// A row of probe_result_batches holds the results one batch of a location
// queued, so that a batch of a thousand results costs one insert. Its
// results column is one of two formats, told by its first byte:
//
//   - 'B', binary, written by TakeBatch: a uvarint count, then for each
//     result its check key and its check.Result (see appendQueued);
//   - 'J', a JSON array of {"key", "result"} objects: the rows queued one
//     per result before migration 00038, converted by it.
//
// A result's position in the queue, Queued.ID and the detector's cursor,
// is its row's id × batchSpan + its index in the row.
const batchSpan = 1 << 20

// maxBatchRow is how many results one row holds at most; a larger batch
// takes several rows.
const maxBatchRow = 10_000

// position is the queue position of result i of row id.
func position(id int64, i int) int64 { return id*batchSpan + int64(i) }

// The known values of Phase and Reason are written as one byte.
var (
	batchPhases  = []string{"", string(check.PhaseResolve), string(check.PhaseConnect), string(check.PhaseTLS), string(check.PhaseRequest), string(check.PhaseResponse), string(check.PhaseBody), string(check.PhaseDone)}
	batchReasons = []string{"", string(check.ReasonTimeout), string(check.ReasonRefused), string(check.ReasonDNS), string(check.ReasonTLS), string(check.ReasonCertificate), string(check.ReasonHTTPStatus), string(check.ReasonContent), string(check.ReasonSlow), string(check.ReasonMissed)}
)

// literalString marks a string written in full: a uvarint length and its
// bytes.
const literalString = 0xff

func appendBatchString(b []byte, s string, known []string) []byte {
	for i, k := range known {
		if k == s {
			return append(b, byte(i))
		}
	}
	b = append(b, literalString)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// The flags of a result.
const (
	resultOK        = 1 << iota
	resultNoStarted // Started is the zero time
)

// encodeBatch writes records in the binary format.
func encodeBatch(records []Record) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(records)*64)
	b = append(b, 'B')
	b = binary.AppendUvarint(b, uint64(len(records)))
	for i := range records {
		b = appendQueued(b, records[i].Key, &records[i].Result)
	}
	return b
}

// appendQueued writes one result: its key as a literal string; a flags
// byte; Phase, Reason and Message as strings (a known value's index, or
// literalString and the text); the five timings in nanoseconds and Started
// in Unix nanoseconds (absent when zero) as varints.
func appendQueued(b []byte, key string, r *check.Result) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = append(b, key...)
	var flags byte
	if r.OK {
		flags |= resultOK
	}
	if r.Started.IsZero() {
		flags |= resultNoStarted
	}
	b = append(b, flags)
	b = appendBatchString(b, string(r.Phase), batchPhases)
	b = appendBatchString(b, string(r.Reason), batchReasons)
	b = appendBatchString(b, r.Message, batchReasons[:1])
	b = binary.AppendVarint(b, int64(r.Timings.DNS))
	b = binary.AppendVarint(b, int64(r.Timings.Connect))
	b = binary.AppendVarint(b, int64(r.Timings.TLS))
	b = binary.AppendVarint(b, int64(r.Timings.FirstByte))
	b = binary.AppendVarint(b, int64(r.Timings.Total))
	if !r.Started.IsZero() {
		b = binary.AppendVarint(b, r.Started.UnixNano())
	}
	return b
}

// errBatch is a row the decoder cannot read.
var errBatch = errors.New("malformed result batch")

// batchReader reads the binary format.
type batchReader struct {
	b []byte
	i int
}

func (r *batchReader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b[r.i:])
	if n <= 0 {
		return 0, errBatch
	}
	r.i += n
	return v, nil
}

func (r *batchReader) varint() (int64, error) {
	v, n := binary.Varint(r.b[r.i:])
	if n <= 0 {
		return 0, errBatch
	}
	r.i += n
	return v, nil
}

func (r *batchReader) byte() (byte, error) {
	if r.i >= len(r.b) {
		return 0, errBatch
	}
	c := r.b[r.i]
	r.i++
	return c, nil
}

func (r *batchReader) literal() (string, error) {
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.b)-r.i) {
		return "", errBatch
	}
	s := string(r.b[r.i : r.i+int(n)])
	r.i += int(n)
	return s, nil
}

func (r *batchReader) string(known []string) (string, error) {
	c, err := r.byte()
	if err != nil {
		return "", err
	}
	if c == literalString {
		return r.literal()
	}
	if int(c) >= len(known) {
		return "", errBatch
	}
	return known[c], nil
}

// result reads one result after its key.
func (r *batchReader) result(res *check.Result) error {
	flags, err := r.byte()
	if err != nil {
		return err
	}
	res.OK = flags&resultOK != 0
	phase, err := r.string(batchPhases)
	if err != nil {
		return err
	}
	reason, err := r.string(batchReasons)
	if err != nil {
		return err
	}
	if res.Message, err = r.string(batchReasons[:1]); err != nil {
		return err
	}
	res.Phase, res.Reason = check.Phase(phase), check.Reason(reason)
	for _, d := range []*time.Duration{&res.Timings.DNS, &res.Timings.Connect, &res.Timings.TLS, &res.Timings.FirstByte, &res.Timings.Total} {
		v, err := r.varint()
		if err != nil {
			return err
		}
		*d = time.Duration(v)
	}
	res.Started = time.Time{}
	if flags&resultNoStarted == 0 {
		v, err := r.varint()
		if err != nil {
			return err
		}
		res.Started = time.Unix(0, v).UTC()
	}
	return nil
}

// decodeBatch calls each for the results of a row from index from on, in
// order, until it returns false.
func decodeBatch(b []byte, from int, each func(i int, key string, r *check.Result) bool) error {
	if len(b) == 0 {
		return errBatch
	}
	var res check.Result
	switch b[0] {
	case 'B':
		r := batchReader{b: b, i: 1}
		n, err := r.uvarint()
		if err != nil || n > maxBatchRow {
			return errBatch
		}
		for i := range int(n) {
			klen, err := r.uvarint()
			if err != nil || klen > uint64(len(b)-r.i) {
				return errBatch
			}
			if i < from {
				// Skip the key, then the result.
				r.i += int(klen)
				if err := r.result(&res); err != nil {
					return err
				}
				continue
			}
			key := string(b[r.i : r.i+int(klen)])
			r.i += int(klen)
			if err := r.result(&res); err != nil {
				return err
			}
			if !each(i, key, &res) {
				return nil
			}
		}
		return nil
	case 'J':
		var list []struct {
			Key    string       `json:"key"`
			Result check.Result `json:"result"`
		}
		if err := json.Unmarshal(b[1:], &list); err != nil {
			return fmt.Errorf("%w: %w", errBatch, err)
		}
		for i := from; i < len(list); i++ {
			if !each(i, list[i].Key, &list[i].Result) {
				return nil
			}
		}
		return nil
	}
	return errBatch
}
