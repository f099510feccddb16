package status

import (
	"context"
	"errors"
)

// Page returns the page as everyone (customer "") or one customer sees it
// now: the publisher refreshes first, so that it holds every change
// committed before the call. Notifications repeat its texts word for word.
func (p *Publisher) Page(ctx context.Context, customer string) (*Page, error) {
	if err := p.Refresh(ctx); err != nil {
		return nil, err
	}
	cur := p.cur.Load()
	if cur == nil || cur.input == nil {
		return nil, errors.New("status page: not built yet")
	}
	in := *cur.input
	in.Now = cur.now
	return p.o.Build(&in, customer), nil
}
