package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// addCustomer adds a customer to the inventory or fails the test.
func addCustomer(t *testing.T, db *store.DB, id string) {
	t.Helper()
	_, err := db.ExecContext(context.Background(), `INSERT INTO customers (id, name, email, language, timezone)
		VALUES ($1, $1, 'office@example.org', 'fr', 'Europe/Paris')`, id)
	if err != nil {
		t.Fatal(err)
	}
}

// mustAddContact adds a contact of customer or fails the test.
func mustAddContact(t *testing.T, s *Service, customer, email string) Contact {
	t.Helper()
	c, err := s.AddContact(context.Background(), Contact{Customer: customer, Email: email, Name: "Léa", Lang: "fr"})
	if err != nil {
		t.Fatalf("AddContact(%s): %v", email, err)
	}
	return c
}

// startContactSession opens a session for c or fails the test.
func startContactSession(t *testing.T, ss *Sessions, c Contact) string {
	t.Helper()
	token, _, err := ss.Start(context.Background(), SubjectContact, ContactSubject(c.ID), LevelPassword, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestContactsBelongToAnExistingCustomerWithOneAddressEach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		addCustomer(t, db, "C1")
		addCustomer(t, db, "C2")
		c, err := s.AddContact(ctx, Contact{Customer: "C1", Email: " Lea@Example.ORG ", Name: " Léa ", Lang: "en", Zone: "America/Montreal"})
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Email != "lea@example.org" || c.Name != "Léa" || !c.CreatedAt.Equal(storedUTC(start)) || c.InvitedAt != nil {
			t.Errorf("added %+v", c)
		}
		got, err := s.ContactByEmail(ctx, "LEA@example.org")
		if err != nil || got.ID != c.ID || got.Customer != "C1" || got.Zone != "America/Montreal" || got.Lang != "en" {
			t.Errorf("by e-mail: %+v %v", got, err)
		}
		// One address is one contact, whatever the customer.
		if _, err := s.AddContact(ctx, Contact{Customer: "C2", Email: "lea@example.org"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("the same address for another customer: %v, want a conflict", err)
		}
		if _, err := s.AddContact(ctx, Contact{Customer: "C404", Email: "x@example.org"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown customer: %v", err)
		}
		for _, bad := range []Contact{
			{Customer: "C1", Email: "not an address"},
			{Customer: "C1", Email: "a@example.org", Lang: "de"},
			{Customer: "C1", Email: "a@example.org", Zone: "Mars/Olympus"},
			{Email: "a@example.org"},
		} {
			if _, err := s.AddContact(ctx, bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("AddContact(%+v): %v, want ErrInvalid", bad, err)
			}
		}
		mustAddContact(t, s, "C1", "albert@example.org")
		mustAddContact(t, s, "C2", "zoe@example.org")
		list, err := s.Contacts(ctx, "C1")
		if err != nil || len(list) != 2 || list[0].Email != "albert@example.org" || list[1].Email != "lea@example.org" {
			t.Errorf("contacts of C1: %+v %v", list, err)
		}
		// Removing the customer removes its contacts.
		if _, err := db.ExecContext(ctx, `DELETE FROM customers WHERE id = 'C1'`); err != nil {
			t.Fatal(err)
		}
		if list, err := s.Contacts(ctx, "C1"); err != nil || len(list) != 0 {
			t.Errorf("contacts of a removed customer: %+v %v", list, err)
		}
		if _, err := s.ContactByEmail(ctx, "lea@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a removed customer's contact: %v", err)
		}
		if list, err := s.Contacts(ctx, "C2"); err != nil || len(list) != 1 {
			t.Errorf("another customer's contacts: %+v %v", list, err)
		}
	})
}

func TestDisablingOrRemovingAContactEndsTheirSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		ss := NewSessions(db)
		ss.Now = clock.Now
		addCustomer(t, db, "C1")
		a, b := mustAddContact(t, s, "C1", "a@example.org"), mustAddContact(t, s, "C1", "b@example.org")
		if err := s.SetContactPassword(ctx, a.ID, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		ta, tb := startContactSession(t, ss, a), startContactSession(t, ss, b)
		link, _, err := s.IssueLink(ctx, a.ID, LinkMagic, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DisableContact(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ss.Check(ctx, ta, clock.Now()); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("a disabled contact's session: %v", err)
		}
		if _, err := ss.Check(ctx, tb, clock.Now()); err != nil {
			t.Errorf("another contact's session: %v", err)
		}
		if _, err := s.CheckContactPassword(ctx, "a@example.org", "correct horse battery"); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("a disabled contact's password: %v", err)
		}
		if _, err := s.UseLink(ctx, link, LinkMagic, clock.Now()); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("a disabled contact's link: %v", err)
		}
		if _, _, err := s.IssueLink(ctx, a.ID, LinkMagic, clock.Now()); !errors.Is(err, ErrInvalid) {
			t.Errorf("a link for a disabled contact: %v", err)
		}
		if _, sess, err := ss.Start(ctx, SubjectContact, ContactSubject(a.ID), LevelPassword, "", ""); err != nil {
			t.Fatal(err)
		} else if _, err := s.ContactOfSession(ctx, sess); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("a session left for a disabled contact: %v", err)
		}
		if err := s.RemoveContact(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ss.Check(ctx, tb, clock.Now()); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("a removed contact's session: %v", err)
		}
		if err := s.RemoveContact(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("removing twice: %v", err)
		}
		if err := s.DisableContact(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("disabling a removed contact: %v", err)
		}
	})
}

func TestContactPasswordsAndTheirReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		ss := NewSessions(db)
		ss.Now = clock.Now
		addCustomer(t, db, "C1")
		c := mustAddContact(t, s, "C1", "lea@example.org")
		// No password yet: refused like a wrong one.
		if _, err := s.CheckContactPassword(ctx, "lea@example.org", "anything at all"); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("no password yet: %v", err)
		}
		if err := s.SetContactPassword(ctx, c.ID, "too short"); !errors.Is(err, ErrInvalid) {
			t.Errorf("a short password: %v", err)
		}
		if err := s.SetContactPassword(ctx, c.ID, "old horse battery staple"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.CheckContactPassword(ctx, " LEA@example.org", "old horse battery staple"); err != nil || got.ID != c.ID {
			t.Errorf("the right password: %+v %v", got, err)
		}
		for _, wrong := range [][2]string{{"lea@example.org", "old horse battery stapl"}, {"nobody@example.org", "old horse battery staple"}} {
			if _, err := s.CheckContactPassword(ctx, wrong[0], wrong[1]); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("CheckContactPassword(%q, %q): %v", wrong[0], wrong[1], err)
			}
		}
		other1, other2 := startContactSession(t, ss, c), startContactSession(t, ss, c)
		token, _, err := s.IssueLink(ctx, c.ID, LinkReset, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		clock.Add(59 * time.Minute)
		got, err := s.UseLink(ctx, token, LinkReset, clock.Now())
		if err != nil || got.ID != c.ID {
			t.Fatalf("a reset link within the hour: %+v %v", got, err)
		}
		if err := s.SetContactPassword(ctx, got.ID, "new horse battery staple"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckContactPassword(ctx, "lea@example.org", "new horse battery staple"); err != nil {
			t.Errorf("the new password: %v", err)
		}
		if _, err := s.CheckContactPassword(ctx, "lea@example.org", "old horse battery staple"); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("the old password: %v", err)
		}
		for _, tok := range []string{other1, other2} {
			if _, err := ss.Check(ctx, tok, clock.Now()); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("a session from before the reset: %v", err)
			}
		}
		// A reset link after the hour is refused.
		token, _, _ = s.IssueLink(ctx, c.ID, LinkReset, clock.Now())
		clock.Add(time.Hour)
		if _, err := s.UseLink(ctx, token, LinkReset, clock.Now()); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("a reset link after the hour: %v", err)
		}
	})
}

// No table holds a link token, a password or a secret part in clear.
func TestNoContactSecretIsStoredInClear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		ss := NewSessions(db)
		ss.Now = clock.Now
		addCustomer(t, db, "C1")
		c := mustAddContact(t, s, "C1", "lea@example.org")
		const password = "unguessable horse battery"
		secrets := []string{password}
		for _, p := range []LinkPurpose{LinkInvite, LinkMagic, LinkReset} {
			token, _, err := s.IssueLink(ctx, c.ID, p, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			_, sec, _ := contactLinks.Parse(token)
			secrets = append(secrets, token, sec)
		}
		if err := s.SetContactPassword(ctx, c.ID, password); err != nil {
			t.Fatal(err)
		}
		token := startContactSession(t, ss, c)
		_, sec, _ := sessionTokens.Parse(token)
		secrets = append(secrets, token, sec)
		for _, table := range []string{"contacts", "contact_links", "sessions"} {
			for _, row := range dumpRows(t, db, table) {
				for _, sec := range secrets {
					if strings.Contains(row, sec) {
						t.Errorf("table %s holds a secret in clear: %s", table, row)
					}
				}
			}
		}
	})
}

// dumpRows returns every row of table, its columns joined as text.
func dumpRows(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals))
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		t.Fatalf("rows of %s: %d %v", table, len(out), err)
	}
	return out
}
