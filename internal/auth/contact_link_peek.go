package auth

import (
	"context"
	"fmt"
	"time"
)

// LinkInfo is what a link does, read without spending it.
type LinkInfo struct {
	Purpose LinkPurpose
	Contact Contact
	Expires time.Time
}

// PeekLink says what a link token would do at now without spending it, so
// that the page a link opens can show it first: mail scanners fetch every
// link of a mail, and a link that a fetch spent would be dead before its
// reader clicks. Errors are those of UseLink.
func (s *Service) PeekLink(ctx context.Context, token string, now time.Time) (LinkInfo, error) {
	_, link, err := readLink(ctx, s.db, token, "", stamp(now))
	if err != nil {
		return LinkInfo{}, fmt.Errorf("peek link: %w", s.db.MapError(err))
	}
	c, _, err := contactWhere(ctx, s.db, ContactSubject(link.contactID), `id = $1`, link.contactID)
	if err != nil {
		return LinkInfo{}, fmt.Errorf("peek link: %w", s.db.MapError(err))
	}
	if c.Disabled {
		return LinkInfo{}, fmt.Errorf("peek link: the contact is disabled: %w", ErrUnauthorized)
	}
	return LinkInfo{Purpose: link.purpose, Contact: c, Expires: link.expires}, nil
}
