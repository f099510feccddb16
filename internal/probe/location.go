package probe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// ErrBadLocationToken is returned by Authenticate for a token that is
// malformed, unknown, replaced by a rotation or revoked; it never says which.
var ErrBadLocationToken = errors.New("bad location token")

// ErrInvalidLocation is wrapped by errors about a location name that can never
// be accepted, so that callers can tell them from internal failures.
var ErrInvalidLocation = errors.New("invalid location name")

// locationSeenInterval is the least time between two writes of a location's
// last_seen_at, so that a probe polling often does not write on every call.
const locationSeenInterval = 10 * time.Second

var locationNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// CheckLocationName returns nil when name can name a remote probe location,
// or an error wrapping ErrInvalidLocation that says what is wrong.
func CheckLocationName(name string) error {
	if name == DefaultLocation {
		return fmt.Errorf("%w: %q is reserved for the server's built-in probe", ErrInvalidLocation, name)
	}
	if !locationNamePattern.MatchString(name) {
		return fmt.Errorf("%w: %q must be a lower-case letter followed by up to 31 lower-case letters, digits or hyphens (like paris or us-east)",
			ErrInvalidLocation, name)
	}
	return nil
}

// Location is a remote probe location; its token is shown once, when it is
// added or rotated.
type Location struct {
	Name      string
	CreatedAt time.Time
	// RevokedAt is set once the location can no longer authenticate.
	RevokedAt *time.Time
	// LastSeenAt is the last successful authentication, to within
	// ten seconds.
	LastSeenAt *time.Time
	// PollInterval is how often the location's probe asks for work.
	PollInterval time.Duration
	// RefusedResults counts the results the location sent for checks it
	// was not assigned, which were dropped at intake.
	RefusedResults int64
}

// Revoked reports whether the location was revoked.
func (l Location) Revoked() bool { return l.RevokedAt != nil }

// LocationStore keeps remote probe locations and their tokens. It holds no
// cache: every Authenticate reads the database, so a revocation or rotation
// takes effect at once in every process.
type LocationStore struct {
	db *store.DB
	// now dates writes; tests replace it.
	now func() time.Time
}

// NewLocationStore returns a LocationStore keeping locations in db.
func NewLocationStore(db *store.DB) *LocationStore {
	return &LocationStore{db: db, now: time.Now}
}

// timestamp is the current time as stored: UTC, to the microsecond both
// engines keep.
func (s *LocationStore) timestamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Add creates a location and returns its token, which is not stored and
// cannot be shown again. A location of that name that is not revoked gives an
// error wrapping store.ErrConflict; a revoked one is brought back with a new
// token. A bad name gives an error wrapping ErrInvalidLocation.
func (s *LocationStore) Add(ctx context.Context, name string) (string, error) {
	if err := CheckLocationName(name); err != nil {
		return "", fmt.Errorf("add location: %w", err)
	}
	token, lookup, hash := newLocationToken()
	// Reusing a revoked row keeps one row per name; the condition leaves an
	// active location untouched, which shows as no row affected.
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO probe_locations (name, token_lookup, token_hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET token_lookup = excluded.token_lookup, token_hash = excluded.token_hash,
			created_at = excluded.created_at, revoked_at = NULL, last_seen_at = NULL
		WHERE probe_locations.revoked_at IS NOT NULL`,
		name, lookup, hash, s.timestamp())
	if err := locationAffectedOne(s.db, res, err); errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("add location %q: it already exists: %w", name, store.ErrConflict)
	} else if err != nil {
		return "", fmt.Errorf("add location %q: %w", name, err)
	}
	return token, nil
}

// Rotate gives an active location a new token and returns it; the old one
// stops working at once. An unknown or revoked location gives an error
// wrapping store.ErrNotFound.
func (s *LocationStore) Rotate(ctx context.Context, name string) (string, error) {
	if err := CheckLocationName(name); err != nil {
		return "", fmt.Errorf("rotate location: %w", err)
	}
	token, lookup, hash := newLocationToken()
	res, err := s.db.ExecContext(ctx,
		`UPDATE probe_locations SET token_lookup = $1, token_hash = $2 WHERE name = $3 AND revoked_at IS NULL`,
		lookup, hash, name)
	if err := locationAffectedOne(s.db, res, err); errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("rotate location: %w", store.NotFound("active location", name))
	} else if err != nil {
		return "", fmt.Errorf("rotate location %q: %w", name, err)
	}
	return token, nil
}

// Revoke stops a location's token from authenticating, at once. Revoking a
// revoked location does nothing; an unknown one gives an error wrapping
// store.ErrNotFound.
func (s *LocationStore) Revoke(ctx context.Context, name string) error {
	if err := CheckLocationName(name); err != nil {
		return fmt.Errorf("revoke location: %w", err)
	}
	res, err := s.db.ExecContext(ctx,
		`UPDATE probe_locations SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL`, s.timestamp(), name)
	err = locationAffectedOne(s.db, res, err)
	if errors.Is(err, store.ErrNotFound) {
		var one int
		err = s.db.QueryRowContext(ctx, `SELECT 1 FROM probe_locations WHERE name = $1`, name).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("revoke location: %w", store.NotFound("location", name))
		}
	}
	if err != nil {
		return fmt.Errorf("revoke location %q: %w", name, s.db.MapError(err))
	}
	return nil
}

// Authenticate returns the active location whose token is given, or an error
// wrapping ErrBadLocationToken. The secret is compared in constant time. The
// location's last sighting is written when the stored one is ten seconds old
// or more.
func (s *LocationStore) Authenticate(ctx context.Context, token string) (Location, error) {
	lookup, secret, ok := parseLocationToken(token)
	if !ok {
		return Location{}, fmt.Errorf("authenticate location: %w", ErrBadLocationToken)
	}
	var hash string
	l, err := scanLocation(s.db.QueryRowContext(ctx,
		`SELECT `+locationColumns+`, token_hash FROM probe_locations WHERE token_lookup = $1`, lookup), &hash)
	// An unknown lookup id returns at once: lookup ids are not secret, so
	// timing that reveals one exists gives nothing away.
	if errors.Is(err, sql.ErrNoRows) {
		return Location{}, fmt.Errorf("authenticate location: %w", ErrBadLocationToken)
	}
	if err != nil {
		return Location{}, fmt.Errorf("authenticate location: %w", s.db.MapError(err))
	}
	if !locationSecretMatches(secret, hash) || l.Revoked() {
		return Location{}, fmt.Errorf("authenticate location: %w", ErrBadLocationToken)
	}
	now := s.timestamp()
	if l.LastSeenAt == nil || now.Sub(*l.LastSeenAt) >= locationSeenInterval {
		// The token's hash in the condition keeps a rotation or revocation
		// between the read and this write from being undone or ignored.
		res, err := s.db.ExecContext(ctx,
			`UPDATE probe_locations SET last_seen_at = $1 WHERE name = $2 AND token_hash = $3 AND revoked_at IS NULL`,
			now, l.Name, hash)
		switch err := locationAffectedOne(s.db, res, err); {
		case errors.Is(err, store.ErrNotFound):
			return Location{}, fmt.Errorf("authenticate location: %w", ErrBadLocationToken)
		case err != nil:
			return Location{}, fmt.Errorf("authenticate location %q: %w", l.Name, err)
		}
		l.LastSeenAt = &now
	}
	return l, nil
}

// List returns every location, revoked ones included, by name.
func (s *LocationStore) List(ctx context.Context) ([]Location, error) {
	return s.query(ctx, "list locations", `SELECT `+locationColumns+` FROM probe_locations ORDER BY name`)
}

// Active returns the locations that are not revoked, by name.
func (s *LocationStore) Active(ctx context.Context) ([]Location, error) {
	return s.query(ctx, "active locations",
		`SELECT `+locationColumns+` FROM probe_locations WHERE revoked_at IS NULL ORDER BY name`)
}

func (s *LocationStore) query(ctx context.Context, what, query string) ([]Location, error) {
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, s.db.MapError(err))
	}
	defer func() { _ = rows.Close() }()
	locations := []Location{}
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		locations = append(locations, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return locations, nil
}

// locationColumns are the columns scanLocation reads, in its order.
const locationColumns = `name, created_at, revoked_at, last_seen_at, poll_interval_ms, refused_results`

// scanLocation reads one row of locationColumns, then into extra.
func scanLocation(row interface{ Scan(...any) error }, extra ...any) (Location, error) {
	var (
		l                 Location
		revoked, lastSeen sql.NullTime
		pollMillis        int64
	)
	dest := append([]any{&l.Name, &l.CreatedAt, &revoked, &lastSeen, &pollMillis, &l.RefusedResults}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Location{}, err
	}
	l.CreatedAt = l.CreatedAt.UTC()
	l.RevokedAt = locationTime(revoked)
	l.LastSeenAt = locationTime(lastSeen)
	l.PollInterval = time.Duration(pollMillis) * time.Millisecond
	return l, nil
}

func locationTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// locationAffectedOne maps a write's error, and a write that touched no row to
// store.ErrNotFound.
func locationAffectedOne(db *store.DB, res sql.Result, err error) error {
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
