package auth

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/secret"
	"github.com/vigie/vigie/internal/store"
)

// idHash returns the id and stored hash a token would have, or two empty
// strings (matching no row) for a malformed one.
func idHash(token string) (id, hash string) {
	id, sec, ok := sessionTokens.Parse(token)
	if !ok {
		return "", ""
	}
	return id, secret.Hash(sec)
}

// End ends the session whose cookie value is token (signing out); an unknown
// or malformed token is already ended, so it is no error.
func (s *Sessions) End(ctx context.Context, token string) error {
	id, hash := idHash(token)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND secret_hash = $2`, id, hash); err != nil {
		return fmt.Errorf("end session: %w", s.db.MapError(err))
	}
	return nil
}

// EndAll ends every session of a subject ("sign out everywhere") except the
// one whose cookie value is keep, when it is one of them ("" keeps none), and
// returns how many it ended.
func (s *Sessions) EndAll(ctx context.Context, kind SubjectKind, subject, keep string) (int64, error) {
	id, hash := idHash(keep)
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE subject_kind = $1 AND subject_id = $2
		AND NOT (id = $3 AND secret_hash = $4)`, string(kind), subject, id, hash)
	if err != nil {
		return 0, fmt.Errorf("end sessions of %s %s: %w", kind, subject, s.db.MapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("end sessions of %s %s: %w", kind, subject, err)
	}
	return n, nil
}

// Revoke ends one session of a subject by its id, as listed by List; the
// subject is part of the key so that nobody ends another's session. An id
// the subject has no session under gives an error wrapping store.ErrNotFound.
func (s *Sessions) Revoke(ctx context.Context, kind SubjectKind, subject, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE subject_kind = $1 AND subject_id = $2 AND id = $3`,
		string(kind), subject, id)
	if err != nil {
		return fmt.Errorf("revoke session: %w", s.db.MapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("revoke session: %w", store.NotFound("session", id))
	}
	return nil
}

// List returns a subject's live sessions, the most recently seen first.
func (s *Sessions) List(ctx context.Context, kind SubjectKind, subject string) ([]Session, error) {
	now := stamp(s.Now())
	sessions := []Session{}
	err := store.Each(ctx, s.db, "list sessions", `SELECT `+sessionColumns+` FROM sessions s
		WHERE s.subject_kind = $1 AND s.subject_id = $2 AND s.idle_expires_at > $3 AND s.absolute_expires_at > $3
		ORDER BY s.last_seen_at DESC, s.id`, []any{string(kind), subject, now},
		func(rows *sql.Rows) error {
			sess, _, valid, err := scanSession(rows.Scan)
			if err == nil && valid {
				sessions = append(sessions, sess)
			}
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sessions of %s %s: %w", kind, subject, s.db.MapError(err))
	}
	return sessions, nil
}

// Retain deletes the sessions expired at now, and staff sessions whose user
// is gone or disabled, and returns how many it deleted.
func (s *Sessions) Retain(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1
		OR (subject_kind = 'staff' AND NOT EXISTS (SELECT 1 FROM users u
			WHERE CAST(u.id AS TEXT) = sessions.subject_id AND u.disabled_at IS NULL))`, stamp(now))
	if err != nil {
		return 0, fmt.Errorf("retain sessions: %w", s.db.MapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retain sessions: %w", err)
	}
	return n, nil
}

// endStaffSessions deletes a staff user's sessions in tx, when they are
// disabled or removed.
func endStaffSessions(ctx context.Context, tx *sql.Tx, userID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE subject_kind = $1 AND subject_id = $2`,
		string(SubjectStaff), StaffSubject(userID))
	if err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	return nil
}
