package detect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// checkIDs returns the ids of the checks of bs, creating the missing ones
// in tx. fresh holds those that were not cached: they are only remembered
// once tx has committed, as a rollback would forget them.
func (s *Store) checkIDs(ctx context.Context, tx *sql.Tx, bs []Bucket) (ids, fresh map[string]int64, err error) {
	ids = make(map[string]int64)
	var missing []string
	s.idsMu.Lock()
	for i := range bs {
		k := bs[i].Check
		if _, ok := ids[k]; ok {
			continue
		}
		id, ok := s.ids[k]
		ids[k] = id
		if !ok {
			missing = append(missing, k)
		}
	}
	s.idsMu.Unlock()
	if len(missing) == 0 {
		return ids, nil, nil
	}
	slices.Sort(missing)
	err = insertChunks(ctx, tx, s.db.Engine, `INSERT INTO check_ids (check_key) VALUES `,
		` ON CONFLICT (check_key) DO NOTHING`, 1, len(missing),
		func(dst []any, from, to int) []any {
			for _, k := range missing[from:to] {
				dst = append(dst, k)
			}
			return dst
		})
	if err != nil {
		return nil, nil, fmt.Errorf("create check ids: %w", err)
	}
	fresh = make(map[string]int64, len(missing))
	for chunk := range slices.Chunk(missing, maxParams) {
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		err := queryEach(ctx, tx, "check ids",
			`SELECT id, check_key FROM check_ids WHERE check_key IN `+s.db.Engine.List(len(chunk)), args,
			func(rows *sql.Rows) error {
				var id int64
				var k string
				if err := rows.Scan(&id, &k); err != nil {
					return err
				}
				ids[k], fresh[k] = id, id
				return nil
			})
		if err != nil {
			return nil, nil, err
		}
	}
	if len(fresh) != len(missing) {
		return nil, nil, fmt.Errorf("check ids: %d of %d keys found", len(fresh), len(missing))
	}
	return ids, fresh, nil
}

// remember caches committed check ids.
func (s *Store) remember(ids map[string]int64) {
	if len(ids) == 0 {
		return
	}
	s.idsMu.Lock()
	defer s.idsMu.Unlock()
	for k, id := range ids {
		s.ids[k] = id
	}
}

// checkID returns the id of a check, and false when it has no counters.
func (s *Store) checkID(ctx context.Context, checkKey string) (int64, bool, error) {
	s.idsMu.Lock()
	id, ok := s.ids[checkKey]
	s.idsMu.Unlock()
	if ok {
		return id, true, nil
	}
	err := s.db.QueryRowContext(ctx, `SELECT id FROM check_ids WHERE check_key = $1`, checkKey).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, s.db.MapError(err)
	}
	s.remember(map[string]int64{checkKey: id})
	return id, true, nil
}
