package probe

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// testClock is a settable clock for LocationStore.now.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newLocationTestStore(db *store.DB) (*LocationStore, *testClock) {
	c := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := NewLocationStore(db)
	s.now = c.now
	return s, c
}

func addLocation(t *testing.T, s *LocationStore, name string) string {
	t.Helper()
	token, err := s.Add(context.Background(), name)
	if err != nil {
		t.Fatalf("Add(%q): %v", name, err)
	}
	if !strings.HasPrefix(token, "vloc_") || len(token) != len("vloc_")+16+1+43 {
		t.Fatalf("Add(%q) token %q, want vloc_<lookup>_<secret>", name, token)
	}
	return token
}

func TestLocationStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newLocationTestStore(db)

		t.Run("an added location authenticates with its token", func(t *testing.T) {
			token := addLocation(t, s, "paris")
			l, err := s.Authenticate(ctx, token)
			if err != nil || l.Name != "paris" || l.Revoked() || l.PollInterval != 30*time.Second {
				t.Fatalf("Authenticate = %+v, %v", l, err)
			}
			if !l.CreatedAt.Equal(clock.t) {
				t.Fatalf("created %v, want %v", l.CreatedAt, clock.t)
			}
		})

		t.Run("a duplicate name conflicts", func(t *testing.T) {
			addLocation(t, s, "montreal")
			if _, err := s.Add(ctx, "montreal"); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("second Add = %v, want ErrConflict", err)
			}
		})

		t.Run("bad tokens are refused alike", func(t *testing.T) {
			token := addLocation(t, s, "lyon")
			lookup, secret, _ := parseLocationToken(token)
			other, _, _ := newLocationToken()
			// Another valid secret, so that the hash comparison is what refuses it.
			flipped := []byte(secret)
			flipped[0] = map[bool]byte{true: 'B', false: 'A'}[flipped[0] == 'A']
			for name, bad := range map[string]string{
				"empty":          "",
				"malformed":      "vloc_nothex_xyz",
				"wrong prefix":   "hb_" + token[len("vloc_"):],
				"upper-case hex": "vloc_" + strings.ToUpper(lookup) + "_" + secret,
				"unknown lookup": other,
				"wrong secret":   "vloc_" + lookup + "_" + string(flipped),
			} {
				if _, err := s.Authenticate(ctx, bad); !errors.Is(err, ErrBadLocationToken) {
					t.Errorf("%s: Authenticate = %v, want ErrBadLocationToken", name, err)
				}
			}
		})

		t.Run("revocation is immediate and add brings it back", func(t *testing.T) {
			token := addLocation(t, s, "berlin")
			if err := s.Revoke(ctx, "berlin"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, token); !errors.Is(err, ErrBadLocationToken) {
				t.Fatalf("revoked token: %v, want ErrBadLocationToken", err)
			}
			if err := s.Revoke(ctx, "berlin"); err != nil {
				t.Fatalf("second Revoke: %v", err)
			}
			if _, err := s.Rotate(ctx, "berlin"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Rotate of a revoked location = %v, want ErrNotFound", err)
			}
			again := addLocation(t, s, "berlin")
			if _, err := s.Authenticate(ctx, token); !errors.Is(err, ErrBadLocationToken) {
				t.Fatalf("old token after re-adding: %v", err)
			}
			if l, err := s.Authenticate(ctx, again); err != nil || l.Revoked() {
				t.Fatalf("new token after re-adding: %+v, %v", l, err)
			}
		})

		t.Run("rotate invalidates the old token", func(t *testing.T) {
			old := addLocation(t, s, "tokyo")
			fresh, err := s.Rotate(ctx, "tokyo")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, old); !errors.Is(err, ErrBadLocationToken) {
				t.Fatalf("old token after rotation: %v", err)
			}
			if l, err := s.Authenticate(ctx, fresh); err != nil || l.Name != "tokyo" {
				t.Fatalf("new token: %+v, %v", l, err)
			}
		})

		t.Run("unknown names are not found", func(t *testing.T) {
			if _, err := s.Rotate(ctx, "nowhere"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Rotate = %v, want ErrNotFound", err)
			}
			if err := s.Revoke(ctx, "nowhere"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Revoke = %v, want ErrNotFound", err)
			}
		})

		t.Run("last seen is written at most every ten seconds", func(t *testing.T) {
			token := addLocation(t, s, "sydney")
			start := clock.t
			seen := func() time.Time {
				t.Helper()
				for _, l := range list(t, s) {
					if l.Name == "sydney" && l.LastSeenAt != nil {
						return *l.LastSeenAt
					}
				}
				return time.Time{}
			}
			if !seen().IsZero() {
				t.Fatal("seen before authenticating")
			}
			steps := []struct {
				after time.Duration
				want  time.Time
			}{
				{0, start},
				{5 * time.Second, start},
				{4 * time.Second, start},
				{time.Second, start.Add(10 * time.Second)},
				{9 * time.Second, start.Add(10 * time.Second)},
				{30 * time.Second, start.Add(49 * time.Second)},
			}
			for i, st := range steps {
				clock.advance(st.after)
				l, err := s.Authenticate(ctx, token)
				if err != nil {
					t.Fatal(err)
				}
				if got := seen(); !got.Equal(st.want) || l.LastSeenAt == nil || !l.LastSeenAt.Equal(st.want) {
					t.Fatalf("step %d: stored %v, returned %v, want %v", i, got, l.LastSeenAt, st.want)
				}
			}
		})

		t.Run("list shows every location and active the usable ones", func(t *testing.T) {
			var names, active []string
			for _, l := range list(t, s) {
				names = append(names, l.Name)
			}
			ls, err := s.Active(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				active = append(active, l.Name)
			}
			if err := s.Revoke(ctx, "lyon"); err != nil {
				t.Fatal(err)
			}
			ls, err = s.Active(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var after []string
			for _, l := range ls {
				after = append(after, l.Name)
			}
			want := "berlin,lyon,montreal,paris,sydney,tokyo"
			if got := strings.Join(names, ","); got != want {
				t.Errorf("List = %s, want %s", got, want)
			}
			if got := strings.Join(active, ","); got != want {
				t.Errorf("Active = %s, want %s", got, want)
			}
			if got := strings.Join(after, ","); got != "berlin,montreal,paris,sydney,tokyo" {
				t.Errorf("Active after revoking lyon = %s", got)
			}
			for _, l := range list(t, s) {
				if l.Name == "lyon" && (l.RevokedAt == nil || !l.RevokedAt.Equal(clock.t)) {
					t.Errorf("lyon revoked at %v, want %v", l.RevokedAt, clock.t)
				}
			}
		})
	})
}

func list(t *testing.T, s *LocationStore) []Location {
	t.Helper()
	ls, err := s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func TestLocationNamesAreChecked(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := NewLocationStore(db)
	for _, tc := range []struct{ name, msg string }{
		{"local", "reserved for the server's built-in probe"},
		{"", "must be a lower-case letter"},
		{"Paris", "must be a lower-case letter"},
		{"1paris", "must be a lower-case letter"},
		{"paris_1", "must be a lower-case letter"},
		{"new york", "must be a lower-case letter"},
		{"a" + strings.Repeat("b", 32), "up to 31"},
	} {
		_, err := s.Add(context.Background(), tc.name)
		if !errors.Is(err, ErrInvalidLocation) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Add(%q) = %v, want ErrInvalidLocation saying %q", tc.name, err, tc.msg)
		}
	}
	for _, ok := range []string{"paris", "us-east-1", "a", "a" + strings.Repeat("b", 31)} {
		if err := CheckLocationName(ok); err != nil {
			t.Errorf("CheckLocationName(%q) = %v", ok, err)
		}
	}
}

func TestLocationTokenRoundTrip(t *testing.T) {
	token, lookup, hash := newLocationToken()
	l, secret, ok := parseLocationToken(token)
	if !ok || l != lookup || !locationSecretMatches(secret, hash) {
		t.Fatalf("parse(%q) = %q, %q, %v", token, l, secret, ok)
	}
	// A non-canonical last character decodes to the same bytes with loose
	// base64; Strict must refuse it so that one token has one spelling.
	last := token[len(token)-1]
	alt := token[:len(token)-1] + string(last^1)
	if _, s2, ok := parseLocationToken(alt); ok && locationSecretMatches(s2, hash) {
		t.Fatalf("a second spelling of %q was accepted", token)
	}
}
