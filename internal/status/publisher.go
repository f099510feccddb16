package status

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	// Load reads the stores into an Input (Now and Version are set by the
	// Publisher).
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
// demand from the same input and dropped at the next change.
type Publisher struct {
	o PublisherOptions

	refresh sync.Mutex
	cur     atomic.Pointer[published]
	kick    chan struct{}

	changedMu sync.Mutex
	changed   chan struct{}

	custMu sync.Mutex
	cust   map[string]*custSite
	// builds holds one slot: customers' sites are built one at a time.
	builds chan struct{}
}

type published struct {
	dbKey, timeKey string
	tokensKey      string
	input          *Input
	site           *Site
	tokens         *Tokens
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

// Refresh rebuilds the public site when the stores or the time of day
// changed what it shows: a new day moves the bars, a window starting or
// ending changes its state.
func (p *Publisher) Refresh(ctx context.Context) error {
	p.refresh.Lock()
	defer p.refresh.Unlock()
	dbKey, err := p.o.Source.Fingerprint(ctx)
	if err != nil {
		return fmt.Errorf("status fingerprint: %w", err)
	}
	old := p.cur.Load()
	var tokens *Tokens
	tokensKey := ""
	if old != nil {
		tokens, tokensKey = old.tokens, old.tokensKey
	}
	// Customers' secrets are not on everyone's page: a new one is read
	// without rebuilding it.
	if p.o.Tokens != nil {
		key, err := p.o.Tokens.Fingerprint(ctx)
		if err != nil {
			return err
		}
		if old == nil || key != old.tokensKey {
			if tokens, _, err = p.o.Tokens.Load(ctx); err != nil {
				return err
			}
			tokensKey = key
		}
	}
	now := p.o.Now()
	input := (*Input)(nil)
	if old != nil {
		input = old.input
	}
	if old == nil || old.dbKey != dbKey {
		if input, err = p.o.Source.Load(ctx); err != nil {
			return fmt.Errorf("status input: %w", err)
		}
	}
	timeKey := timeKey(input, now)
	if old != nil && old.dbKey == dbKey && old.timeKey == timeKey {
		if tokensKey != old.tokensKey {
			next := *old
			next.tokens, next.tokensKey = tokens, tokensKey
			p.cur.Store(&next)
		}
		return nil
	}
	in := *input
	in.Now = now
	in.Version = version(dbKey, timeKey)
	site, err := p.render(&in)
	if err != nil {
		return err
	}
	p.cur.Store(&published{dbKey: dbKey, timeKey: timeKey, tokensKey: tokensKey, input: input, site: site, tokens: tokens})
	p.custMu.Lock()
	clear(p.cust)
	p.custMu.Unlock()
	p.changedMu.Lock()
	close(p.changed)
	p.changed = make(chan struct{})
	p.changedMu.Unlock()
	if p.o.Mirror != "" {
		if err := WriteDir(site, p.o.Mirror); err != nil {
			p.o.Logger.WarnContext(ctx, "status mirror", "dir", p.o.Mirror, "err", err)
		}
	}
	return nil
}

func (p *Publisher) render(in *Input) (*Site, error) {
	page := p.o.Build(in, "")
	site, err := p.o.Render(page)
	if err != nil {
		return nil, fmt.Errorf("render status page: %w", err)
	}
	if err := site.Seal(); err != nil {
		return nil, fmt.Errorf("seal status page: %w", err)
	}
	return site, nil
}

// timeKey names what the time changes on the page: the day in the page's
// zone, and the state of each window.
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
	return key
}

func version(parts ...string) string {
	h := sha256.New()
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Site returns the current public site, or nil before the first refresh.
func (p *Publisher) Site() *Site {
	if cur := p.cur.Load(); cur != nil {
		return cur.site
	}
	return nil
}

// Changed returns a channel closed at the next change of the site.
func (p *Publisher) Changed() <-chan struct{} {
	p.changedMu.Lock()
	defer p.changedMu.Unlock()
	return p.changed
}

// custSite is one customer's site at one version, rendered a part at a
// time as its documents are asked for.
type custSite struct {
	mu      sync.Mutex // held while a part is rendered: one build per customer
	version string
	page    *Page
	files   map[string]*File
	done    [partCount]bool
}

// CustomerFile returns the document at path (relative to the customer's
// base) of the customer whose URL token is given, rendering its part on
// first use after each change. ok is false for an unknown or revoked
// token; f is nil when the site has no such document. Customers' builds
// run one at a time, so that a crowd of customers opening their pages
// after a change never takes every CPU from the probe.
func (p *Publisher) CustomerFile(token, path string) (f *File, generated time.Time, ok bool, err error) {
	cur := p.cur.Load()
	if cur == nil {
		return nil, time.Time{}, false, nil
	}
	customer, ok := cur.tokens.Customer(token)
	if !ok {
		return nil, time.Time{}, false, nil
	}
	cs := p.customerSite(cur, token, customer)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	part := PartOf(path)
	if !cs.done[part] {
		if err := p.renderPart(cur, cs, customer, token, part); err != nil {
			return nil, time.Time{}, true, err
		}
	}
	return cs.files[path], cur.site.Generated, true, nil
}

// CustomerVersion returns the version of a customer's pages, without
// building them; ok is false for an unknown or revoked token.
func (p *Publisher) CustomerVersion(token string) (string, bool) {
	cur := p.cur.Load()
	if cur == nil {
		return "", false
	}
	customer, ok := cur.tokens.Customer(token)
	if !ok {
		return "", false
	}
	return version(cur.site.Version, customer), true
}

// customerSite returns the entry of a token at the current version, new
// when there is none or an older one. The cache is bounded: past its size
// one entry goes, not all of them.
func (p *Publisher) customerSite(cur *published, token, customer string) *custSite {
	v := version(cur.site.Version, customer)
	p.custMu.Lock()
	defer p.custMu.Unlock()
	if cs := p.cust[token]; cs != nil && cs.version == v {
		return cs
	}
	if len(p.cust) >= p.o.MaxCustomers {
		for k := range p.cust {
			delete(p.cust, k)
			break
		}
	}
	cs := &custSite{version: v, files: map[string]*File{}}
	p.cust[token] = cs
	return cs
}

// renderPart builds the customer's page (once per version) and renders
// one part of it; cs.mu is held.
func (p *Publisher) renderPart(cur *published, cs *custSite, customer, token string, part Part) error {
	p.builds <- struct{}{}
	defer func() { <-p.builds }()
	if cs.page == nil {
		in := *cur.input
		in.Now, in.Version = cur.site.Generated, cur.site.Version
		page := p.o.Build(&in, customer)
		page.Customer = &Customer{ID: customer, Token: token}
		page.Version = cs.version
		cs.page = page
	}
	var files []File
	if p.o.RenderPart != nil {
		var err error
		if files, err = p.o.RenderPart(cs.page, part); err != nil {
			return fmt.Errorf("render status page: %w", err)
		}
	} else {
		site, err := p.o.Render(cs.page)
		if err != nil {
			return fmt.Errorf("render status page: %w", err)
		}
		for _, f := range site.Files {
			files = append(files, *f)
		}
		cs.done = [partCount]bool{}
		for i := range cs.done {
			cs.done[i] = true
		}
	}
	for i := range files {
		f := files[i]
		if err := f.seal(); err != nil {
			return fmt.Errorf("seal status page: %w", err)
		}
		cs.files[f.Path] = &f
	}
	cs.done[part] = true
	return nil
}
