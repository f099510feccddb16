package status

import "context"

// CustomerPage returns the page of the customer whose URL token is given,
// as their own status page shows it now: the same build, from the same
// cache, so that a panel embedding it on every view costs no database
// read. ok is false for an unknown or revoked token (its secret is
// compared by hash, in constant time). The page is shared: read it, never
// change it.
func (p *Publisher) CustomerPage(ctx context.Context, token string) (page *Page, ok bool, err error) {
	cs, ok, err := p.customer(ctx, token)
	if !ok || err != nil {
		return nil, ok, err
	}
	defer cs.mu.Unlock()
	return cs.page, true, nil
}
