package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// newTestSessions returns Sessions on the clock of a test Service, and a
// staff user's subject id.
func newTestSessions(t *testing.T, db *store.DB) (*Sessions, *Service, *fakeClock, string) {
	t.Helper()
	svc, clock := newTestService(db)
	u := mustAddUser(t, svc, "ana@example.org", RoleAdmin)
	s := NewSessions(db)
	s.Now = clock.Now
	return s, svc, clock, StaffSubject(u.ID)
}

// mustStart starts a session or fails the test.
func mustStart(t *testing.T, s *Sessions, kind SubjectKind, subject string) (string, Session) {
	t.Helper()
	token, sess, err := s.Start(context.Background(), kind, subject, LevelPassword, "192.0.2.7", "Firefox")
	if err != nil {
		t.Fatalf("Start(%s, %s): %v", kind, subject, err)
	}
	return token, sess
}

// wantCheck checks token at now and fails unless the outcome matches want
// (nil for a live session).
func wantCheck(t *testing.T, s *Sessions, token string, now time.Time, want error) Session {
	t.Helper()
	sess, err := s.Check(context.Background(), token, now)
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Fatalf("Check at +%v = %v, want %v", now.Sub(start), err, want)
	}
	if want != nil && !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Check error %v does not match ErrUnauthorized", err)
	}
	return sess
}

// storedSession reads a session row's last_seen_at and idle_expires_at.
func storedSession(t *testing.T, db *store.DB, id string) (lastSeen, idle time.Time) {
	t.Helper()
	err := db.QueryRowContext(context.Background(),
		`SELECT last_seen_at, idle_expires_at FROM sessions WHERE id = $1`, id).Scan(&lastSeen, &idle)
	if err != nil {
		t.Fatalf("read session %s: %v", id, err)
	}
	return lastSeen.UTC(), idle.UTC()
}

func countSessions(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSessionStartGivesANewIDEachTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _, _, staff := newTestSessions(t, db)
		seen := map[string]bool{}
		for range 3 {
			token, sess := mustStart(t, s, SubjectStaff, staff)
			if !strings.HasPrefix(token, "vss_"+sess.ID+"_") || seen[sess.ID] || seen[token] {
				t.Fatalf("Start gave token %q, id %q again or malformed", token, sess.ID)
			}
			seen[sess.ID], seen[token] = true, true
			got := wantCheck(t, s, token, start, nil)
			want := Session{ID: sess.ID, SubjectKind: SubjectStaff, SubjectID: staff, AuthLevel: LevelPassword,
				CreatedAt: storedUTC(start), LastSeenAt: storedUTC(start),
				IdleExpiresAt: storedUTC(start).Add(30 * time.Minute), AbsoluteExpiresAt: storedUTC(start).Add(12 * time.Hour),
				Addr: "192.0.2.7", UserAgent: "Firefox"}
			if got != want || sess != want {
				t.Fatalf("Check = %+v\nStart = %+v\nwant    %+v", got, sess, want)
			}
		}
	})
}

func TestSessionSecretIsNotStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _, _, staff := newTestSessions(t, db)
		token, sess := mustStart(t, s, SubjectStaff, staff)
		secretPart := token[len("vss_"+sess.ID+"_"):]
		rows, err := db.QueryContext(context.Background(), `SELECT * FROM sessions`)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = rows.Close() }()
		cols, _ := rows.Columns()
		var all strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(&all, "%s|", v)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(all.String(), sess.ID) {
			t.Fatalf("the scan did not read the session row: %s", all.String())
		}
		if strings.Contains(all.String(), secretPart) {
			t.Fatalf("the session's secret is stored: %s", all.String())
		}
	})
}

func TestSessionIdleExpirySlides(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _, _, staff := newTestSessions(t, db)
		token, _ := mustStart(t, s, SubjectStaff, staff)
		idle := s.Policies[SubjectStaff].Idle
		// Seen every 20 minutes, it lives well past its first 30.
		for at := 20 * time.Minute; at <= 2*time.Hour; at += 20 * time.Minute {
			sess := wantCheck(t, s, token, start.Add(at), nil)
			if want := storedUTC(start.Add(at + idle)); !sess.IdleExpiresAt.Equal(want) {
				t.Fatalf("idle expiry at +%v = %v, want %v", at, sess.IdleExpiresAt, want)
			}
		}
		last := start.Add(2 * time.Hour)
		wantCheck(t, s, token, last.Add(idle-time.Microsecond), nil)
		// That check slid the expiry once more; left alone for Idle, it ends.
		wantCheck(t, s, token, last.Add(2*idle), ErrSessionExpired)

		other, _ := mustStart(t, s, SubjectStaff, staff)
		wantCheck(t, s, other, start.Add(idle), ErrSessionExpired)
	})
}

func TestSessionWritesItsLastSeenAtMostOnceAMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _, _, staff := newTestSessions(t, db)
		token, sess := mustStart(t, s, SubjectStaff, staff)
		for _, at := range []time.Duration{time.Second, 30 * time.Second, 59 * time.Second} {
			wantCheck(t, s, token, start.Add(at), nil)
			if seen, _ := storedSession(t, db, sess.ID); !seen.Equal(storedUTC(start)) {
				t.Fatalf("a check at +%v wrote last_seen_at %v", at, seen)
			}
		}
		wantCheck(t, s, token, start.Add(time.Minute), nil)
		seen, idle := storedSession(t, db, sess.ID)
		if !seen.Equal(storedUTC(start.Add(time.Minute))) || !idle.Equal(storedUTC(start.Add(31*time.Minute))) {
			t.Fatalf("after a minute stored last seen %v, idle expiry %v", seen, idle)
		}
		wantCheck(t, s, token, start.Add(90*time.Second), nil)
		if again, _ := storedSession(t, db, sess.ID); !again.Equal(seen) {
			t.Fatalf("a check 30 s after the write wrote again: %v", again)
		}
	})
}

func TestSessionAbsoluteExpiryHoldsEvenWhileActive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _, _, staff := newTestSessions(t, db)
		token, sess := mustStart(t, s, SubjectStaff, staff)
		var at time.Duration
		for at = 0; at < 12*time.Hour; at += 10 * time.Minute {
			got := wantCheck(t, s, token, start.Add(at), nil)
			if got.IdleExpiresAt.After(sess.AbsoluteExpiresAt) {
				t.Fatalf("idle expiry %v passes the absolute one %v", got.IdleExpiresAt, sess.AbsoluteExpiresAt)
			}
		}
		wantCheck(t, s, token, start.Add(12*time.Hour), ErrSessionExpired)
	})
}

func TestSessionRotateReplacesTheToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _, clock, staff := newTestSessions(t, db)
		old, first := mustStart(t, s, SubjectStaff, staff)
		clock.Add(time.Minute)
		token, sess, err := s.Rotate(ctx, old, LevelPasswordTOTP)
		if err != nil {
			t.Fatal(err)
		}
		if token == old || sess.ID == first.ID {
			t.Fatalf("Rotate kept the token or id")
		}
		wantCheck(t, s, old, clock.Now(), ErrSessionUnknown)
		got := wantCheck(t, s, token, clock.Now(), nil)
		if got.AuthLevel != LevelPasswordTOTP || !got.AbsoluteExpiresAt.Equal(first.AbsoluteExpiresAt) ||
			!got.CreatedAt.Equal(first.CreatedAt) || got.SubjectID != staff {
			t.Fatalf("rotated session = %+v, from %+v", got, first)
		}
		if _, _, err := s.Rotate(ctx, old, ""); !errors.Is(err, ErrSessionUnknown) {
			t.Fatalf("Rotate of the old token = %v, want ErrSessionUnknown", err)
		}
		clock.Add(12 * time.Hour)
		if _, _, err := s.Rotate(ctx, token, ""); !errors.Is(err, ErrSessionExpired) {
			t.Fatalf("Rotate of an expired session = %v, want ErrSessionExpired", err)
		}
	})
}

func TestSessionEndAllEndsTheSubjectsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _, _, staff := newTestSessions(t, db)
		mine1, _ := mustStart(t, s, SubjectContact, "c-1")
		mine2, _ := mustStart(t, s, SubjectContact, "c-1")
		mine3, _ := mustStart(t, s, SubjectContact, "c-1")
		others := []string{}
		for _, o := range []struct {
			kind    SubjectKind
			subject string
		}{{SubjectContact, "c-2"}, {SubjectCustomer, "c-1"}, {SubjectStaff, staff}} {
			tok, _ := mustStart(t, s, o.kind, o.subject)
			others = append(others, tok)
		}
		n, err := s.EndAll(ctx, SubjectContact, "c-1", mine1)
		if err != nil || n != 2 {
			t.Fatalf("EndAll keeping one = %d, %v; want 2", n, err)
		}
		wantCheck(t, s, mine1, start, nil)
		wantCheck(t, s, mine2, start, ErrSessionUnknown)
		wantCheck(t, s, mine3, start, ErrSessionUnknown)
		if n, err := s.EndAll(ctx, SubjectContact, "c-1", ""); err != nil || n != 1 {
			t.Fatalf("EndAll = %d, %v; want 1", n, err)
		}
		wantCheck(t, s, mine1, start, ErrSessionUnknown)
		for _, tok := range others {
			wantCheck(t, s, tok, start, nil)
		}
	})
}

func TestSessionEndListAndRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _, clock, _ := newTestSessions(t, db)
		a, sa := mustStart(t, s, SubjectContact, "c-1")
		clock.Add(time.Second)
		b, sb := mustStart(t, s, SubjectContact, "c-1")
		mustStart(t, s, SubjectContact, "c-2")
		list, err := s.List(ctx, SubjectContact, "c-1")
		if err != nil || len(list) != 2 || list[0].ID != sb.ID || list[1].ID != sa.ID {
			t.Fatalf("List = %+v, %v; want the two sessions, newest first", list, err)
		}
		if err := s.Revoke(ctx, SubjectContact, "c-2", sa.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking c-1's session as c-2 = %v, want ErrNotFound", err)
		}
		if err := s.Revoke(ctx, SubjectContact, "c-1", sa.ID); err != nil {
			t.Fatal(err)
		}
		wantCheck(t, s, a, clock.Now(), ErrSessionUnknown)
		other, _, _ := sessionTokens.New()
		forged := "vss_" + sb.ID + other[len("vss_")+len(sb.ID):]
		for _, bad := range []string{forged, "", "vss_x", b + "x"} {
			if err := s.End(ctx, bad); err != nil {
				t.Fatalf("End(%q) = %v", bad, err)
			}
			wantCheck(t, s, bad, clock.Now(), ErrSessionUnknown)
		}
		wantCheck(t, s, b, clock.Now(), nil)
		if err := s.End(ctx, b); err != nil {
			t.Fatal(err)
		}
		wantCheck(t, s, b, clock.Now(), ErrSessionUnknown)
	})
}

func TestSessionsOfADisabledOrRemovedUserEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, svc, _, admin := newTestSessions(t, db)
		bobID := mustAddUser(t, svc, "bob@example.org", RoleStaff).ID
		bob := StaffSubject(bobID)
		cy := StaffSubject(mustAddUser(t, svc, "cy@example.org", RoleStaff).ID)
		keep, _ := mustStart(t, s, SubjectStaff, admin)
		bobs, _ := mustStart(t, s, SubjectStaff, bob)
		cys, _ := mustStart(t, s, SubjectStaff, cy)
		if err := svc.DisableUser(ctx, "bob@example.org"); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemoveUser(ctx, "cy@example.org"); err != nil {
			t.Fatal(err)
		}
		if n := countSessions(t, db); n != 1 {
			t.Fatalf("%d sessions left, want the admin's only", n)
		}
		wantCheck(t, s, bobs, start, ErrSessionUnknown)
		wantCheck(t, s, cys, start, ErrSessionUnknown)
		wantCheck(t, s, keep, start, nil)
		if _, _, err := s.Start(ctx, SubjectStaff, bob, LevelPassword, "", ""); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Start for a disabled user = %v, want ErrInvalid", err)
		}
		if _, _, err := s.Start(ctx, SubjectStaff, cy, LevelPassword, "", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Start for a removed user = %v, want ErrNotFound", err)
		}
		// A user disabled behind the Service's back still loses their sessions.
		if err := svc.EnableUser(ctx, "bob@example.org"); err != nil {
			t.Fatal(err)
		}
		bobs, _ = mustStart(t, s, SubjectStaff, bob)
		if _, err := db.ExecContext(ctx, `UPDATE users SET disabled_at = $1 WHERE id = $2`, storedUTC(start), bobID); err != nil {
			t.Fatal(err)
		}
		wantCheck(t, s, bobs, start, ErrSessionUnknown)
		if n, err := s.Retain(ctx, start); err != nil || n != 1 {
			t.Fatalf("Retain = %d, %v; want the disabled user's session", n, err)
		}
	})
}

func TestSessionStartRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _, _, staff := newTestSessions(t, db)
		for _, c := range []struct {
			kind    SubjectKind
			subject string
			level   Level
		}{
			{"robot", "1", LevelPassword},
			{SubjectStaff, "01", LevelPassword},
			{SubjectStaff, "ana", LevelPassword},
			{SubjectContact, "", LevelMagicLink},
			{SubjectCustomer, "c-1", "guess"},
		} {
			if _, _, err := s.Start(context.Background(), c.kind, c.subject, c.level, "", ""); !errors.Is(err, ErrInvalid) {
				t.Errorf("Start(%q, %q, %q) = %v, want ErrInvalid", c.kind, c.subject, c.level, err)
			}
		}
		_, sess, err := s.Start(context.Background(), SubjectStaff, staff, LevelPassword, "", strings.Repeat("x", 5000))
		if err != nil || len(sess.UserAgent) != maxUserAgent {
			t.Fatalf("long user agent: %v, kept %d bytes", err, len(sess.UserAgent))
		}
	})
}

func TestSessionRetainDeletesExpiredSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _, _, _ := newTestSessions(t, db)
		staleTok, _ := mustStart(t, s, SubjectCustomer, "c-1") // idle 30 min
		liveTok, _ := mustStart(t, s, SubjectContact, "c-1")   // idle 2 h
		n, err := s.Retain(ctx, start.Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("Retain = %d, %v; want 1", n, err)
		}
		wantCheck(t, s, staleTok, start, ErrSessionUnknown)
		wantCheck(t, s, liveTok, start.Add(time.Hour), nil)
	})
}

func TestSessionCookie(t *testing.T) {
	sess := Session{AbsoluteExpiresAt: start.Add(12 * time.Hour)}
	c := SessionCookie("vss_x", sess, start.Add(2*time.Hour), true)
	want := "vigie_session=vss_x; Path=/; Max-Age=36000; HttpOnly; Secure; SameSite=Lax"
	if got := c.String(); got != want {
		t.Fatalf("cookie = %s\nwant     %s", got, want)
	}
	if got := SessionCookie("vss_x", sess, start, false).String(); strings.Contains(got, "Secure") {
		t.Fatalf("cookie without TLS = %s", got)
	}
	if got := ClearSessionCookie(true); got.MaxAge >= 0 || got.Value != "" || got.SameSite != http.SameSiteLaxMode {
		t.Fatalf("clearing cookie = %s", got)
	}
}
