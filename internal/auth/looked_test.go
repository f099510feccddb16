package auth

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestLookedMovesOnlyForward: the first look has nothing before it, each
// look returns the previous one, and an older look (another tab) takes
// nobody back; users are kept apart.
func TestLookedMovesOnlyForward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		ana, err := s.AddUser(ctx, "ana@example.org", RoleStaff, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		bob, err := s.AddUser(ctx, "bob@example.org", RoleStaff, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
		look := func(u User, at time.Time, want time.Time) {
			t.Helper()
			got, err := s.Looked(ctx, u.ID, at)
			if err != nil || !got.Equal(want) {
				t.Fatalf("Looked(%s, %s) = %s, %v; want %s", u.Email, at, got, err, want)
			}
		}
		look(ana, t0, time.Time{})
		look(ana, t0.Add(time.Hour), t0)
		look(ana, t0.Add(30*time.Minute), t0.Add(time.Hour)) // an older tab
		if got, err := s.LastLooked(ctx, ana.ID); err != nil || !got.Equal(t0.Add(time.Hour)) {
			t.Fatalf("LastLooked = %s, %v; want %s", got, err, t0.Add(time.Hour))
		}
		look(bob, t0.Add(2*time.Hour), time.Time{})
		if got, err := s.LastLooked(ctx, bob.ID); err != nil || !got.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("LastLooked(bob) = %s, %v", got, err)
		}
	})
}
