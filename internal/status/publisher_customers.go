package status

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// custSite is one customer's site, rendered a part at a time as its
// documents are asked for, and built again when everyone's page is.
type custSite struct {
	mu     sync.Mutex // held while it is built or a part rendered
	seq    uint64     // the build of everyone's page it follows
	digest string
	page   *Page
	files  map[string]*File
	done   [partCount]bool
}

// CustomerFile returns the document at path (relative to the customer's
// base) of the customer whose URL token is given, building their page
// when everyone's was built since and rendering the part that holds the
// document on first use. ok is false for an unknown or revoked token; f
// is nil when the site has no such document. Customers' builds run one at
// a time, so that a crowd of customers opening their pages after a change
// never takes every CPU from the probe.
func (p *Publisher) CustomerFile(ctx context.Context, token, path string) (f *File, generated time.Time, ok bool, err error) {
	cs, ok, err := p.customer(ctx, token)
	if !ok || err != nil {
		return nil, time.Time{}, ok, err
	}
	defer cs.mu.Unlock()
	part := PartOf(path)
	if !cs.done[part] {
		if err := p.renderPart(ctx, cs, part); err != nil {
			return nil, time.Time{}, true, err
		}
	}
	return cs.files[path], cs.page.Generated, true, nil
}

// CustomerVersion returns the version of a customer's pages, a digest of
// what they show; ok is false for an unknown or revoked token.
func (p *Publisher) CustomerVersion(ctx context.Context, token string) (string, bool, error) {
	cs, ok, err := p.customer(ctx, token)
	if !ok || err != nil {
		return "", ok, err
	}
	defer cs.mu.Unlock()
	return cs.page.Version, true, nil
}

// customer returns the site of a token, locked and built for the current
// build of everyone's page.
func (p *Publisher) customer(ctx context.Context, token string) (*custSite, bool, error) {
	cur := p.cur.Load()
	if cur == nil || cur.site == nil {
		return nil, false, nil
	}
	customer, ok := cur.tokens.Customer(token)
	if !ok {
		return nil, false, nil
	}
	cs := p.customerSite(token)
	cs.mu.Lock()
	if cs.seq == cur.seq && cs.page != nil {
		return cs, true, nil
	}
	if err := p.acquire(ctx); err != nil {
		cs.mu.Unlock()
		return nil, true, err
	}
	defer p.release()
	in := *cur.input
	in.Now = cur.now
	page := p.o.Build(&in, customer)
	page.Customer = &Customer{ID: customer, Token: token}
	if digest := pageDigest(page); cs.page == nil || digest != cs.digest {
		page.Version, page.Generated = digest[:16], cur.now
		cs.page, cs.digest, cs.files, cs.done = page, digest, map[string]*File{}, [partCount]bool{}
	}
	cs.seq = cur.seq
	return cs, true, nil
}

// customerSite returns the entry of a token, new when there is none. The
// cache is bounded: past its size one entry goes, not all of them.
func (p *Publisher) customerSite(token string) *custSite {
	p.custMu.Lock()
	defer p.custMu.Unlock()
	if cs := p.cust[token]; cs != nil {
		return cs
	}
	if len(p.cust) >= p.o.MaxCustomers {
		for k := range p.cust {
			delete(p.cust, k)
			break
		}
	}
	cs := &custSite{files: map[string]*File{}}
	p.cust[token] = cs
	return cs
}

// acquire takes the one slot of customers' builds, or gives up when the
// reader has gone.
func (p *Publisher) acquire(ctx context.Context) error {
	select {
	case p.builds <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("build a customer's status page: %w", ctx.Err())
	}
}

func (p *Publisher) release() { <-p.builds }

// renderPart renders one part of a customer's page; cs.mu is held.
func (p *Publisher) renderPart(ctx context.Context, cs *custSite, part Part) error {
	if err := p.acquire(ctx); err != nil {
		return err
	}
	defer p.release()
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
