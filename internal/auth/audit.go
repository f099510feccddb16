package auth

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigie/vigie/internal/store"
)

// AuditEntry is one line of the audit log: a staff action or a sign-in.
type AuditEntry struct {
	ID int64
	At time.Time
	// Actor is who acted: a staff e-mail, "customer:C00042",
	// "token:name" or "system".
	Actor string
	// Action is what was done: "sign-in", "sign-in-failed",
	// "totp-enabled", "incident.update", "channel.create".
	Action string
	// Target names what it was done to, "" when nothing in particular.
	Target string
	// Addr is the address the request came from, "" when none.
	Addr string
	// Detail says more, in words for admins; never a secret.
	Detail string
	// OK is false for an attempt that was refused or failed.
	OK bool
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	// Actor and Action match exactly.
	Actor, Action string
	// Since is inclusive and Until exclusive.
	Since, Until time.Time
	// AfterID is the paging cursor: only entries older than it (smaller
	// ids) are listed; pass the last ID of a page to get the next.
	AfterID int64
	// Limit caps the entries listed: DefaultAuditLimit when 0, at most
	// MaxAuditLimit. WriteCSV writes them all when 0.
	Limit int
}

// Page sizes of the audit log.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

// Longest fields, in characters: longer ones are cut, so that recording an
// action never fails because of what a user typed.
const (
	maxAuditName   = 200
	maxAuditDetail = 4000
)

// Audit is the audit log, safe for concurrent use.
type Audit struct {
	db  *store.DB
	now func() time.Time
}

// NewAudit returns the audit log kept in db; now stamps entries recorded
// without a time (time.Now when nil).
func NewAudit(db *store.DB, now func() time.Time) *Audit {
	if now == nil {
		now = time.Now
	}
	return &Audit{db: db, now: now}
}

// Record appends e to the log; its ID is ignored and a zero At means now.
// Actor and Action are required, with errors wrapping ErrInvalid.
func (a *Audit) Record(ctx context.Context, e AuditEntry) error {
	return a.record(ctx, a.db, e)
}

// RecordTx is Record inside tx, so that the entry is kept exactly when the
// action it records commits.
func (a *Audit) RecordTx(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	return a.record(ctx, tx, e)
}

func (a *Audit) record(ctx context.Context, x store.Execer, e AuditEntry) error {
	e, err := a.normalize(e)
	if err != nil {
		return fmt.Errorf("record %s by %s: %w", e.Action, e.Actor, err)
	}
	_, err = x.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, target, addr, detail, ok)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.At, e.Actor, e.Action, e.Target, e.Addr, e.Detail, e.OK)
	if err != nil {
		return fmt.Errorf("record %s by %s: %w", e.Action, e.Actor, a.db.MapError(err))
	}
	return nil
}

// normalize checks and trims an entry before it is stored.
func (a *Audit) normalize(e AuditEntry) (AuditEntry, error) {
	if e.At.IsZero() {
		e.At = a.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Actor, e.Action = cut(oneLine(e.Actor), maxAuditName), cut(oneLine(e.Action), maxAuditName)
	e.Target, e.Addr = cut(oneLine(e.Target), maxAuditName), cut(oneLine(e.Addr), maxAuditName)
	e.Detail = cut(strings.ToValidUTF8(e.Detail, "\uFFFD"), maxAuditDetail)
	if e.Actor == "" {
		return e, invalid("actor", "an audit entry needs an actor")
	}
	if e.Action == "" {
		return e, invalid("action", "an audit entry needs an action")
	}
	return e, nil
}

// oneLine trims s and replaces its control characters with spaces, so that
// a name cannot forge a line of its own in a log or an export.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// List returns the entries filter selects, newest (highest ID) first.
func (a *Audit) List(ctx context.Context, filter AuditFilter) ([]AuditEntry, error) {
	switch {
	case filter.Limit <= 0:
		filter.Limit = DefaultAuditLimit
	case filter.Limit > MaxAuditLimit:
		filter.Limit = MaxAuditLimit
	}
	where, args := filter.where()
	args = append(args, filter.Limit)
	entries := []AuditEntry{}
	err := store.Each(ctx, a.db, "list audit log",
		`SELECT id, at, actor, action, target, addr, detail, ok FROM audit_log`+where+
			` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)), args,
		func(rows *sql.Rows) error {
			var e AuditEntry
			if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.Addr, &e.Detail, &e.OK); err != nil {
				return err
			}
			e.At = e.At.UTC()
			entries = append(entries, e)
			return nil
		})
	if err != nil {
		return nil, err
	}
	return entries, nil
}

// where returns the WHERE clause of a filter and its arguments.
func (f AuditFilter) where() (string, []any) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since.UTC().Truncate(time.Microsecond))
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until.UTC().Truncate(time.Microsecond))
	}
	if f.AfterID > 0 {
		add("id < ?", f.AfterID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{"id", "at", "actor", "action", "target", "addr", "detail", "ok"}

// WriteCSV writes the entries filter selects to w as CSV, newest first,
// after a header line, a page at a time so that no query stays open while
// w is slow. Cells a spreadsheet would take for a formula are defused.
func (a *Audit) WriteCSV(ctx context.Context, w io.Writer, filter AuditFilter) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write audit csv: %w", err)
	}
	left := filter.Limit // 0: all
	for {
		page := filter
		page.Limit = MaxAuditLimit
		if left > 0 && left < page.Limit {
			page.Limit = left
		}
		entries, err := a.List(ctx, page)
		if err != nil {
			return fmt.Errorf("write audit csv: %w", err)
		}
		for _, e := range entries {
			if err := cw.Write(csvRecord(e)); err != nil {
				return fmt.Errorf("write audit csv: %w", err)
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("write audit csv: %w", err)
		}
		if filter.Limit > 0 {
			if left -= len(entries); left <= 0 {
				return nil
			}
		}
		if len(entries) < page.Limit {
			return nil
		}
		filter.AfterID = entries[len(entries)-1].ID
	}
}

// csvRecord is one entry as a CSV row.
func csvRecord(e AuditEntry) []string {
	return []string{
		strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano),
		safeCell(e.Actor), safeCell(e.Action), safeCell(e.Target), safeCell(e.Addr), safeCell(e.Detail),
		strconv.FormatBool(e.OK),
	}
}

// safeCell defuses a cell a spreadsheet would evaluate (one starting with
// = + - @, or a tab or carriage return that hides such a start) by
// prefixing a quote, as OWASP's CSV-injection advice has it.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Retain deletes the entries recorded before before, and returns how many.
func (a *Audit) Retain(ctx context.Context, before time.Time) (int64, error) {
	res, err := a.db.ExecContext(ctx, `DELETE FROM audit_log WHERE at < $1`, before.UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("retain audit log: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retain audit log: %w", err)
	}
	return n, nil
}
