package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestAnInvitationActivatesTheContactOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		addCustomer(t, db, "C1")
		c := mustAddContact(t, s, "C1", "lea@example.org")
		token, expires, err := s.IssueLink(ctx, c.ID, LinkInvite, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !expires.Equal(storedUTC(start).Add(7 * 24 * time.Hour)) {
			t.Errorf("an invitation expires %v, want 7 days later", expires)
		}
		if got, _ := s.Contact(ctx, c.ID); got.InvitedAt == nil || got.ActivatedAt != nil {
			t.Errorf("invited, not yet activated: %+v", got)
		}
		// Another purpose, a changed secret, garbage: unknown. The changed
		// character always differs from the one it replaces.
		swap := "A"
		if token[len(token)-5] == 'A' {
			swap = "B"
		}
		changed := token[:len(token)-5] + swap + token[len(token)-4:]
		for _, bad := range []struct {
			token string
			p     LinkPurpose
		}{{token, LinkMagic}, {token, LinkReset}, {changed, LinkInvite}, {"vcl_nope", LinkInvite}, {"", LinkInvite}} {
			if _, err := s.UseLink(ctx, bad.token, bad.p, clock.Now()); !errors.Is(err, ErrLinkUnknown) || !errors.Is(err, ErrUnauthorized) {
				t.Errorf("UseLink(%q, %s): %v, want unknown and unauthorized", bad.token, bad.p, err)
			}
		}
		clock.Add(6 * 24 * time.Hour)
		got, err := s.UseLink(ctx, token, LinkInvite, clock.Now())
		if err != nil || got.ID != c.ID || got.ActivatedAt == nil || !got.ActivatedAt.Equal(storedUTC(clock.Now())) {
			t.Fatalf("the invitation: %+v %v", got, err)
		}
		if again, _ := s.Contact(ctx, c.ID); again.ActivatedAt == nil || !again.ActivatedAt.Equal(*got.ActivatedAt) {
			t.Errorf("stored activation: %+v", again)
		}
		if _, err := s.UseLink(ctx, token, LinkInvite, clock.Now()); !errors.Is(err, ErrLinkUsed) || !errors.Is(err, ErrUnauthorized) {
			t.Errorf("the invitation again: %v, want used", err)
		}
		// An invitation not used within 7 days is expired.
		late := mustAddContact(t, s, "C1", "late@example.org")
		token, _, _ = s.IssueLink(ctx, late.ID, LinkInvite, clock.Now())
		clock.Add(7 * 24 * time.Hour)
		if _, err := s.UseLink(ctx, token, LinkInvite, clock.Now()); !errors.Is(err, ErrLinkExpired) || !errors.Is(err, ErrUnauthorized) {
			t.Errorf("an invitation after 7 days: %v", err)
		}
		if got, _ := s.Contact(ctx, late.ID); got.ActivatedAt != nil {
			t.Errorf("activated by an expired link: %+v", got)
		}
		if _, _, err := s.IssueLink(ctx, late.ID, "welcome", clock.Now()); !errors.Is(err, ErrInvalid) {
			t.Errorf("an unknown purpose: %v", err)
		}
		if _, _, err := s.IssueLink(ctx, 9999, LinkInvite, clock.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown contact: %v", err)
		}
	})
}

func TestAMagicLinkWorksOnceWithinFifteenMinutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		addCustomer(t, db, "C1")
		c := mustAddContact(t, s, "C1", "lea@example.org")
		first, _, err := s.IssueLink(ctx, c.ID, LinkMagic, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		// A second issue replaces the first; other purposes stay.
		reset, _, _ := s.IssueLink(ctx, c.ID, LinkReset, clock.Now())
		second, expires, err := s.IssueLink(ctx, c.ID, LinkMagic, clock.Now())
		if err != nil || !expires.Equal(storedUTC(start).Add(15*time.Minute)) {
			t.Fatalf("second magic link: %v %v", expires, err)
		}
		if _, err := s.UseLink(ctx, first, LinkMagic, clock.Now()); !errors.Is(err, ErrLinkUnknown) {
			t.Errorf("a replaced link: %v, want unknown", err)
		}
		clock.Add(15*time.Minute - time.Microsecond)
		if got, err := s.UseLink(ctx, second, LinkMagic, clock.Now()); err != nil || got.ID != c.ID {
			t.Errorf("the magic link within 15 minutes: %+v %v", got, err)
		}
		if _, err := s.UseLink(ctx, second, LinkMagic, clock.Now()); !errors.Is(err, ErrLinkUsed) {
			t.Errorf("the magic link again: %v, want used", err)
		}
		if _, err := s.UseLink(ctx, reset, LinkReset, clock.Now()); err != nil {
			t.Errorf("the reset link issued between the two: %v", err)
		}
		third, _, _ := s.IssueLink(ctx, c.ID, LinkMagic, clock.Now())
		clock.Add(15 * time.Minute)
		if _, err := s.UseLink(ctx, third, LinkMagic, clock.Now()); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("a magic link after 15 minutes: %v, want expired", err)
		}
		// Retain drops the expired links, used ones included.
		if n, err := s.RetainContactLinks(ctx, clock.Now().Add(time.Hour)); err != nil || n != 3 {
			t.Errorf("retain: %d %v, want 3", n, err)
		}
	})
}

// Servers given the same link at once: exactly one signs the contact in.
func TestALinkIsUsedExactlyOnceAcrossReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		addCustomer(t, db, "C1")
		c := mustAddContact(t, s, "C1", "lea@example.org")
		// Several rounds, each released at once, so that uses overlap.
		for round := range 10 {
			token, _, err := s.IssueLink(ctx, c.ID, LinkMagic, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			var won, used atomic.Int32
			var wg sync.WaitGroup
			ready := make(chan struct{})
			for range 8 {
				wg.Go(func() {
					<-ready
					_, err := s.UseLink(ctx, token, LinkMagic, clock.Now())
					switch {
					case err == nil:
						won.Add(1)
					case errors.Is(err, ErrLinkUsed):
						used.Add(1)
					default:
						t.Errorf("UseLink: %v", err)
					}
				})
			}
			close(ready)
			wg.Wait()
			if won.Load() != 1 || used.Load() != 7 {
				t.Fatalf("round %d: %d won and %d were told used, want 1 and 7", round, won.Load(), used.Load())
			}
		}
	})
}
