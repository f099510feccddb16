package auth

import (
	"context"
	"errors"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// deleteUserBypassingKeys deletes a user the way a hand-run sqlite3 shell
// does, without the foreign key removing their tokens.
func deleteUserBypassingKeys(t *testing.T, db *store.DB, id int64) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	off, on := `PRAGMA foreign_keys = OFF`, `PRAGMA foreign_keys = ON`
	if db.Engine == store.Postgres {
		off, on = `SET session_replication_role = replica`, `RESET session_replication_role`
	}
	if _, err := conn.ExecContext(ctx, off); err != nil {
		t.Skipf("cannot turn foreign keys off here: %v", err)
	}
	_, err = conn.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
	if _, rerr := conn.ExecContext(ctx, on); err == nil {
		err = rerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestRetainDeletesTokensOfUsersThatAreGone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "stays@example.org", RoleStaff)
		gone := mustAddUser(t, s, "gone@example.org", RoleAdmin)
		kept, _, err := s.CreateToken(ctx, "stays@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		orphan, _, err := s.CreateToken(ctx, "gone@example.org", TokenSpec{Name: "cron"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, orphan); err != nil {
			t.Fatal(err)
		}
		deleteUserBypassingKeys(t, db, gone.ID)
		for _, want := range []int64{1, 0} {
			if n, err := s.Retain(ctx); err != nil || n != want {
				t.Fatalf("Retain = %d, %v; want %d", n, err, want)
			}
		}
		// On SQLite the next user may get the deleted one's id.
		mustAddUser(t, s, "next@example.org", RoleAdmin)
		if u, err := s.Authenticate(ctx, orphan); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("the deleted user's token signs in as %s (%v)", u.Email, err)
		}
		if _, err := s.Authenticate(ctx, kept); err != nil {
			t.Fatalf("a live user's token stopped working: %v", err)
		}
	})
}
