package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// ThrottlePolicy is how failed sign-ins slow down the next attempt: the
// first Free failures cost nothing, then each one makes the next attempt
// wait Base, twice that, four times… up to Max. A count is forgotten once
// Window has passed without a failure after its wait was over, so that an
// attacker at Max must stay away for Max plus Window to start afresh.
type ThrottlePolicy struct {
	Free              int
	Base, Max, Window time.Duration
}

// wait returns how long after its last failure a key with n failures waits.
func (p ThrottlePolicy) wait(n int) time.Duration {
	if n <= p.Free {
		return 0
	}
	d := p.Base
	for i := p.Free + 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// forgetAt is when a key with n failures, the last at last, is forgotten.
func (p ThrottlePolicy) forgetAt(n int, last time.Time) time.Time {
	return last.Add(p.wait(n) + p.Window)
}

// Throttle slows down password guessing, per account and per client address,
// with counts stored in the database so that every server shares them.
//
// A sign-in handler calls Allow before checking the password: a wait above
// zero refuses the attempt unchecked (and uncounted), saying how long to
// wait. Then it calls Failed or Succeeded. Success resets the account's
// count but not the address's, so that an attacker cannot clear their
// address's count by signing in to an account of their own.
type Throttle struct {
	db *store.DB
	// Account applies per account: 5 free failures, then 1 s doubling to
	// 15 min; forgotten 15 min after the wait is over.
	Account ThrottlePolicy
	// Address applies per client address (IPv6 addresses per /64, which is
	// what one client usually holds): 20 free failures, as an office or a
	// NAT puts many people behind one address, then as Account.
	Address ThrottlePolicy
}

// NewThrottle returns a Throttle storing its counts in db, with the default
// policies.
func NewThrottle(db *store.DB) *Throttle {
	account := ThrottlePolicy{Free: 5, Base: time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}
	address := account
	address.Free = 20
	return &Throttle{db: db, Account: account, Address: address}
}

// maxAccountKey bounds what is stored of an account name.
const maxAccountKey = 320

// accountKey and addressKey are the throttle_key of an account and an
// address.
func accountKey(account string) string {
	return "a:" + clip(normalizeEmail(account), maxAccountKey)
}

func addressKey(addr string) string {
	return "n:" + clip(NormalizeAddr(addr), maxAddr)
}

// NormalizeAddr returns the throttling key of a client address, given with
// or without a port: IPv4 addresses (also IPv4-mapped IPv6 ones) as they
// are, IPv6 addresses as their /64 network. Anything else is kept, trimmed
// and lower-cased.
func NormalizeAddr(addr string) string {
	addr = strings.TrimSpace(addr)
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip, err := netip.ParseAddr(strings.Trim(addr, "[]"))
	if err != nil {
		return strings.ToLower(addr)
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}

// Allow returns how long the attempt to sign in to account from addr at now
// must wait, 0 when it may go ahead: the longer of the account's and the
// address's waits.
func (t *Throttle) Allow(ctx context.Context, account, addr string, now time.Time) (time.Duration, error) {
	now = stamp(now)
	var wait time.Duration
	for _, k := range []struct {
		key string
		p   ThrottlePolicy
	}{{accountKey(account), t.Account}, {addressKey(addr), t.Address}} {
		var (
			n    int
			last time.Time
		)
		err := t.db.QueryRowContext(ctx, `SELECT failures, last_failure_at FROM signin_throttle WHERE throttle_key = $1`,
			k.key).Scan(&n, &last)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("sign-in throttle: %w", t.db.MapError(err))
		}
		if now.Before(k.p.forgetAt(n, last)) {
			wait = max(wait, last.Add(k.p.wait(n)).Sub(now))
		}
	}
	return wait, nil
}

// Failed counts a failed sign-in to account from addr at now. Concurrent
// calls, from this server or another, each count.
func (t *Throttle) Failed(ctx context.Context, account, addr string, now time.Time) error {
	now = stamp(now)
	err := t.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := t.fail(ctx, tx, accountKey(account), t.Account, now); err != nil {
			return err
		}
		return t.fail(ctx, tx, addressKey(addr), t.Address, now)
	})
	if err != nil {
		return fmt.Errorf("count failed sign-in: %w", err)
	}
	return nil
}

// fail adds one failure to key in tx, starting afresh when the count was
// forgotten. The row is created first, then read locked, so that two
// servers failing at once take turns rather than both reading the old count.
func (t *Throttle) fail(ctx context.Context, tx *sql.Tx, key string, p ThrottlePolicy, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO signin_throttle (throttle_key, failures, last_failure_at, forget_at)
		VALUES ($1, 0, $2, $2) ON CONFLICT (throttle_key) DO NOTHING`, key, now); err != nil {
		return err
	}
	var (
		n    int
		last time.Time
	)
	err := tx.QueryRowContext(ctx, `SELECT failures, last_failure_at FROM signin_throttle WHERE throttle_key = $1`+
		t.db.Engine.LockRows(), key).Scan(&n, &last)
	if err != nil {
		return err
	}
	if !now.Before(p.forgetAt(n, last)) {
		n = 0
	}
	n++
	// A server whose clock is behind must not move the last failure back.
	if last.After(now) {
		now = last
	}
	_, err = tx.ExecContext(ctx, `UPDATE signin_throttle SET failures = $1, last_failure_at = $2, forget_at = $3
		WHERE throttle_key = $4`, n, now, p.forgetAt(n, now), key)
	return err
}

// Succeeded forgets the failures of account after a sign-in to it. The
// address's count is kept on purpose (see Throttle).
func (t *Throttle) Succeeded(ctx context.Context, account string) error {
	if _, err := t.db.ExecContext(ctx, `DELETE FROM signin_throttle WHERE throttle_key = $1`, accountKey(account)); err != nil {
		return fmt.Errorf("reset sign-in throttle: %w", t.db.MapError(err))
	}
	return nil
}

// Retain deletes the counts forgotten at now and returns how many it deleted.
func (t *Throttle) Retain(ctx context.Context, now time.Time) (int64, error) {
	res, err := t.db.ExecContext(ctx, `DELETE FROM signin_throttle WHERE forget_at <= $1`, stamp(now))
	if err != nil {
		return 0, fmt.Errorf("retain sign-in throttle: %w", t.db.MapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retain sign-in throttle: %w", err)
	}
	return n, nil
}
