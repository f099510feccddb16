package auth

import (
	"context"
	"database/sql"

	"github.com/vigie/vigie/internal/store"
)

// Retain deletes the API tokens whose user no longer exists, and returns
// how many it deleted. Tokens have no expiry: one unused for a year may
// still be held by a script, so only revoking removes a token, and deleting
// a user removes theirs through the foreign key. What Retain catches is a
// user deleted with foreign keys off, as the sqlite3 shell does by default:
// SQLite may give the next user the same id, who would then sign in with
// the deleted user's tokens.
func (s *Service) Retain(ctx context.Context) (int64, error) {
	var ids []int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		ids = nil
		err := store.Each(ctx, tx, "retain api tokens",
			`DELETE FROM api_tokens WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = api_tokens.user_id) RETURNING id`,
			nil, func(rows *sql.Rows) error {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
				return nil
			})
		if err != nil || len(ids) == 0 {
			return err
		}
		// Other processes may have the deleted tokens cached.
		return bumpGeneration(ctx, tx)
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		s.cache.forget(id)
	}
	if len(ids) > 0 {
		s.generationChanged()
	}
	return int64(len(ids)), nil
}
