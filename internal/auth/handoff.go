package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// A hand-off is how a host's own customer panel sends a signed-in customer
// to Vigie: the panel redirects to
//
//	/handoff?customer=C00042&ts=1767232800&nonce=N&sig=HEX
//
// where sig is hex(HMAC-SHA256(secret, "vigie-handoff-v1\n" + customer +
// "\n" + ts + "\n" + nonce [+ "\n" + next])), ts the Unix time of the
// link, nonce 16 to 64 letters, digits, '-' or '_' never used before, and
// next, optional, a path in Vigie to land on. Vigie opens a session for
// that customer only. A link is good once, for MaxAge, and a clock of the
// panel's ahead by at most Skew is forgiven.

// The defaults of HandOffPolicy.
const (
	DefaultHandOffMaxAge = 2 * time.Minute
	DefaultHandOffSkew   = 30 * time.Second
)

// handOffVersion starts every signed text, so that a signature made for
// something else never passes.
const handOffVersion = "vigie-handoff-v1"

var handOffNonce = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// ErrHandOff is a hand-off link refused: forged, expired, from the future,
// replayed or malformed. The reason is in the wrapping error, for the
// logs; the customer is told only that the link is not valid.
var ErrHandOff = errors.New("hand-off link refused")

// HandOff is a checked hand-off: whom to open a session for, and where to
// land.
type HandOff struct {
	Customer string
	Next     string
	At       time.Time
}

// HandOffs checks hand-off links against the secret shared with the
// host's panel and remembers their nonces, in the database, so that a
// link used on one replica is refused on the others.
type HandOffs struct {
	db           *store.DB
	secret       []byte
	maxAge, skew time.Duration
	now          func() time.Time
}

// NewHandOffs returns the checker of links signed with secret (at least
// 32 bytes); maxAge and skew default to DefaultHandOffMaxAge and
// DefaultHandOffSkew when zero.
func NewHandOffs(db *store.DB, secret []byte, maxAge, skew time.Duration, now func() time.Time) (*HandOffs, error) {
	if len(secret) < 32 {
		return nil, invalid("secret", "a hand-off secret needs at least 32 bytes (256 bits), got %d", len(secret))
	}
	if maxAge <= 0 {
		maxAge = DefaultHandOffMaxAge
	}
	if skew <= 0 {
		skew = DefaultHandOffSkew
	}
	if now == nil {
		now = time.Now
	}
	return &HandOffs{db: db, secret: secret, maxAge: maxAge, skew: skew, now: now}, nil
}

// SignHandOff signs a hand-off link's query, as the host's panel does (and
// the tests and the documentation's example).
func SignHandOff(secret []byte, customer string, at time.Time, nonce, next string) url.Values {
	ts := strconv.FormatInt(at.Unix(), 10)
	q := url.Values{"customer": {customer}, "ts": {ts}, "nonce": {nonce}}
	if next != "" {
		q.Set("next", next)
	}
	q.Set("sig", hex.EncodeToString(handOffMAC(secret, customer, ts, nonce, next)))
	return q
}

func handOffMAC(secret []byte, customer, ts, nonce, next string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(handOffVersion + "\n" + customer + "\n" + ts + "\n" + nonce))
	if next != "" {
		m.Write([]byte("\n" + next))
	}
	return m.Sum(nil)
}

// Check verifies a hand-off link's query and spends its nonce: a link
// passes once. The customer's existence is the caller's to check.
func (h *HandOffs) Check(ctx context.Context, q url.Values) (HandOff, error) {
	customer, ts, nonce, next, sig := q.Get("customer"), q.Get("ts"), q.Get("nonce"), q.Get("next"), q.Get("sig")
	switch {
	case customer == "" || len(customer) > 200 || strings.ContainsAny(customer, "\n\r"):
		return HandOff{}, fmt.Errorf("%w: customer: missing or malformed", ErrHandOff)
	case !handOffNonce.MatchString(nonce):
		return HandOff{}, fmt.Errorf("%w: nonce: want 16 to 64 letters, digits, - or _", ErrHandOff)
	case next != "" && !localPath(next):
		return HandOff{}, fmt.Errorf("%w: next: want a path in Vigie, such as /account/", ErrHandOff)
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return HandOff{}, fmt.Errorf("%w: ts: want Unix seconds", ErrHandOff)
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, handOffMAC(h.secret, customer, ts, nonce, next)) {
		return HandOff{}, fmt.Errorf("%w: signature does not match", ErrHandOff)
	}
	now, at := h.now(), time.Unix(unix, 0)
	switch {
	case at.After(now.Add(h.skew)):
		return HandOff{}, fmt.Errorf("%w: made %s in the future (clock skew allowed: %s)", ErrHandOff, at.Sub(now).Round(time.Second), h.skew)
	case now.Sub(at) > h.maxAge:
		return HandOff{}, fmt.Errorf("%w: expired %s ago", ErrHandOff, (now.Sub(at) - h.maxAge).Round(time.Second))
	}
	if err := h.spend(ctx, nonce, at); err != nil {
		return HandOff{}, err
	}
	return HandOff{Customer: customer, Next: next, At: at}, nil
}

// spend records a nonce as used; a nonce seen before is a replay.
func (h *HandOffs) spend(ctx context.Context, nonce string, at time.Time) error {
	err := h.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO handoff_nonces (nonce, expires_at) VALUES ($1, $2)
			ON CONFLICT (nonce) DO NOTHING`, nonce, at.Add(h.maxAge+h.skew).UTC())
		if err != nil {
			return fmt.Errorf("spend hand-off nonce: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: used before (a replay)", ErrHandOff)
		}
		return nil
	})
	return err
}

// Retain forgets the nonces of links that expired before now: they can
// no longer pass anyway.
func (h *HandOffs) Retain(ctx context.Context, now time.Time) (int64, error) {
	res, err := h.db.ExecContext(ctx, `DELETE FROM handoff_nonces WHERE expires_at < $1`, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("forget old hand-off nonces: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// localPath reports whether next is a path of this server: it starts with
// one slash, not two (a network path), and holds no scheme or backslash.
func localPath(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") || len(next) > 500 {
		return false
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == ""
}
