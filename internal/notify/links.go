package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// Links signs and reads the links of messages that act without a sign-in:
// a customer's opt-out and a staff member's acknowledgement. A link is its
// payload and an HMAC-SHA256 of it under a key kept in the database, so
// every replica reads the others' links and nothing need be stored per
// link.
type Links struct {
	key []byte
}

// ErrBadLink is a link that is malformed, forged or expired.
var ErrBadLink = errors.New("this link is not valid: it was changed, or it has expired")

// The settings row holding the key of signed links.
const linkKeySetting = "link_key"

// LoadLinks reads the links' key, making it on first use: every later
// start only reads it.
func LoadLinks(ctx context.Context, db *store.DB) (*Links, error) {
	v, err := readLinkKey(ctx, db)
	if errors.Is(err, sql.ErrNoRows) {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		// Two servers starting at once on a new database agree on the
		// first key written.
		if _, err := db.ExecContext(ctx, `INSERT INTO notify_settings (name, value) VALUES ($1, $2)
			ON CONFLICT (name) DO NOTHING`, linkKeySetting, hex.EncodeToString(key)); err != nil {
			return nil, fmt.Errorf("make the key of signed links: %w", err)
		}
		v, err = readLinkKey(ctx, db)
	}
	if err != nil {
		return nil, fmt.Errorf("read the key of signed links: %w", err)
	}
	k, err := hex.DecodeString(v)
	if err != nil || len(k) < 16 {
		return nil, errors.New("read the key of signed links: the stored key is malformed")
	}
	return &Links{key: k}, nil
}

func readLinkKey(ctx context.Context, db *store.DB) (string, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM notify_settings WHERE name = $1`, linkKeySetting).Scan(&v)
	return v, err
}

// NewLinks returns Links over a fixed key (tests).
func NewLinks(key []byte) *Links { return &Links{key: key} }

func (l *Links) sign(fields ...string) string {
	payload := strings.Join(fields, "|")
	mac := hmac.New(sha256.New, l.key)
	mac.Write([]byte(payload))
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(mac.Sum(nil)[:16])
}

func (l *Links) open(token string, want string, n int) ([]string, error) {
	p, s, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return nil, ErrBadLink
	}
	// Strict: non-zero trailing bits are refused, so each link has one
	// spelling.
	enc := base64.RawURLEncoding.Strict()
	payload, err1 := enc.DecodeString(p)
	sum, err2 := enc.DecodeString(s)
	if err1 != nil || err2 != nil {
		return nil, ErrBadLink
	}
	mac := hmac.New(sha256.New, l.key)
	mac.Write(payload)
	if !hmac.Equal(sum, mac.Sum(nil)[:16]) {
		return nil, ErrBadLink
	}
	fields := strings.Split(string(payload), "|")
	if len(fields) != n || fields[0] != want {
		return nil, ErrBadLink
	}
	return fields[1:], nil
}

// OptOut is what an opt-out link stops: one customer's messages of one
// topic ("*" for all) on one kind of channel ("*" for all).
type OptOut struct {
	Customer string `json:"customer"`
	Channel  string `json:"channel"`
	Topic    string `json:"topic"`
}

// OptOutToken signs an opt-out.
func (l *Links) OptOutToken(o OptOut) string { return l.sign("u", o.Customer, o.Channel, o.Topic) }

// ReadOptOut checks an opt-out token.
func (l *Links) ReadOptOut(token string) (OptOut, error) {
	f, err := l.open(token, "u", 4)
	if err != nil {
		return OptOut{}, err
	}
	return OptOut{Customer: f[0], Channel: f[1], Topic: f[2]}, nil
}

// Ack is an acknowledgement link: one staff member taking one incident,
// valid until Expires.
type Ack struct {
	Incident int64
	Staff    string
	Expires  time.Time
}

// AckToken signs an acknowledgement.
func (l *Links) AckToken(a Ack) string {
	return l.sign("a", strconv.FormatInt(a.Incident, 10), a.Staff, strconv.FormatInt(a.Expires.Unix(), 10))
}

// ReadAck checks an acknowledgement token at now.
func (l *Links) ReadAck(token string, now time.Time) (Ack, error) {
	f, err := l.open(token, "a", 4)
	if err != nil {
		return Ack{}, err
	}
	id, err1 := strconv.ParseInt(f[0], 10, 64)
	exp, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return Ack{}, ErrBadLink
	}
	a := Ack{Incident: id, Staff: f[1], Expires: time.Unix(exp, 0)}
	if now.After(a.Expires) {
		return Ack{}, ErrBadLink
	}
	return a, nil
}
