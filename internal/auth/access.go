package auth

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/vigie/vigie/internal/store"
)

// Users lists every user, ordered by e-mail address.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	users := []User{}
	err := store.Each(ctx, s.db, "list users", `SELECT `+userColumns+` FROM users ORDER BY email`, nil,
		func(rows *sql.Rows) error {
			u, _, err := scanUser(rows.Scan)
			if err != nil {
				return err
			}
			users = append(users, u)
			return nil
		})
	if err != nil {
		return nil, s.db.MapError(err)
	}
	return users, nil
}

// SetRole gives a user another role. Their tokens act at once with the weaker
// of the new role and their own, here and, within about generationCheck, in
// every other process. Demoting the last enabled admin gives an error
// wrapping ErrLastAdmin.
func (s *Service) SetRole(ctx context.Context, email string, role Role) error {
	email = normalizeEmail(email)
	if _, err := ParseRole(string(role)); err != nil {
		return fmt.Errorf("set role of %s: %w", email, err)
	}
	err := s.changeRights(ctx, email, func(tx *sql.Tx, u User) error {
		if role != RoleAdmin {
			if err := keepAnAdmin(ctx, tx, u); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET role = $1 WHERE id = $2`, string(role), u.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("set role of %s to %s: %w", email, role, err)
	}
	return nil
}

// DisableUser stops a user from signing in and deletes all their tokens and
// sessions in the same transaction: enabling them again does not bring them
// back.
// Disabling the last enabled admin gives an error wrapping ErrLastAdmin.
func (s *Service) DisableUser(ctx context.Context, email string) error {
	email = normalizeEmail(email)
	now := s.timestamp()
	var revoked []int64
	err := s.changeRights(ctx, email, func(tx *sql.Tx, u User) error {
		if err := keepAnAdmin(ctx, tx, u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2`, now, u.ID); err != nil {
			return err
		}
		if err := endStaffSessions(ctx, tx, u.ID); err != nil {
			return err
		}
		var err error
		revoked, err = deleteTokens(ctx, tx, u.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("disable user %s: %w", email, err)
	}
	for _, id := range revoked {
		s.cache.forget(id)
	}
	return nil
}

// EnableUser lets a disabled user sign in again; they have no tokens nor
// sessions left.
func (s *Service) EnableUser(ctx context.Context, email string) error {
	email = normalizeEmail(email)
	err := s.changeRights(ctx, email, func(tx *sql.Tx, u User) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = NULL WHERE id = $1`, u.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("enable user %s: %w", email, err)
	}
	return nil
}

// RemoveUser deletes a user, their tokens and their sessions. Removing the
// last enabled admin gives an error wrapping ErrLastAdmin.
func (s *Service) RemoveUser(ctx context.Context, email string) error {
	email = normalizeEmail(email)
	var revoked []int64
	err := s.changeRights(ctx, email, func(tx *sql.Tx, u User) error {
		if err := keepAnAdmin(ctx, tx, u); err != nil {
			return err
		}
		var err error
		// Deleted explicitly rather than through the foreign key, which a
		// SQLite connection may have off, and to forget them here.
		if revoked, err = deleteTokens(ctx, tx, u.ID); err != nil {
			return err
		}
		if err := endStaffSessions(ctx, tx, u.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, u.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove user %s: %w", email, err)
	}
	for _, id := range revoked {
		s.cache.forget(id)
	}
	return nil
}

// changeRights runs change on the user with the given e-mail address in a
// transaction that first bumps the auth generation, so that every process
// sees the change within about generationCheck, and this one at once. An
// unknown user gives an error wrapping store.ErrNotFound.
func (s *Service) changeRights(ctx context.Context, email string, change func(tx *sql.Tx, u User) error) error {
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		// First, so that its lock orders concurrent changes (see bumpGeneration).
		if err := bumpGeneration(ctx, tx); err != nil {
			return err
		}
		u, _, err := userByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		return change(tx, u)
	})
	s.generationChanged()
	return err
}

// keepAnAdmin refuses to take u's admin rights away when u is the only
// enabled admin.
func keepAnAdmin(ctx context.Context, tx *sql.Tx, u User) error {
	if u.Role != RoleAdmin || u.Disabled {
		return nil
	}
	var others int
	err := tx.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM users WHERE role = $1 AND disabled_at IS NULL AND id <> $2`,
		string(RoleAdmin), u.ID).Scan(&others)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if others == 0 {
		return fmt.Errorf("%w: %s is the only enabled admin", ErrLastAdmin, u.Email)
	}
	return nil
}

// deleteTokens deletes a user's tokens and returns their ids.
func deleteTokens(ctx context.Context, tx *sql.Tx, userID int64) ([]int64, error) {
	var ids []int64
	err := store.Each(ctx, tx, "delete tokens", `DELETE FROM api_tokens WHERE user_id = $1 RETURNING id`,
		[]any{userID}, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
	return ids, err
}
