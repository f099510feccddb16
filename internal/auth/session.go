package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/secret"
	"github.com/vigie/vigie/internal/store"
)

// sessionTokens is the format of a session cookie's value: vss_<id>_<secret>,
// where the id is the session's row and only the secret's SHA-256 is stored.
var sessionTokens = secret.NewFormat("vss_")

// SubjectKind says what kind of principal a session is for.
type SubjectKind string

// The kinds of session subjects.
const (
	// SubjectStaff is a staff user; the subject is users.id in decimal.
	SubjectStaff SubjectKind = "staff"
	// SubjectContact is a customer contact who signed in themselves.
	SubjectContact SubjectKind = "contact"
	// SubjectCustomer is a customer sent by the host's panel (a hand-off);
	// the subject is the customer id.
	SubjectCustomer SubjectKind = "customer"
)

// Level says how a session's subject proved who they are.
type Level string

// The ways of signing in.
const (
	LevelPassword     Level = "password"
	LevelPasswordTOTP Level = "password+totp"
	LevelMagicLink    Level = "magic-link"
	LevelHandOff      Level = "hand-off"
)

// ErrSessionUnknown is wrapped by the error for a malformed, unknown or ended
// session token, and ErrSessionExpired by the one for a session past its idle
// or absolute expiry; both also match ErrUnauthorized.
var (
	ErrSessionUnknown = errors.New("unknown session")
	ErrSessionExpired = errors.New("session expired")
)

// Session is a signed-in browser; its ID finds it but never proves it: the
// secret is in the cookie only.
type Session struct {
	ID          string
	SubjectKind SubjectKind
	SubjectID   string
	AuthLevel   Level
	CreatedAt   time.Time
	// LastSeenAt is written at most once per sessionTouch, so it may lag by
	// that much.
	LastSeenAt        time.Time
	IdleExpiresAt     time.Time
	AbsoluteExpiresAt time.Time
	Addr, UserAgent   string
}

// SessionPolicy is how long a session lives: Idle without a request, and
// Absolute from sign-in however active it is.
type SessionPolicy struct {
	Idle, Absolute time.Duration
}

// DefaultSessionPolicy returns the lifetimes of a kind's sessions. Staff
// (who can change everything) get 30 minutes idle and 12 hours in all, a
// working day. Contacts, who read their own sites and tickets and sign in
// by e-mail, get 2 hours idle and 7 days in all. Hand-off sessions get 30
// minutes and 12 hours: the host's panel opens a new one whenever asked.
func DefaultSessionPolicy(kind SubjectKind) SessionPolicy {
	if kind == SubjectContact {
		return SessionPolicy{Idle: 2 * time.Hour, Absolute: 7 * 24 * time.Hour}
	}
	return SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}
}

const (
	// sessionTouch is the least time between two writes sliding a session's
	// idle expiry, so that a busy browser does not write on every request;
	// a session may so end up to sessionTouch before its Idle is up.
	sessionTouch = time.Minute
	maxAddr      = 64
	maxUserAgent = 256
)

// Sessions keeps browser sessions in the database, shared by every server;
// it is safe for concurrent use once set up.
type Sessions struct {
	db *store.DB
	// Now dates Start, Rotate and List; tests replace it.
	Now func() time.Time
	// Policies are the lifetimes per kind, filled with DefaultSessionPolicy.
	Policies map[SubjectKind]SessionPolicy
}

// NewSessions returns the Sessions stored in db.
func NewSessions(db *store.DB) *Sessions {
	s := &Sessions{db: db, Now: time.Now, Policies: map[SubjectKind]SessionPolicy{}}
	for _, k := range []SubjectKind{SubjectStaff, SubjectContact, SubjectCustomer} {
		s.Policies[k] = DefaultSessionPolicy(k)
	}
	return s
}

// StaffSubject is the subject id of a staff user's sessions.
func StaffSubject(userID int64) string { return strconv.FormatInt(userID, 10) }

// stamp returns t as stored: UTC, to the microsecond both engines keep.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (s *Sessions) policy(kind SubjectKind) SessionPolicy {
	if p, ok := s.Policies[kind]; ok {
		return p
	}
	return DefaultSessionPolicy(kind)
}

func validSession(kind SubjectKind, subject string, level Level) error {
	switch kind {
	case SubjectStaff:
		if id, err := strconv.ParseInt(subject, 10, 64); err != nil || id <= 0 || StaffSubject(id) != subject {
			return invalid("subject", "staff subject %q is not a user id", subject)
		}
	case SubjectContact, SubjectCustomer:
		if subject == "" {
			return invalid("subject", "empty %s subject", kind)
		}
	default:
		return invalid("kind", "session kind %q is not one of %q, %q, %q", kind, SubjectStaff, SubjectContact, SubjectCustomer)
	}
	switch level {
	case LevelPassword, LevelPasswordTOTP, LevelMagicLink, LevelHandOff:
		return nil
	}
	return invalid("level", "unknown authentication level %q", level)
}

// idleUntil is when a session seen at now ends if not seen again: never
// after its absolute expiry, so that Retain finds expired rows by one column.
func idleUntil(now time.Time, p SessionPolicy, absolute time.Time) time.Time {
	if t := now.Add(p.Idle); t.Before(absolute) {
		return t
	}
	return absolute
}

// clip cuts s to at most n bytes, for what the client sends and we keep.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Start opens a session, always under a new random id (reusing one would
// allow session fixation), and returns the cookie value, which is not stored
// and cannot be shown again. A staff subject must be an enabled user: an
// unknown one gives an error wrapping store.ErrNotFound, a disabled one
// ErrInvalid.
func (s *Sessions) Start(ctx context.Context, kind SubjectKind, subject string, level Level, addr, ua string) (string, Session, error) {
	if err := validSession(kind, subject, level); err != nil {
		return "", Session{}, fmt.Errorf("start session: %w", err)
	}
	now := stamp(s.Now())
	p := s.policy(kind)
	token, id, hash := sessionTokens.New()
	sess := Session{
		ID: id, SubjectKind: kind, SubjectID: subject, AuthLevel: level,
		CreatedAt: now, LastSeenAt: now, AbsoluteExpiresAt: now.Add(p.Absolute),
		Addr: clip(addr, maxAddr), UserAgent: clip(ua, maxUserAgent),
	}
	sess.IdleExpiresAt = idleUntil(now, p, sess.AbsoluteExpiresAt)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if kind == SubjectStaff {
			if err := staffMayHoldSession(ctx, tx, subject); err != nil {
				return err
			}
		}
		return insertSession(ctx, tx, sess, hash)
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("start %s session for %s: %w", kind, subject, err)
	}
	return token, sess, nil
}

// staffMayHoldSession refuses a user who does not exist or is disabled,
// under the auth generation's lock so that a user disabled meanwhile cannot
// end up with a session (DisableUser deletes them under the same lock).
func staffMayHoldSession(ctx context.Context, tx *sql.Tx, subject string) error {
	if err := lockGeneration(ctx, tx); err != nil {
		return err
	}
	id, err := strconv.ParseInt(subject, 10, 64)
	if err != nil {
		return invalid("subject", "staff subject %q is not a user id", subject)
	}
	var disabled sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT disabled_at FROM users WHERE id = $1`, id).Scan(&disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return store.NotFound("user", subject)
	}
	if err != nil {
		return err
	}
	if disabled.Valid {
		return invalid("user", "the user is disabled")
	}
	return nil
}

func insertSession(ctx context.Context, tx *sql.Tx, sess Session, hash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, secret_hash, subject_kind, subject_id, auth_level,
			created_at, last_seen_at, idle_expires_at, absolute_expires_at, addr, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		sess.ID, hash, string(sess.SubjectKind), sess.SubjectID, string(sess.AuthLevel),
		sess.CreatedAt, sess.LastSeenAt, sess.IdleExpiresAt, sess.AbsoluteExpiresAt, sess.Addr, sess.UserAgent)
	return err
}

// sessionColumns are the columns scanned by scanSession. The last is 0 for a
// staff session whose user is gone, disabled, or newer than the session (a
// SQLite id given again after a deletion made with foreign keys off): such a
// session is refused even if something left it behind.
const sessionColumns = `s.id, s.subject_kind, s.subject_id, s.auth_level, s.created_at, s.last_seen_at,
	s.idle_expires_at, s.absolute_expires_at, s.addr, s.user_agent, s.secret_hash,
	CASE WHEN s.subject_kind <> 'staff' THEN 1 ELSE (SELECT COUNT(*) FROM users u
		WHERE u.id = CAST(s.subject_id AS BIGINT) AND u.disabled_at IS NULL AND u.created_at <= s.created_at) END`

// scanSession reads one row of sessionColumns; valid is false for a staff
// session that must be refused.
func scanSession(scan func(dest ...any) error) (sess Session, hash string, valid bool, err error) {
	var kind, level string
	var ok int
	err = scan(&sess.ID, &kind, &sess.SubjectID, &level, &sess.CreatedAt, &sess.LastSeenAt,
		&sess.IdleExpiresAt, &sess.AbsoluteExpiresAt, &sess.Addr, &sess.UserAgent, &hash, &ok)
	if err != nil {
		return Session{}, "", false, err
	}
	sess.SubjectKind, sess.AuthLevel = SubjectKind(kind), Level(level)
	for _, t := range []*time.Time{&sess.CreatedAt, &sess.LastSeenAt, &sess.IdleExpiresAt, &sess.AbsoluteExpiresAt} {
		*t = t.UTC()
	}
	return sess, hash, ok > 0, nil
}

// find returns the live session of token at now, its secret checked in
// constant time, or an error wrapping ErrSessionUnknown or ErrSessionExpired.
// lock keeps the row for the rest of q's transaction.
func (s *Sessions) find(ctx context.Context, q queryRower, token string, now time.Time, lock bool) (Session, error) {
	id, sec, ok := sessionTokens.Parse(token)
	if !ok {
		return Session{}, fmt.Errorf("%w: %w", ErrSessionUnknown, ErrUnauthorized)
	}
	query := `SELECT ` + sessionColumns + ` FROM sessions s WHERE s.id = $1`
	if lock {
		query += s.db.Engine.LockRows()
	}
	sess, hash, valid, err := scanSession(q.QueryRowContext(ctx, query, id).Scan)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!secret.Matches(sec, hash) || !valid)) {
		return Session{}, fmt.Errorf("%w: %w", ErrSessionUnknown, ErrUnauthorized)
	}
	if err != nil {
		return Session{}, s.db.MapError(err)
	}
	if !now.Before(sess.IdleExpiresAt) || !now.Before(sess.AbsoluteExpiresAt) {
		return Session{}, fmt.Errorf("%w: %w", ErrSessionExpired, ErrUnauthorized)
	}
	return sess, nil
}

// Check returns the session whose cookie value is token, or an error
// wrapping ErrSessionUnknown or ErrSessionExpired. It slides the idle expiry
// to now plus the kind's Idle, never past the absolute expiry, writing at most
// once per sessionTouch; that write is best effort, since failing it must not
// refuse a valid session.
func (s *Sessions) Check(ctx context.Context, token string, now time.Time) (Session, error) {
	now = stamp(now)
	sess, err := s.find(ctx, s.db, token, now, false)
	if err != nil {
		return Session{}, fmt.Errorf("check session: %w", err)
	}
	if now.Sub(sess.LastSeenAt) < sessionTouch {
		return sess, nil
	}
	idle := idleUntil(now, s.policy(sess.SubjectKind), sess.AbsoluteExpiresAt)
	// Only if nobody slid it meanwhile, nor ended it.
	res, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2
		WHERE id = $3 AND last_seen_at = $4`, now, idle, sess.ID, sess.LastSeenAt)
	if err == nil {
		if n, _ := res.RowsAffected(); n == 1 {
			sess.LastSeenAt, sess.IdleExpiresAt = now, idle
		}
	}
	return sess, nil
}

// Rotate replaces a live session by one under a new id, to be done whenever
// its rights change (a TOTP step passed, a password changed): the old token
// stops working. level is the new authentication level, "" to keep it. The
// new session keeps the old one's creation and absolute expiry.
func (s *Sessions) Rotate(ctx context.Context, token string, level Level) (string, Session, error) {
	now := stamp(s.Now())
	var (
		newToken string
		sess     Session
	)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if sess, err = s.find(ctx, tx, token, now, true); err != nil {
			return err
		}
		if level != "" {
			sess.AuthLevel = level
		}
		if err := validSession(sess.SubjectKind, sess.SubjectID, sess.AuthLevel); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, sess.ID); err != nil {
			return err
		}
		var hash string
		newToken, sess.ID, hash = sessionTokens.New()
		sess.LastSeenAt = now
		sess.IdleExpiresAt = idleUntil(now, s.policy(sess.SubjectKind), sess.AbsoluteExpiresAt)
		return insertSession(ctx, tx, sess, hash)
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("rotate session: %w", err)
	}
	return newToken, sess, nil
}

// SessionCookieName is the name of the session cookie. It has no Domain (so
// only the host that set it gets it) and Path "/".
const SessionCookieName = "vigie_session"

// SessionCookie returns the cookie carrying a session's token at now: HttpOnly
// (no script reads it), SameSite=Lax (not sent on cross-site posts), Secure
// when the site is served over TLS, directly or behind a TLS proxy, and
// lasting until the session's absolute expiry.
func SessionCookie(token string, sess Session, now time.Time, secure bool) *http.Cookie {
	maxAge := int(math.Ceil(sess.AbsoluteExpiresAt.Sub(now).Seconds()))
	if maxAge <= 0 {
		maxAge = -1
	}
	return &http.Cookie{
		Name: SessionCookieName, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
}

// ClearSessionCookie returns the cookie that removes the session cookie from
// the browser, on signing out.
func ClearSessionCookie(secure bool) *http.Cookie {
	return &http.Cookie{
		Name: SessionCookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
}
