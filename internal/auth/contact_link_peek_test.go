package auth

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestPeekingALinkSaysWhatItDoesWithoutSpendingIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		addCustomer(t, db, "C1")
		c := mustAddContact(t, s, "C1", "lea@example.org")
		token, expires, err := s.IssueLink(ctx, c.ID, LinkReset, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			info, err := s.PeekLink(ctx, token, clock.Now())
			if err != nil || info.Purpose != LinkReset || info.Contact.ID != c.ID || !info.Expires.Equal(expires) {
				t.Fatalf("PeekLink: %+v %v, want a reset of contact %d until %v", info, err, c.ID, expires)
			}
		}
		if _, err := s.UseLink(ctx, token, LinkReset, clock.Now()); err != nil {
			t.Fatalf("the link after two peeks: %v", err)
		}
		if _, err := s.PeekLink(ctx, token, clock.Now()); !errors.Is(err, ErrLinkUsed) {
			t.Errorf("a used link peeked: %v, want used", err)
		}
		magic, _, _ := s.IssueLink(ctx, c.ID, LinkMagic, clock.Now())
		clock.Add(15 * time.Minute)
		if _, err := s.PeekLink(ctx, magic, clock.Now()); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("an expired link peeked: %v, want expired", err)
		}
		if _, err := s.PeekLink(ctx, "vcl_nope_nope", clock.Now()); !errors.Is(err, ErrLinkUnknown) {
			t.Errorf("an unknown link peeked: %v, want unknown", err)
		}
		invite, _, _ := s.IssueLink(ctx, c.ID, LinkInvite, clock.Now())
		if _, err := s.UseLink(ctx, invite, "", clock.Now()); !errors.Is(err, ErrLinkUnknown) {
			t.Errorf("a link used for no purpose: %v, want unknown", err)
		}
		if err := s.DisableContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PeekLink(ctx, invite, clock.Now()); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("a disabled contact's link peeked: %v, want unauthorized", err)
		}
	})
}

func TestAContactAndTheirLinkAreKeptOnlyWithTheirTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		addCustomer(t, db, "C1")
		c := mustAddContact(t, s, "C1", "lea@example.org")
		old, _, err := s.IssueLink(ctx, c.ID, LinkInvite, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		failed := errors.New("the mail could not be queued")
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := s.AddContactTx(ctx, tx, Contact{Customer: "C1", Email: "max@example.org"}); err != nil {
				return err
			}
			if _, _, err := s.IssueLinkTx(ctx, tx, c.ID, LinkInvite, clock.Now()); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("the transaction: %v", err)
		}
		if _, err := s.ContactByEmail(ctx, "max@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a contact added in a rolled back transaction: %v", err)
		}
		if _, err := s.UseLink(ctx, old, LinkInvite, clock.Now()); err != nil {
			t.Errorf("the older invitation after a rolled back re-issue: %v", err)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := s.AddContactTx(ctx, tx, Contact{Customer: "C1", Email: "LEA@example.org"})
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("an address already a contact, in a transaction: %v", err)
		}
	})
}
