package probe

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/vigie/vigie/internal/check"
)

// Defaults of BufferOptions.
const (
	DefaultBufferMaxBytes     = 256 << 20
	DefaultBufferSegmentBytes = 8 << 20
)

// ErrBufferClosed is returned by the methods of a closed Buffer.
var ErrBufferClosed = errors.New("probe: buffer closed")

// BufferOptions configure a Buffer. The zero value takes every default.
type BufferOptions struct {
	// MaxBytes bounds the segment files on disk (default
	// DefaultBufferMaxBytes). When an append takes the buffer past it, the
	// oldest segments are deleted whole: the unacknowledged records they
	// hold are lost and counted by Dropped. The segment being written is
	// never dropped, so the bound can be exceeded by up to one segment.
	MaxBytes int64
	// SegmentBytes is the size past which appends go to a new segment file
	// (default DefaultBufferSegmentBytes, at most MaxBytes/4 so that
	// dropping a segment frees room for several more).
	SegmentBytes int64
	// Sync makes each Append fsync its batch before returning (default
	// true). Without it a crash of the machine, not of the process, may
	// lose the last appends. The ack point is always synced.
	Sync *bool
}

// Record is one result waiting in a Buffer.
type Record struct {
	// Seq is assigned by Append: strictly increasing, also across
	// restarts, never reused once acknowledged.
	Seq    uint64       `json:"seq"`
	Key    string       `json:"key"`
	Result check.Result `json:"result"`
}

// Buffer is an append-only on-disk queue of results, kept while the server
// cannot be reached and read back in order: Append, then Peek and Ack what
// the server confirmed. Records survive a restart of the process, and a
// record cut short by a crash is dropped when the buffer is opened again.
// It is safe for concurrent use. After an I/O failure that leaves the files
// uncertain it refuses appends and peeks until opened again.
type Buffer struct {
	dir          string
	maxBytes     int64
	segmentBytes int64
	sync         bool

	mu      sync.Mutex
	segs    []*segment // oldest first; each holds an unacknowledged seq
	active  *os.File   // the last segment, open for appending, or nil
	acked   uint64
	next    uint64
	off     int64  // offset in segs[0] of the record seqAt,
	seqAt   uint64 // the oldest one not acknowledged
	total   int64
	dropped uint64
	scratch []byte
	err     error // a failure that leaves the files unlike the state
	closed  bool
}

// OpenBuffer opens the buffer kept in dir, creating dir if need be. It cuts
// away a torn last record, forgets what was acknowledged and continues
// seqs after the highest stored or acknowledged one.
func OpenBuffer(dir string, opts BufferOptions) (*Buffer, error) {
	b := &Buffer{dir: dir, maxBytes: opts.MaxBytes, segmentBytes: opts.SegmentBytes, sync: opts.Sync == nil || *opts.Sync}
	if b.maxBytes <= 0 {
		b.maxBytes = DefaultBufferMaxBytes
	}
	if b.segmentBytes <= 0 {
		b.segmentBytes = DefaultBufferSegmentBytes
	}
	b.segmentBytes = max(min(b.segmentBytes, b.maxBytes/4), 1)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open buffer %s: %w", dir, err)
	}
	if err := b.recover(); err != nil {
		return nil, fmt.Errorf("open buffer %s: %w", dir, err)
	}
	return b, nil
}

// recover loads the ack point and the segments, deleting those fully
// acknowledged or empty, and opens the last one for appending.
func (b *Buffer) recover() error {
	acked, err := readAck(b.dir)
	if err != nil {
		return err
	}
	firsts, err := listSegments(b.dir)
	if err != nil {
		return err
	}
	b.acked = acked
	var prevLast uint64 // of the segments kept so far, to keep seqs rising
	for _, first := range firsts {
		path := segmentPath(b.dir, first)
		seg, err := recoverSegment(path, first, prevLast, acked)
		if err != nil {
			return err
		}
		if seg.size > 0 {
			prevLast = seg.last
		}
		if seg.size == 0 || seg.last <= acked {
			if err := os.Remove(path); err != nil {
				return err
			}
			continue
		}
		b.segs = append(b.segs, seg)
		b.total += seg.size
	}
	b.next = max(prevLast, acked) + 1
	if n := len(b.segs); n > 0 && b.segs[n-1].size < b.segmentBytes {
		f, err := os.OpenFile(b.segs[n-1].path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		b.active = f
	}
	b.enforceLimit()
	b.resetCursor()
	return b.advanceCursor()
}

// Append assigns the records their seqs, in order, and writes them as one
// batch; on success recs[i].Seq holds the seq given.
func (b *Buffer) Append(recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return err
	}
	buf := b.scratch[:0]
	for i := range recs {
		var err error
		if buf, err = appendRecord(buf, b.next+uint64(i), recs[i].Key, &recs[i].Result); err != nil {
			return fmt.Errorf("buffer append: %w", err)
		}
	}
	if cap(buf) <= 1<<20 {
		b.scratch = buf
	}
	last := b.next + uint64(len(recs)) - 1
	if err := b.write(buf, b.next, last); err != nil {
		return fmt.Errorf("buffer append: %w", err)
	}
	for i := range recs {
		recs[i].Seq = b.next + uint64(i)
	}
	b.next = last + 1
	b.enforceLimit()
	if len(b.segs) > 0 && b.seqAt < b.segs[0].first {
		b.resetCursor()
	}
	return nil
}

// write puts the encoded records first..last at the end of the last
// segment, starting a new one when it is full.
func (b *Buffer) write(buf []byte, first, last uint64) error {
	if b.active != nil && b.segs[len(b.segs)-1].size+int64(len(buf)) > b.segmentBytes {
		err := b.active.Close()
		b.active = nil
		if err != nil {
			return err
		}
	}
	if b.active == nil {
		path := segmentPath(b.dir, first)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		if b.sync {
			if err := syncDir(b.dir); err != nil {
				_ = f.Close()
				_ = os.Remove(path)
				return err
			}
		}
		b.active = f
		b.segs = append(b.segs, &segment{first: first, last: first - 1, path: path})
	}
	seg := b.segs[len(b.segs)-1]
	if _, err := b.active.Write(buf); err != nil {
		if terr := b.active.Truncate(seg.size); terr != nil {
			b.err = terr
		} else if seg.size == 0 {
			b.dropEmptyActive()
		}
		return err
	}
	if b.sync {
		if err := b.active.Sync(); err != nil {
			// After a failed fsync the page cache cannot be trusted:
			// only reopening tells what is on disk.
			b.err = err
			return err
		}
	}
	seg.last = last
	seg.size += int64(len(buf))
	b.total += int64(len(buf))
	return nil
}

// dropEmptyActive removes a segment that a failed first write left empty.
func (b *Buffer) dropEmptyActive() {
	seg := b.segs[len(b.segs)-1]
	_ = b.active.Close()
	b.active = nil
	b.segs = b.segs[:len(b.segs)-1]
	// An empty segment left behind is deleted when the buffer is opened.
	_ = os.Remove(seg.path)
}

// enforceLimit drops the oldest segments while the buffer is over MaxBytes.
func (b *Buffer) enforceLimit() {
	for b.total > b.maxBytes && len(b.segs) > 1 {
		seg := b.segs[0]
		b.dropped += seg.unacked(b.acked)
		b.total -= seg.size
		b.segs = b.segs[1:]
		// A segment that cannot be deleted now is replayed after a restart:
		// late, but neither lost nor doubled.
		_ = os.Remove(seg.path)
	}
}

// Len returns the number of records not yet acknowledged.
func (b *Buffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n uint64
	for _, seg := range b.segs {
		n += seg.unacked(b.acked)
	}
	return int(n)
}

// Dropped returns the number of unacknowledged records deleted since the
// buffer was opened to stay within MaxBytes.
func (b *Buffer) Dropped() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}

// Close syncs and closes the segment being written. Further calls but
// Len, Dropped and Close fail with ErrBufferClosed.
func (b *Buffer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.active == nil {
		return nil
	}
	err := b.active.Sync()
	if cerr := b.active.Close(); err == nil {
		err = cerr
	}
	b.active = nil
	if err != nil {
		return fmt.Errorf("close buffer: %w", err)
	}
	return nil
}

// usable reports why the buffer cannot take appends, if it cannot.
func (b *Buffer) usable() error {
	if b.closed {
		return ErrBufferClosed
	}
	if b.err != nil {
		return fmt.Errorf("buffer failed earlier, reopen it: %w", b.err)
	}
	return nil
}
