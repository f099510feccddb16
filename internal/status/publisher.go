package status

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Source reads what the public page is built from.
type Source interface {
	// Fingerprint is cheap and changes whenever anything Load reads may
	// have changed.
	Fingerprint(ctx context.Context) (string, error)
	// Load reads the stores into an Input (Now is set by the Publisher).
	Load(ctx context.Context) (*Input, error)
}

// PublisherOptions configure a Publisher.
type PublisherOptions struct {
	Source Source
	// Tokens resolves customers' URLs (optional).
	Tokens *TokenStore
	// Build makes a page from an input, for everyone (customer "") or one
	// customer; Render turns it into files, RenderPart (optional) into
	// the files of one part, for customers' sites rendered on demand.
	Build      func(in *Input, customer string) *Page
	Render     func(p *Page) (*Site, error)
	RenderPart func(p *Page, part Part) ([]File, error)
	// Mirror, when set, is a directory the public site is written to
	// after each change.
	Mirror string
	// Interval is how often the fingerprint is read (default 1 s).
	Interval time.Duration
	// MaxCustomers bounds the customers' sites kept (default 1,000).
	MaxCustomers int
	Now          func() time.Time
	Logger       *slog.Logger
}

// Publisher renders the public side once per change and keeps it in
// memory: everyone's site, and the sites of customers who look, built on
// demand from the same input. A page's version is a digest of what it
// shows, so that a change the public does not see (an internal note, an
// incident of one customer's site) moves nothing public: no rebuild, no
// new ETag, no event to open pages, and nothing to learn by watching.
type Publisher struct {
	o PublisherOptions

	refresh sync.Mutex
	cur     atomic.Pointer[published]
	kick    chan struct{}
	// mirrored is the version the mirror holds (under refresh).
	mirrored string

	changedMu sync.Mutex
	changed   chan struct{}

	custMu sync.Mutex
	cust   map[string]*custSite
	// builds holds one slot: customers' sites are built one at a time.
	builds chan struct{}
}

type published struct {
	dbKey, timeKey, tokensKey string
	// seq counts the builds of everyone's page: a customer's page is built
	// again when it moves.
	seq uint64
	// input is as loaded; now the time of the last build.
	input *Input
	now   time.Time
	// digest is of everyone's page, without its volatile fields.
	digest string
	site   *Site
	tokens *Tokens
}

// NewPublisher returns a Publisher; call Refresh or Run before serving.
func NewPublisher(o PublisherOptions) *Publisher {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.MaxCustomers <= 0 {
		o.MaxCustomers = 1000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Publisher{o: o, kick: make(chan struct{}, 1), changed: make(chan struct{}), cust: map[string]*custSite{},
		builds: make(chan struct{}, 1)}
}

// Notify asks for a refresh now: a staff change was just committed.
func (p *Publisher) Notify() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run refreshes on every Notify and every Interval until ctx ends.
func (p *Publisher) Run(ctx context.Context) {
	t := time.NewTicker(p.o.Interval)
	defer t.Stop()
	for {
		if err := p.Refresh(ctx); err != nil && ctx.Err() == nil {
			p.o.Logger.WarnContext(ctx, "status page refresh", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.kick:
		}
	}
}

// Refresh builds everyone's page again when the stores or the time
// changed what it may show (a new day moves the bars, a window starting
// or ending changes its state, a minute passes during an incident), and
// renders it when what it shows changed. A mirror that missed a version
// is written again.
func (p *Publisher) Refresh(ctx context.Context) error {
	p.refresh.Lock()
	defer p.refresh.Unlock()
	err := p.refreshLocked(ctx)
	p.writeMirror(ctx)
	return err
}

func (p *Publisher) refreshLocked(ctx context.Context) error {
	dbKey, err := p.o.Source.Fingerprint(ctx)
	if err != nil {
		return fmt.Errorf("status fingerprint: %w", err)
	}
	old := p.cur.Load()
	next := published{dbKey: dbKey}
	if old != nil {
		next = *old
		next.dbKey = dbKey
	}
	// Customers' secrets are not on everyone's page: a new one is read
	// without building it again.
	if p.o.Tokens != nil {
		key, err := p.o.Tokens.Fingerprint(ctx)
		if err != nil {
			return err
		}
		if old == nil || key != old.tokensKey {
			if next.tokens, err = p.o.Tokens.Load(ctx); err != nil {
				return err
			}
			next.tokensKey = key
		}
	}
	now := p.o.Now()
	if old == nil || old.dbKey != dbKey {
		if next.input, err = p.o.Source.Load(ctx); err != nil {
			return fmt.Errorf("status input: %w", err)
		}
	}
	next.timeKey = timeKey(next.input, now)
	if old != nil && old.dbKey == dbKey && old.timeKey == next.timeKey {
		if next.tokensKey != old.tokensKey {
			p.cur.Store(&next)
		}
		return nil
	}
	in := *next.input
	in.Now = now
	page := p.o.Build(&in, "")
	next.seq++
	next.now = now
	if digest := pageDigest(page); old == nil || digest != old.digest {
		page.Version, page.Generated = digest[:16], now
		site, err := p.o.Render(page)
		if err != nil {
			return fmt.Errorf("render status page: %w", err)
		}
		if err := site.Seal(); err != nil {
			return fmt.Errorf("seal status page: %w", err)
		}
		next.digest, next.site = digest, site
	}
	p.cur.Store(&next)
	p.changedMu.Lock()
	close(p.changed)
	p.changed = make(chan struct{})
	p.changedMu.Unlock()
	return nil
}

// writeMirror writes the current site to the mirror unless it holds it
// already; a failed write is tried again at the next refresh.
func (p *Publisher) writeMirror(ctx context.Context) {
	cur := p.cur.Load()
	if p.o.Mirror == "" || cur == nil || cur.site == nil || p.mirrored == cur.site.Version {
		return
	}
	if err := WriteDir(cur.site, p.o.Mirror); err != nil {
		p.o.Logger.WarnContext(ctx, "status mirror", "dir", p.o.Mirror, "err", err)
		return
	}
	p.mirrored = cur.site.Version
}

// pageDigest is a digest of what a page shows: its volatile fields (its
// version, when it was built, the secret of its URLs) left out.
func pageDigest(page *Page) string {
	c := *page
	c.Version, c.Generated = "", time.Time{}
	if c.Customer != nil {
		c.Customer = &Customer{ID: c.Customer.ID}
	}
	b, err := json.Marshal(&c)
	if err != nil {
		// A Page is plain data; should it ever not encode, every build
		// is a change.
		b = []byte(time.Now().String())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// timeKey names what the time changes on the page: the day in the page's
// zone, the state of each window, and, while an incident is open, the
// minute (its duration and today's bar move).
func timeKey(in *Input, now time.Time) string {
	zone := in.Zone
	if zone == nil {
		zone = time.UTC
	}
	key := now.In(zone).Format(time.DateOnly)
	for i := range in.Windows {
		w := &in.Windows[i]
		key += "," + string(w.State(now)[0])
	}
	for i := range in.Incidents {
		if in.Incidents[i].ResolvedAt == nil {
			key += now.In(zone).Format(" 15:04")
			break
		}
	}
	return key
}

// Site returns the current public site, or nil before the first refresh.
func (p *Publisher) Site() *Site {
	if cur := p.cur.Load(); cur != nil {
		return cur.site
	}
	return nil
}

// Changed returns a channel closed at the next build of the pages (the
// version of everyone's or of a customer's may have moved).
func (p *Publisher) Changed() <-chan struct{} {
	p.changedMu.Lock()
	defer p.changedMu.Unlock()
	return p.changed
}
