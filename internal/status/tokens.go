package status

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/secret"
	"github.com/vigie/vigie/internal/store"
)

// customerTokens is the format of the secret in a customer's status URLs.
var customerTokens = secret.NewFormat("vst_")

// TokenInfo says that a customer has status URLs, and since when; never
// the secret.
type TokenInfo struct {
	Customer  string    `json:"customer"`
	CreatedAt time.Time `json:"created_at"`
}

// TokenStore keeps the secrets of customers' own status URLs.
type TokenStore struct {
	db *store.DB
	// Now dates writes; tests replace it.
	Now func() time.Time
}

// NewTokenStore returns a TokenStore over db.
func NewTokenStore(db *store.DB) *TokenStore { return &TokenStore{db: db, Now: time.Now} }

// Issue gives a customer a new secret and returns it; it is not stored and
// cannot be shown again, and the customer's previous URLs stop working. An
// unknown customer gives an error wrapping store.ErrNotFound.
func (s *TokenStore) Issue(ctx context.Context, customer string) (string, error) {
	token, lookup, hash := customerTokens.New()
	at := s.Now().UTC().Truncate(time.Microsecond)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = $1`, customer).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFound("customer", customer)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM status_tokens WHERE customer_id = $1`, customer); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO status_tokens (customer_id, token_lookup, token_hash, created_at)
			VALUES ($1, $2, $3, $4)`, customer, lookup, hash, at)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("issue status URL of customer %q: %w", customer, s.db.MapError(err))
	}
	return token, nil
}

// Revoke deletes a customer's secret: their URLs stop working. A customer
// without one gives an error wrapping store.ErrNotFound.
func (s *TokenStore) Revoke(ctx context.Context, customer string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM status_tokens WHERE customer_id = $1`, customer)
	if err != nil {
		return fmt.Errorf("revoke status URL of customer %q: %w", customer, s.db.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke status URL: %w", store.NotFound("status URL of customer", customer))
	}
	return nil
}

// Get says whether a customer has status URLs.
func (s *TokenStore) Get(ctx context.Context, customer string) (TokenInfo, error) {
	info := TokenInfo{Customer: customer}
	err := s.db.QueryRowContext(ctx, `SELECT created_at FROM status_tokens WHERE customer_id = $1`, customer).Scan(&info.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return TokenInfo{}, store.NotFound("status URL of customer", customer)
	}
	if err != nil {
		return TokenInfo{}, fmt.Errorf("status URL of customer %q: %w", customer, s.db.MapError(err))
	}
	info.CreatedAt = info.CreatedAt.UTC()
	return info, nil
}

// Tokens is every customer secret in memory, to resolve URLs without
// touching the database.
type Tokens struct {
	byLookup map[string]tokenRow
}

type tokenRow struct{ customer, hash string }

// Customer returns the customer whose token is given, comparing the secret
// in constant time.
func (t *Tokens) Customer(token string) (string, bool) {
	if t == nil {
		return "", false
	}
	lookup, sec, ok := customerTokens.Parse(token)
	if !ok {
		return "", false
	}
	row, ok := t.byLookup[lookup]
	if !ok || !secret.Matches(sec, row.hash) {
		return "", false
	}
	return row.customer, true
}

// Load reads every customer secret (Fingerprint says when to read them
// again).
func (s *TokenStore) Load(ctx context.Context) (*Tokens, error) {
	t := &Tokens{byLookup: map[string]tokenRow{}}
	err := store.Each(ctx, s.db, "load status URLs", `SELECT customer_id, token_lookup, token_hash FROM status_tokens`, nil,
		func(rows *sql.Rows) error {
			var row tokenRow
			var lookup string
			if err := rows.Scan(&row.customer, &lookup, &row.hash); err != nil {
				return err
			}
			t.byLookup[lookup] = row
			return nil
		})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Fingerprint changes whenever a customer secret is issued or revoked: a
// digest of every lookup id, which each issue draws at random. (A count
// and a latest time would miss a revocation and an issue in the same
// instant on another replica's clock.)
func (s *TokenStore) Fingerprint(ctx context.Context) (string, error) {
	h := sha256.New()
	n := 0
	err := store.Each(ctx, s.db, "status URLs fingerprint", `SELECT token_lookup FROM status_tokens ORDER BY token_lookup`, nil,
		func(rows *sql.Rows) error {
			var lookup string
			if err := rows.Scan(&lookup); err != nil {
				return err
			}
			n++
			h.Write([]byte(lookup))
			return nil
		})
	if err != nil {
		return "", err
	}
	return strconv.Itoa(n) + "/" + hex.EncodeToString(h.Sum(nil)[:12]), nil
}
