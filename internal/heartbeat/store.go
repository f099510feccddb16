package heartbeat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// ErrUnknownToken is returned by Record for a token that is malformed, not
// issued or no longer valid. It wraps store.ErrNotFound, so that callers
// answer it as they answer any missing thing.
var ErrUnknownToken = fmt.Errorf("unknown heartbeat token: %w", store.ErrNotFound)

// Beat is what is known of a heartbeat check: when its token was created and
// its last ping, if any.
type Beat struct {
	Created time.Time `json:"created"`
	// At is the time of the last ping; zero when none was received.
	At   time.Time `json:"at"`
	Ping Ping      `json:"ping"`
}

// Store keeps the tokens and last pings of heartbeat checks.
type Store struct {
	db *store.DB
	// now dates new tokens; tests replace it.
	now func() time.Time
	// maxRuns is MaxRuns; tests lower it.
	maxRuns int
}

// NewStore returns a Store on db, which must be migrated.
func NewStore(db *store.DB) *Store { return &Store{db: db, now: time.Now, maxRuns: MaxRuns} }

// timestamp is t as stored: UTC, to the microsecond both engines keep.
func timestamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Ensure gives a heartbeat check its token the first time it is called for
// checkKey, returning the token and created true; the token is not stored
// and cannot be shown again, so later calls return "" and false.
func (s *Store) Ensure(ctx context.Context, checkKey string) (token string, created bool, err error) {
	if checkKey == "" {
		return "", false, errors.New("ensure heartbeat token: empty check key")
	}
	token, lookup, hash := newToken()
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO heartbeats (check_key, token_lookup, token_hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (check_key) DO NOTHING`,
		checkKey, lookup, hash, timestamp(s.now()))
	if err != nil {
		return "", false, fmt.Errorf("ensure heartbeat token of %s: %w", checkKey, s.db.MapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return "", false, fmt.Errorf("ensure heartbeat token of %s: %w", checkKey, err)
	}
	if n == 0 {
		return "", false, nil
	}
	return token, true, nil
}

// Rotate replaces the token of a heartbeat check and returns the new one;
// the old one stops working at once. The last ping is kept. A check without
// a token gives an error wrapping store.ErrNotFound.
func (s *Store) Rotate(ctx context.Context, checkKey string) (string, error) {
	token, lookup, hash := newToken()
	res, err := s.db.ExecContext(ctx,
		`UPDATE heartbeats SET token_lookup = $1, token_hash = $2 WHERE check_key = $3`,
		lookup, hash, checkKey)
	if err := affectedOne(s.db, res, err); err != nil {
		return "", fmt.Errorf("rotate heartbeat token of %s: %w", checkKey, err)
	}
	return token, nil
}

// Remove deletes the token, last ping and history of a heartbeat check, or returns an
// error wrapping store.ErrNotFound when it has none.
func (s *Store) Remove(ctx context.Context, checkKey string) error {
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM heartbeats WHERE check_key = $1`, checkKey)
		if err := affectedOne(s.db, res, err); err != nil {
			return err
		}
		return deleteRuns(ctx, tx, checkKey)
	})
	if err != nil {
		return fmt.Errorf("remove heartbeat of %s: %w", checkKey, s.db.MapError(err))
	}
	return nil
}

// affectedOne turns a write that changed no row into store.ErrNotFound.
func affectedOne(db *store.DB, res sql.Result, err error) error {
	if err != nil {
		return db.MapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// Record stores p as the last ping of the check whose token is given, at
// now, and returns the check's key. A token that does not match, compared in
// constant time, gives ErrUnknownToken and writes nothing.
func (s *Store) Record(ctx context.Context, token string, p Ping, now time.Time) (string, error) {
	v, err := s.Check(ctx, token)
	if err != nil {
		return "", fmt.Errorf("record heartbeat: %w", err)
	}
	return s.RecordChecked(ctx, v, p, now)
}

// RecordChecked stores p as the last ping of the check a token was found
// to belong to by Check, and returns the check's key. A rotation or removal
// of the token since Check gives ErrUnknownToken and writes nothing.
func (s *Store) RecordChecked(ctx context.Context, v Checked, p Ping, now time.Time) (string, error) {
	if err := p.normalize(); err != nil {
		return "", fmt.Errorf("record heartbeat: %w", err)
	}
	var ms *int64
	if p.Duration != nil {
		d := time.Duration(*p.Duration).Milliseconds()
		ms = &d
	}
	at := timestamp(now)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		// The hash in the condition makes a rotation between the read and
		// this write refuse the old token rather than record with it.
		res, err := tx.ExecContext(ctx,
			`UPDATE heartbeats SET last_at = $1, last_status = $2, last_size = $3, last_duration_ms = $4, last_message = $5
			WHERE check_key = $6 AND token_hash = $7`,
			at, p.Status, p.Size, ms, p.Message, v.Key, v.hash)
		if err := affectedOne(s.db, res, err); err != nil {
			return err
		}
		return addRun(ctx, tx, v.Key, at, p, ms)
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("record heartbeat: %w", ErrUnknownToken)
	} else if err != nil {
		return "", fmt.Errorf("record heartbeat of %s: %w", v.Key, err)
	}
	return v.Key, nil
}

// beatColumns are the columns scanBeat reads, in its order.
const beatColumns = `check_key, created_at, last_at, last_status, last_size, last_duration_ms, last_message`

// scanBeat reads one row of beatColumns.
func scanBeat(row interface{ Scan(...any) error }) (string, Beat, error) {
	var (
		key    string
		b      Beat
		at     sql.NullTime
		size   sql.NullInt64
		millis sql.NullInt64
	)
	if err := row.Scan(&key, &b.Created, &at, &b.Ping.Status, &size, &millis, &b.Ping.Message); err != nil {
		return "", Beat{}, err
	}
	b.Created = b.Created.UTC()
	if at.Valid {
		b.At = at.Time.UTC()
	}
	if size.Valid {
		b.Ping.Size = &size.Int64
	}
	if millis.Valid {
		d := Duration(time.Duration(millis.Int64) * time.Millisecond)
		b.Ping.Duration = &d
	}
	return key, b, nil
}

// beat returns what is known of one heartbeat check, or an error wrapping
// store.ErrNotFound when it has no token.
func (s *Store) beat(ctx context.Context, checkKey string) (Beat, error) {
	_, b, err := scanBeat(s.db.QueryRowContext(ctx,
		`SELECT `+beatColumns+` FROM heartbeats WHERE check_key = $1`, checkKey))
	if err != nil {
		return Beat{}, fmt.Errorf("heartbeat of %s: %w", checkKey, s.db.MapError(err))
	}
	return b, nil
}

// Last returns the last ping of a heartbeat check and when it came: a zero
// Ping and time when none came yet, an error wrapping store.ErrNotFound when
// the check has no token.
func (s *Store) Last(ctx context.Context, checkKey string) (Ping, time.Time, error) {
	b, err := s.beat(ctx, checkKey)
	if err != nil {
		return Ping{}, time.Time{}, err
	}
	return b.Ping, b.At, nil
}

// LastAll returns what is known of every heartbeat check, by check key.
func (s *Store) LastAll(ctx context.Context) (map[string]Beat, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+beatColumns+` FROM heartbeats`)
	if err != nil {
		return nil, fmt.Errorf("heartbeats: %w", s.db.MapError(err))
	}
	defer func() { _ = rows.Close() }()
	beats := map[string]Beat{}
	for rows.Next() {
		key, b, err := scanBeat(rows)
		if err != nil {
			return nil, fmt.Errorf("heartbeats: %w", err)
		}
		beats[key] = b
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("heartbeats: %w", err)
	}
	return beats, nil
}
