package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// Contact is a person of a customer who signs in to the customer area. An
// e-mail address is one contact of one customer: signing in by address is so
// never ambiguous (an accountant of two associations uses two addresses).
type Contact struct {
	ID       int64
	Customer string
	// Email is stored lower-cased and unique across customers.
	Email string
	Name  string
	// Lang is "fr" or "en"; Zone the IANA zone times are shown in.
	Lang, Zone string
	CreatedAt  time.Time
	// InvitedAt is when the last invitation was issued, ActivatedAt when
	// the first was used; nil before.
	InvitedAt, ActivatedAt *time.Time
	// Disabled contacts can neither sign in nor use a link.
	Disabled bool
}

// ContactSubject is the subject id of a contact's sessions.
func ContactSubject(contactID int64) string { return strconv.FormatInt(contactID, 10) }

// validateContact normalises c and refuses what can never be stored.
func validateContact(c *Contact) error {
	c.Email = normalizeEmail(c.Email)
	c.Name = strings.TrimSpace(c.Name)
	if err := validateEmail(c.Email); err != nil {
		return err
	}
	if c.Customer == "" {
		return invalid("customer", "the contact has no customer")
	}
	if c.Lang == "" {
		c.Lang = "fr"
	}
	if c.Lang != "fr" && c.Lang != "en" {
		return invalid("lang", "language %q is not one of %q, %q", c.Lang, "fr", "en")
	}
	if c.Zone == "" {
		c.Zone = DefaultTimezone
	}
	if loc, err := time.LoadLocation(c.Zone); err != nil || loc == time.Local || c.Zone == "Local" {
		return invalid("zone", "unknown time zone %q", c.Zone)
	}
	return nil
}

// AddContact creates a contact of an existing customer, not yet invited and
// without a password. An unknown customer gives an error wrapping
// store.ErrNotFound, an address already a contact one wrapping
// store.ErrConflict, and bad input one wrapping ErrInvalid.
func (s *Service) AddContact(ctx context.Context, c Contact) (Contact, error) {
	var added Contact
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		added, err = s.AddContactTx(ctx, tx, c)
		return err
	})
	if err != nil {
		return Contact{}, err
	}
	return added, nil
}

// AddContactTx is AddContact inside tx, so that the contact is kept only
// when what follows in tx (their invitation) commits too.
func (s *Service) AddContactTx(ctx context.Context, tx *sql.Tx, c Contact) (Contact, error) {
	if err := validateContact(&c); err != nil {
		return Contact{}, fmt.Errorf("add contact: %w", err)
	}
	c.ID, c.CreatedAt, c.InvitedAt, c.ActivatedAt, c.Disabled = 0, s.timestamp(), nil, nil, false
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = $1`, c.Customer).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.NotFound("customer", c.Customer)
	}
	if err == nil {
		err = tx.QueryRowContext(ctx, `INSERT INTO contacts (customer_id, email, name, lang, zone, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			c.Customer, c.Email, c.Name, c.Lang, c.Zone, c.CreatedAt).Scan(&c.ID)
	}
	if err = s.db.MapError(err); errors.Is(err, store.ErrConflict) {
		err = &store.ConflictError{Message: "this e-mail is already a contact", Err: err}
	}
	if err != nil {
		return Contact{}, fmt.Errorf("add contact %s of %s: %w", c.Email, c.Customer, err)
	}
	return c, nil
}

const contactColumns = `id, customer_id, email, name, lang, zone, created_at, invited_at, activated_at,
	disabled_at, COALESCE(password_hash, '')`

// scanContact reads one row of contactColumns, with the password hash ("" for none).
func scanContact(scan func(dest ...any) error) (Contact, string, error) {
	var (
		c                            Contact
		invited, activated, disabled sql.NullTime
		hash                         string
	)
	err := scan(&c.ID, &c.Customer, &c.Email, &c.Name, &c.Lang, &c.Zone, &c.CreatedAt,
		&invited, &activated, &disabled, &hash)
	if err != nil {
		return Contact{}, "", err
	}
	c.CreatedAt = c.CreatedAt.UTC()
	c.InvitedAt, c.ActivatedAt, c.Disabled = optTime(invited), optTime(activated), disabled.Valid
	return c, hash, nil
}

func optTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// contactWhere returns the one contact matching cond, or store.ErrNotFound.
func contactWhere(ctx context.Context, q queryRower, what, cond string, arg any) (Contact, string, error) {
	c, hash, err := scanContact(q.QueryRowContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE `+cond, arg).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, "", store.NotFound("contact", what)
	}
	return c, hash, err
}

// Contacts returns a customer's contacts, by e-mail address.
func (s *Service) Contacts(ctx context.Context, customer string) ([]Contact, error) {
	out := []Contact{}
	err := store.Each(ctx, s.db, "list contacts", `SELECT `+contactColumns+` FROM contacts
		WHERE customer_id = $1 ORDER BY email`, []any{customer},
		func(rows *sql.Rows) error {
			c, _, err := scanContact(rows.Scan)
			if err == nil {
				out = append(out, c)
			}
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("contacts of %s: %w", customer, s.db.MapError(err))
	}
	return out, nil
}

// ContactByEmail returns the contact with the given address, or an error
// wrapping store.ErrNotFound.
func (s *Service) ContactByEmail(ctx context.Context, email string) (Contact, error) {
	email = normalizeEmail(email)
	c, _, err := contactWhere(ctx, s.db, email, `email = $1`, email)
	if err != nil {
		return Contact{}, fmt.Errorf("read contact: %w", s.db.MapError(err))
	}
	return c, nil
}

// Contact returns the contact with the given id, or an error wrapping
// store.ErrNotFound.
func (s *Service) Contact(ctx context.Context, id int64) (Contact, error) {
	c, _, err := contactWhere(ctx, s.db, ContactSubject(id), `id = $1`, id)
	if err != nil {
		return Contact{}, fmt.Errorf("read contact: %w", s.db.MapError(err))
	}
	return c, nil
}

// ContactOfSession returns the enabled contact a contact session's subject
// names, or an error wrapping ErrUnauthorized when it is gone or disabled:
// sessions have no foreign key, so the web layer checks this on each request.
func (s *Service) ContactOfSession(ctx context.Context, sess Session) (Contact, error) {
	id, err := strconv.ParseInt(sess.SubjectID, 10, 64)
	if sess.SubjectKind != SubjectContact || err != nil {
		return Contact{}, fmt.Errorf("contact of session: %w", ErrUnauthorized)
	}
	c, err := s.Contact(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.Disabled) {
		return Contact{}, fmt.Errorf("contact of session: %w", ErrUnauthorized)
	}
	return c, err
}

// SetContactLocale sets the language and zone a contact reads pages and
// mails in. Bad values give an error wrapping ErrInvalid and change
// nothing; an unknown id one wrapping store.ErrNotFound.
func (s *Service) SetContactLocale(ctx context.Context, id int64, lang, zone string) error {
	c := Contact{Customer: "-", Email: "check@example.org", Lang: lang, Zone: zone}
	if err := validateContact(&c); err != nil {
		return fmt.Errorf("set contact %d locale: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE contacts SET lang = $1, zone = $2 WHERE id = $3`, c.Lang, c.Zone, id)
	if err != nil {
		return fmt.Errorf("set contact %d locale: %w", id, s.db.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set contact %d locale: %w", id, store.NotFound("contact", ContactSubject(id)))
	}
	return nil
}

// DisableContact stops a contact from signing in: their sessions and
// pending links end in the same transaction. An unknown id gives an error
// wrapping store.ErrNotFound.
func (s *Service) DisableContact(ctx context.Context, id int64) error {
	now := s.timestamp()
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE contacts SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.NotFound("contact", ContactSubject(id))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contact_links WHERE contact_id = $1`, id); err != nil {
			return err
		}
		return endContactSessions(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("disable contact %d: %w", id, s.db.MapError(err))
	}
	return nil
}

// RemoveContact deletes a contact, their links and sessions. An unknown id
// gives an error wrapping store.ErrNotFound.
func (s *Service) RemoveContact(ctx context.Context, id int64) error {
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.NotFound("contact", ContactSubject(id))
		}
		return endContactSessions(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("remove contact %d: %w", id, s.db.MapError(err))
	}
	return nil
}

// endContactSessions deletes a contact's sessions in tx.
func endContactSessions(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE subject_kind = $1 AND subject_id = $2`,
		string(SubjectContact), ContactSubject(id))
	if err != nil {
		return fmt.Errorf("end sessions of contact %d: %w", id, err)
	}
	return nil
}

// SetContactPassword sets a contact's password (at least MinPasswordLength
// characters) and ends all their sessions and pending reset links in the
// same transaction: after a reset, only a session started afterwards works.
// An unknown or disabled contact gives an error wrapping store.ErrNotFound.
func (s *Service) SetContactPassword(ctx context.Context, id int64, password string) error {
	if err := validatePassword(password); err != nil {
		return fmt.Errorf("set password of contact %d: %w", id, err)
	}
	hash := hashSecret(password, s.passwordParams)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE contacts SET password_hash = $1 WHERE id = $2 AND disabled_at IS NULL`, hash, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.NotFound("enabled contact", ContactSubject(id))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contact_links WHERE contact_id = $1 AND purpose = $2 AND used_at IS NULL`,
			id, string(LinkReset)); err != nil {
			return err
		}
		return endContactSessions(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("set password of contact %d: %w", id, s.db.MapError(err))
	}
	return nil
}

// CheckContactPassword returns the contact when password is theirs, and an
// error wrapping ErrUnauthorized when it is not, when there is no such
// address, when the contact has no password yet or is disabled. Every case
// costs one password hash, so that timing does not tell which addresses are
// contacts.
func (s *Service) CheckContactPassword(ctx context.Context, email, password string) (Contact, error) {
	email = normalizeEmail(email)
	c, hash, err := contactWhere(ctx, s.db, email, `email = $1`, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && hash == "") {
		_, _, _ = verifySecret(password, s.dummyPasswordHash())
		return Contact{}, fmt.Errorf("check contact password: %w", ErrUnauthorized)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("check contact password: %w", s.db.MapError(err))
	}
	ok, p, err := verifySecret(password, hash)
	if err != nil {
		return Contact{}, fmt.Errorf("check password of contact %d: %w", c.ID, err)
	}
	if !ok || c.Disabled {
		return Contact{}, fmt.Errorf("check contact password: %w", ErrUnauthorized)
	}
	if p != s.passwordParams {
		// Best effort, matching the old hash so as not to undo a change.
		_, _ = s.db.ExecContext(ctx, `UPDATE contacts SET password_hash = $1 WHERE id = $2 AND password_hash = $3`,
			hashSecret(password, s.passwordParams), c.ID, hash)
	}
	return c, nil
}
