package probe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// Peek returns the oldest unacknowledged records, in order, without
// removing them: at most maxRecs records (no limit when maxRecs <= 0) and at most
// maxBytes bytes as stored (no limit when maxBytes <= 0), though always
// one record when there is any.
func (b *Buffer) Peek(maxRecs, maxBytes int) ([]Record, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return nil, err
	}
	var out []Record
	size := 0
	for i, seg := range b.segs {
		start := int64(0)
		if i == 0 {
			start = b.off
		}
		full, err := readSegment(seg, start, &out, &size, maxRecs, maxBytes)
		if err != nil {
			return out, fmt.Errorf("buffer peek: %w", err)
		}
		if full {
			break
		}
	}
	return out, nil
}

// readSegment appends the records of seg from offset start to out until
// the limits of Peek are reached, which it reports.
func readSegment(seg *segment, start int64, out *[]Record, size *int, maxRecs, maxBytes int) (bool, error) {
	f, err := os.Open(seg.path)
	if err != nil {
		return false, err
	}
	defer func() { _ = f.Close() }() // read only, or synced explicitly
	r := bufio.NewReaderSize(io.NewSectionReader(f, start, seg.size-start), 64<<10)
	for {
		payload, n, err := readRecord(r)
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", seg.path, err)
		}
		if maxBytes > 0 && len(*out) > 0 && *size+int(n) > maxBytes {
			return true, nil
		}
		rec, err := decodeRecord(payload)
		if err != nil {
			return false, fmt.Errorf("%s: %w", seg.path, err)
		}
		*out = append(*out, rec)
		*size += int(n)
		if maxRecs > 0 && len(*out) >= maxRecs {
			return true, nil
		}
	}
}

// Ack marks every record up to upTo as delivered, persists that and
// deletes the segments it empties. Acknowledging less than before does
// nothing; acknowledging a seq not yet assigned is an error.
func (b *Buffer) Ack(upTo uint64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrBufferClosed
	}
	if upTo <= b.acked {
		return nil
	}
	if upTo >= b.next {
		return fmt.Errorf("buffer ack %d: only %d assigned", upTo, b.next-1)
	}
	if err := writeAck(b.dir, upTo); err != nil {
		return fmt.Errorf("buffer ack %d: %w", upTo, err)
	}
	b.acked = upTo
	removed := false
	for len(b.segs) > 0 && b.segs[0].last <= upTo {
		seg := b.segs[0]
		if len(b.segs) == 1 && b.active != nil {
			_ = b.active.Close() // nothing left to sync: all of it is acknowledged
			b.active = nil
		}
		b.total -= seg.size
		b.segs = b.segs[1:]
		removed = true
		// The ack point is persisted: a segment left behind is deleted
		// when the buffer is opened again.
		_ = os.Remove(seg.path)
	}
	if removed {
		b.resetCursor()
	}
	if err := b.advanceCursor(); err != nil {
		b.err = err
		return fmt.Errorf("buffer ack %d: %w", upTo, err)
	}
	return nil
}

// resetCursor points the read cursor at the start of the oldest segment.
func (b *Buffer) resetCursor() {
	b.off, b.seqAt = 0, 0
	if len(b.segs) > 0 {
		b.seqAt = b.segs[0].first
	}
}

// advanceCursor moves the read cursor past the acknowledged records of the
// oldest segment, reading only their headers.
func (b *Buffer) advanceCursor() error {
	if len(b.segs) == 0 || b.seqAt > b.acked {
		return nil
	}
	seg := b.segs[0]
	f, err := os.Open(seg.path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only, or synced explicitly
	r := bufio.NewReaderSize(io.NewSectionReader(f, b.off, seg.size-b.off), 64<<10)
	for b.seqAt <= b.acked {
		_, n, err := readRecord(r)
		if err != nil {
			return fmt.Errorf("%s: %w", seg.path, err)
		}
		b.off += n
		b.seqAt++
	}
	return nil
}
