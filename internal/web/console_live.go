package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// livePoll is how often the console's version is read while pages are
// open: at most once per livePoll, whatever the number of pages.
const livePoll = 2 * time.Second

// consoleLive tells open console pages that what they show changed. Its
// version is read from the stores in a few cheap queries and kept for
// livePoll, so that a room of staff with the dashboard open costs one
// read every two seconds. What changes with time alone is covered too: a
// backup growing stale or a check going down appends a signal; a location
// going silent is judged here at each read.
type consoleLive struct {
	d      *Deps
	stream eventStream
	log    func(ctx context.Context, msg string, args ...any)

	mu   sync.Mutex
	read time.Time // when last read, by the real clock (a rate, not a date)
	last string
}

func newConsoleLive(s *Server) *consoleLive {
	l := &consoleLive{d: &s.d, log: s.log.WarnContext,
		stream: eventStream{slots: make(chan struct{}, s.d.MaxStreams), stopping: s.d.Stopping, poll: livePoll}}
	if s.d.Status != nil {
		// Staff changes kick the public page's publisher: they come at once.
		l.stream.changed = s.d.Status.Changed
	}
	return l
}

// version returns the console's version, read at most once per livePoll;
// a failed read is logged and gives the last one.
func (l *consoleLive) version(ctx context.Context) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last != "" && time.Since(l.read) < livePoll {
		return l.last, nil
	}
	v, err := l.readVersion(ctx)
	if err != nil {
		if l.last != "" {
			l.log(ctx, "console version", "err", err)
			return l.last, nil
		}
		return "", err
	}
	l.last, l.read = v, time.Now()
	return v, nil
}

// readVersion reads what moves with anything the dashboard shows:
// incidents, their timelines, maintenance and post-mortems; the newest
// signal (compliance, backups gone stale, checks, locations); tickets; and
// the probe locations with their silence judged now.
func (l *consoleLive) readVersion(ctx context.Context) (string, error) {
	d := l.d
	var b strings.Builder
	fp, err := d.Incidents.Fingerprint(ctx)
	if err != nil {
		return "", fmt.Errorf("console version: %w", err)
	}
	b.WriteString(fp)
	if d.Detection != nil {
		newest, err := d.Detection.Signals(ctx, detect.SignalFilter{Limit: 1})
		if err != nil {
			return "", fmt.Errorf("console version: %w", err)
		}
		for _, sg := range newest {
			b.WriteString("-s" + strconv.FormatInt(sg.ID, 10))
		}
	}
	if d.Support != nil {
		v, err := d.Support.Version(ctx)
		if err != nil {
			return "", fmt.Errorf("console version: %w", err)
		}
		b.WriteString("-t" + v)
	}
	if d.Locations != nil {
		list, err := locationsHealth(ctx, d.Locations, d.Now())
		if err != nil {
			return "", fmt.Errorf("console version: %w", err)
		}
		for _, h := range list {
			fmt.Fprintf(&b, "-l%s.%t.%t.%d", h.Name, h.Silent, h.Never, h.RefusedResults)
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:10]), nil
}

// streamConsole sends the console's version now and at each change, for
// a minute per connection (browsers reconnect by themselves).
func (l *consoleLive) streamConsole(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	last := ""
	l.stream.serve(w, r, func() string {
		v, err := l.version(ctx)
		if err != nil {
			l.log(ctx, "console version", "err", err)
			return last
		}
		last = v
		return v
	})
}
