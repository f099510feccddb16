package probe

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/check"
)

// On disk, a segment is a run of records, each a header (payload length and
// CRC-32C of the payload, little-endian uint32s) then the payload: the
// record's seq as a little-endian uint64, then its key and result, either
// binary (the byte 'Q', then as a queued row writes them: appendQueued)
// or, as probes before that form wrote them and still read, JSON. Seqs
// within a segment are consecutive and the first is the file's name.
const (
	headerSize     = 8
	seqSize        = 8
	maxRecordBytes = 4 << 20
	segmentExt     = ".seg"
	ackFile        = "ack"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTorn marks a record that is cut short or fails its checks: the end of
// what a segment holds, not an I/O failure.
var errTorn = errors.New("torn record")

// segment is one file of the buffer.
type segment struct {
	first, last uint64 // last is first-1 while empty
	size        int64
	path        string
}

// unacked is the number of records of s past the ack point.
func (s *segment) unacked(acked uint64) uint64 {
	if s.last <= acked {
		return 0
	}
	return s.last - max(s.first-1, acked)
}

// recordBody is the JSON part of a record's payload, as probes wrote it
// before the binary form.
type recordBody struct {
	Key    string       `json:"k"`
	Result check.Result `json:"r"`
}

func segmentPath(dir string, first uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%020d%s", first, segmentExt))
}

// appendRecord appends the encoding of one record to buf.
func appendRecord(buf []byte, seq uint64, key string, res *check.Result) ([]byte, error) {
	at := len(buf)
	buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0) // the header, once the length is known
	start := len(buf)
	buf = binary.LittleEndian.AppendUint64(buf, seq)
	buf = append(buf, binaryRecord)
	buf = appendQueued(buf, key, res)
	n := len(buf) - start
	if n > maxRecordBytes {
		return buf[:at], fmt.Errorf("record %q is %d bytes, more than %d", key, n, maxRecordBytes)
	}
	binary.LittleEndian.PutUint32(buf[at:], uint32(n))
	binary.LittleEndian.PutUint32(buf[at+4:], crc32.Checksum(buf[start:], castagnoli))
	return buf, nil
}

// binaryRecord marks a payload's key and result in the binary form; a
// JSON one begins with '{'.
const binaryRecord = 'Q'

// readRecord reads the next record's payload and its size on disk. It
// returns io.EOF at a clean end and an error wrapping errTorn for a record
// cut short or failing its checks.
func readRecord(r *bufio.Reader) ([]byte, int64, error) {
	var hdr [headerSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, fmt.Errorf("header: %w", errTorn)
		}
		return nil, 0, err
	}
	n := binary.LittleEndian.Uint32(hdr[:4])
	if n < seqSize || n > maxRecordBytes {
		return nil, 0, fmt.Errorf("length %d: %w", n, errTorn)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, fmt.Errorf("payload: %w", errTorn)
		}
		return nil, 0, err
	}
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[4:]) {
		return nil, 0, fmt.Errorf("checksum: %w", errTorn)
	}
	return payload, headerSize + int64(n), nil
}

// decodeRecord turns a payload back into a record.
func decodeRecord(payload []byte) (Record, error) {
	seq := binary.LittleEndian.Uint64(payload)
	if len(payload) > seqSize && payload[seqSize] == binaryRecord {
		r := batchReader{b: payload, i: seqSize + 1}
		rec := Record{Seq: seq}
		var err error
		if rec.Key, err = r.literal(); err == nil {
			err = r.result(&rec.Result)
		}
		if err == nil && r.i != len(payload) {
			err = errBatch
		}
		if err != nil {
			return Record{}, fmt.Errorf("decode record %d: %w", seq, err)
		}
		return rec, nil
	}
	var body recordBody
	if err := json.Unmarshal(payload[seqSize:], &body); err != nil {
		return Record{}, fmt.Errorf("decode record: %w", err)
	}
	return Record{Seq: seq, Key: body.Key, Result: body.Result}, nil
}

// recoverSegment reads the segment first at path and truncates it after its
// last sound record: one that is whole, passes its checksum, follows the
// previous seq (the first one being first, after prevLast) and, unless
// acknowledged, decodes.
func recoverSegment(path string, first, prevLast, acked uint64) (*segment, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("recover %s: %w", path, err)
	}
	defer func() { _ = f.Close() }() // read only, or synced explicitly
	seg := &segment{first: first, last: first - 1, path: path}
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		payload, n, err := readRecord(r)
		if errors.Is(err, io.EOF) || errors.Is(err, errTorn) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("recover %s: %w", path, err)
		}
		seq := binary.LittleEndian.Uint64(payload)
		if seq != seg.last+1 || seq <= prevLast {
			break
		}
		if seq > acked {
			if _, err := decodeRecord(payload); err != nil {
				break
			}
		}
		seg.last = seq
		seg.size += n
	}
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("recover %s: %w", path, err)
	}
	if info.Size() != seg.size {
		if err := f.Truncate(seg.size); err != nil {
			return nil, fmt.Errorf("recover %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("recover %s: %w", path, err)
		}
	}
	return seg, nil
}

// listSegments returns the first seqs of the segment files in dir, in order.
func listSegments(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var firsts []uint64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), segmentExt)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if first, err := strconv.ParseUint(name, 10, 64); err == nil {
			firsts = append(firsts, first)
		}
	}
	slices.Sort(firsts)
	return firsts, nil
}

// readAck returns the persisted ack point, 0 when there is none.
func readAck(dir string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, ackFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("ack file: %w", err)
	}
	return v, nil
}

// writeAck persists the ack point atomically: a crash leaves the old or
// the new value, never a torn one.
func writeAck(dir string, acked uint64) error {
	tmp := filepath.Join(dir, ackFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strconv.FormatUint(acked, 10) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, ackFile)); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes the creations, renames and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
