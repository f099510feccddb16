package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/secret"
	"github.com/vigie/vigie/internal/store"
)

// contactLinks is the format of the token in a contact's e-mail link:
// vcl_<id>_<secret>, where only the secret's SHA-256 is stored.
var contactLinks = secret.NewFormat("vcl_")

// LinkPurpose says what a one-time e-mail link is for.
type LinkPurpose string

// The purposes of e-mail links.
const (
	// LinkInvite invites a contact; using it activates them.
	LinkInvite LinkPurpose = "invite"
	// LinkMagic signs a contact in without a password.
	LinkMagic LinkPurpose = "magic"
	// LinkReset lets a contact choose a new password.
	LinkReset LinkPurpose = "reset"
)

// LinkLifetime returns how long a link of a purpose is good for: 7 days for
// an invitation, 15 minutes for a magic link, 1 hour for a reset, and 0 for
// an unknown purpose.
func LinkLifetime(p LinkPurpose) time.Duration {
	switch p {
	case LinkInvite:
		return 7 * 24 * time.Hour
	case LinkMagic:
		return 15 * time.Minute
	case LinkReset:
		return time.Hour
	}
	return 0
}

// ErrLinkUnknown, ErrLinkExpired and ErrLinkUsed are wrapped by the errors
// of UseLink for a malformed or unknown link (or one of another purpose or
// replaced since), an expired one and a used one; all also match
// ErrUnauthorized, so that the web layer may answer them alike.
var (
	ErrLinkUnknown = errors.New("unknown link")
	ErrLinkExpired = errors.New("link expired")
	ErrLinkUsed    = errors.New("link already used")
)

// IssueLink makes a one-time link token for a contact, good until the
// returned time, and returns it for the e-mail only: it is never stored, nor
// shown again. The contact's older unused links of the same purpose stop
// working. An invitation also dates InvitedAt. An unknown contact gives an
// error wrapping store.ErrNotFound, a disabled one ErrInvalid.
func (s *Service) IssueLink(ctx context.Context, contactID int64, purpose LinkPurpose, now time.Time) (string, time.Time, error) {
	var (
		token   string
		expires time.Time
	)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		token, expires, err = s.IssueLinkTx(ctx, tx, contactID, purpose, now)
		return err
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// IssueLinkTx is IssueLink inside tx, so that the link exists only when
// the mail carrying it is queued in the same transaction: a failed
// re-send leaves the older link working.
func (s *Service) IssueLinkTx(ctx context.Context, tx *sql.Tx, contactID int64, purpose LinkPurpose, now time.Time) (string, time.Time, error) {
	life := LinkLifetime(purpose)
	if life == 0 {
		return "", time.Time{}, fmt.Errorf("issue link: %w", invalid("purpose", "link purpose %q is not one of %q, %q, %q",
			purpose, LinkInvite, LinkMagic, LinkReset))
	}
	now = stamp(now)
	expires := now.Add(life)
	token, id, hash := contactLinks.New()
	if err := s.storeLink(ctx, tx, contactID, purpose, id, hash, now, expires); err != nil {
		return "", time.Time{}, fmt.Errorf("issue %s link for contact %d: %w", purpose, contactID, s.db.MapError(err))
	}
	return token, expires, nil
}

// storeLink replaces a contact's unused link of a purpose by a new one.
func (s *Service) storeLink(ctx context.Context, tx *sql.Tx, contactID int64, purpose LinkPurpose, id, hash string, now, expires time.Time) error {
	// Locking the contact serialises issues, uses and disabling.
	var disabled sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT disabled_at FROM contacts WHERE id = $1`+s.db.Engine.LockRows(),
		contactID).Scan(&disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return store.NotFound("contact", ContactSubject(contactID))
	}
	if err != nil {
		return err
	}
	if disabled.Valid {
		return invalid("contact", "the contact is disabled")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_links WHERE contact_id = $1 AND purpose = $2 AND used_at IS NULL`,
		contactID, string(purpose)); err != nil {
		return err
	}
	if purpose == LinkInvite {
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET invited_at = $1 WHERE id = $2`, now, contactID); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO contact_links (id, secret_hash, contact_id, purpose, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, hash, contactID, string(purpose), now, expires)
	return err
}

// linkError wraps one of the link errors so that it also matches ErrUnauthorized.
func linkError(err error) error {
	return fmt.Errorf("use link: %w: %w", err, ErrUnauthorized)
}

// UseLink spends a link of the given purpose at now and returns its contact,
// activated if the link was an invitation. A link is good once, even when
// several servers are given it at once. Errors wrap ErrLinkUnknown,
// ErrLinkExpired or ErrLinkUsed, or only ErrUnauthorized for a disabled
// contact.
func (s *Service) UseLink(ctx context.Context, token string, purpose LinkPurpose, now time.Time) (Contact, error) {
	if LinkLifetime(purpose) == 0 {
		return Contact{}, linkError(ErrLinkUnknown)
	}
	now = stamp(now)
	var c Contact
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		id, link, err := readLink(ctx, tx, token, purpose, now)
		if err != nil {
			return err
		}
		if c, _, err = contactWhere(ctx, tx, ContactSubject(link.contactID), `id = $1`+s.db.Engine.LockRows(), link.contactID); err != nil {
			return err
		}
		if c.Disabled {
			return fmt.Errorf("use link: the contact is disabled: %w", ErrUnauthorized)
		}
		// Only one transaction can set used_at: the others find it set.
		res, err := tx.ExecContext(ctx, `UPDATE contact_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, now, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(err, linkError(ErrLinkUsed))
		}
		if purpose == LinkInvite && c.ActivatedAt == nil {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET activated_at = $1 WHERE id = $2`, now, c.ID); err != nil {
				return err
			}
			c.ActivatedAt = &now
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrUnauthorized) {
			return Contact{}, err
		}
		return Contact{}, fmt.Errorf("use %s link: %w", purpose, s.db.MapError(err))
	}
	return c, nil
}

// linkRow is what a stored link says.
type linkRow struct {
	purpose   LinkPurpose
	contactID int64
	expires   time.Time
}

// readLink returns the id and row of a link token good at now for purpose
// ("" for any), or an error wrapping ErrLinkUnknown, ErrLinkUsed or
// ErrLinkExpired.
func readLink(ctx context.Context, q queryRower, token string, purpose LinkPurpose, now time.Time) (string, linkRow, error) {
	id, sec, ok := contactLinks.Parse(token)
	if !ok {
		return "", linkRow{}, linkError(ErrLinkUnknown)
	}
	var (
		hash, p string
		link    linkRow
		used    sql.NullTime
	)
	err := q.QueryRowContext(ctx, `SELECT secret_hash, purpose, contact_id, expires_at, used_at
		FROM contact_links WHERE id = $1`, id).Scan(&hash, &p, &link.contactID, &link.expires, &used)
	link.purpose = LinkPurpose(p)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", linkRow{}, linkError(ErrLinkUnknown)
	case err != nil:
		return "", linkRow{}, err
	case !secret.Matches(sec, hash) || (purpose != "" && link.purpose != purpose):
		return "", linkRow{}, linkError(ErrLinkUnknown)
	case used.Valid:
		return "", linkRow{}, linkError(ErrLinkUsed)
	case !now.Before(link.expires):
		return "", linkRow{}, linkError(ErrLinkExpired)
	}
	link.expires = link.expires.UTC()
	return id, link, nil
}

// RetainContactLinks deletes the links expired at now, used or not, and
// returns how many it deleted. Used links are kept until then so that a
// second use is told as such.
func (s *Service) RetainContactLinks(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM contact_links WHERE expires_at <= $1`, stamp(now))
	if err != nil {
		return 0, fmt.Errorf("retain contact links: %w", s.db.MapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retain contact links: %w", err)
	}
	return n, nil
}
