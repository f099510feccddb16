package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/vigie/vigie/bench/internal/usage"
)

var dbName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// pg is the benchmark's own database on the PostgreSQL server: created
// fresh, measured, dropped at the end.
type pg struct {
	admin *sql.DB // on the server's maintenance database
	db    *sql.DB // on the benchmark's database
	name  string
	dsn   string // what the servers are given
	self  int    // the harness's own backend, left out of the CPU

	backends map[int]float64 // pid → CPU seconds at the last sample
	cpu      float64         // CPU seconds of the database's backends in the window
	counting bool
}

// createDB drops name if it exists and creates it afresh.
func createDB(ctx context.Context, adminDSN, name string) (*pg, error) {
	if !dbName.MatchString(name) {
		return nil, fmt.Errorf("-db %q: want a lower-case SQL identifier", name)
	}
	u, err := url.Parse(adminDSN)
	if err != nil || u.Scheme != "postgres" {
		return nil, fmt.Errorf("-pg %q: want a postgres:// URL", adminDSN)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return nil, fmt.Errorf("-pg %q: the benchmark runs on loopback only", adminDSN)
	}
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	p := &pg{admin: admin, name: name, backends: map[int]float64{}}
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		_ = admin.Close()
		return nil, fmt.Errorf("drop database %s: %w", name, err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		_ = admin.Close()
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	p.dsn = u.String()
	if p.db, err = sql.Open("pgx", p.dsn); err != nil {
		_ = p.drop(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("postgres: %w", err)
	}
	p.db.SetMaxOpenConns(2)
	if err := p.db.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&p.self); err != nil {
		_ = p.drop(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return p, nil
}

// drop closes the connections and drops the database.
func (p *pg) drop(ctx context.Context) error {
	if p.db != nil {
		_ = p.db.Close()
	}
	_, err := p.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+p.name+` WITH (FORCE)`)
	_ = p.admin.Close()
	if err != nil {
		return fmt.Errorf("drop database %s: %w", p.name, err)
	}
	return nil
}

// pgStats are the database's cumulative counters at one moment.
type pgStats struct {
	Commits, Inserted, Updated, Deleted int64
	SizeBytes                           int64
	Queued                              int64 // probe results committed to the queue
}

func (p *pg) stats(ctx context.Context) (pgStats, error) {
	var s pgStats
	// the statistics are flushed by each backend about once a second
	if _, err := p.db.ExecContext(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
		return s, fmt.Errorf("postgres stats: %w", err)
	}
	err := p.db.QueryRowContext(ctx, `SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, pg_database_size($1)
		FROM pg_stat_database WHERE datname = $1`, p.name).Scan(&s.Commits, &s.Inserted, &s.Updated, &s.Deleted, &s.SizeBytes)
	if err != nil {
		return s, fmt.Errorf("postgres stats: %w", err)
	}
	s.Queued, err = p.committedQueued(ctx)
	return s, err
}

// countQueued adds to the benchmark's database (after the migrations) a
// count of the results committed to the queue, probe_result_batches (one
// row per batch, n results each): a statement trigger adds each insert's
// results to one counter row, in the intake's transaction, so a
// rolled-back intake (a replica killed mid-batch) counts nothing. The
// identity of the table cannot tell: a rolled-back insert uses up ids.
// It costs one row update per insert statement (intake already takes its
// batches one at a time).
func (p *pg) countQueued(ctx context.Context) error {
	for _, q := range []string{
		`CREATE TABLE bench_queued (n BIGINT NOT NULL)`,
		`INSERT INTO bench_queued VALUES (0)`,
		`CREATE FUNCTION bench_count_queued() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			UPDATE bench_queued SET n = n + (SELECT COALESCE(sum(n), 0) FROM new_rows);
			RETURN NULL;
		END $$`,
		`CREATE TRIGGER bench_count_queued AFTER INSERT ON probe_result_batches
		REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bench_count_queued()`,
	} {
		if _, err := p.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("count queued results: %w", err)
		}
	}
	return nil
}

// committedQueued is how many results were committed to the queue.
func (p *pg) committedQueued(ctx context.Context) (int64, error) {
	var n int64
	if err := p.db.QueryRowContext(ctx, `SELECT n FROM bench_queued`).Scan(&n); err != nil {
		return 0, fmt.Errorf("queued results: %w", err)
	}
	return n, nil
}

// queuedSeq is the last id given to a batch row of the queue: rows are
// deleted once the detector took them, the identity keeps counting.
func (p *pg) queuedSeq(ctx context.Context) (int64, error) {
	var seq string
	if err := p.db.QueryRowContext(ctx, `SELECT pg_get_serial_sequence('probe_result_batches', 'id')`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("probe results sequence: %w", err)
	}
	var last int64
	var called bool
	if err := p.db.QueryRowContext(ctx, `SELECT last_value, is_called FROM `+seq).Scan(&last, &called); err != nil {
		return 0, fmt.Errorf("probe results sequence: %w", err)
	}
	if !called {
		return 0, nil
	}
	return last, nil
}

// queue is where the results of remote probes stand on the server.
type queue struct {
	Queued  int64 `json:"queued"`            // results committed to the queue, ever
	IDs     int64 `json:"ids_given"`         // the last batch id given (rolled-back inserts use ids up)
	Cursor  int64 `json:"taken_by_detector"` // the detector's cursor: a position, batch id × 2²⁰ + index
	Left    int64 `json:"left_in_queue"`     // results not yet taken
	Refused int64 `json:"refused"`           // results refused at intake
}

func (p *pg) queue(ctx context.Context) (queue, error) {
	var q queue
	var err error
	if q.IDs, err = p.queuedSeq(ctx); err != nil {
		return q, err
	}
	if q.Queued, err = p.committedQueued(ctx); err != nil {
		return q, err
	}
	// A batch is deleted once wholly taken; the results of a batch taken
	// in part are those at or below the cursor's position.
	err = p.db.QueryRowContext(ctx, `WITH c AS (SELECT COALESCE((SELECT position FROM log_cursors WHERE name = 'probe-results'), 0) AS pos)
		SELECT c.pos,
		COALESCE((SELECT sum(n - LEAST(n, GREATEST(0, c.pos - id * 1048576 + 1))) FROM probe_result_batches), 0),
		COALESCE((SELECT sum(refused_results) FROM probe_locations), 0) FROM c`).Scan(&q.Cursor, &q.Left, &q.Refused)
	if err != nil {
		return q, fmt.Errorf("probe results queue: %w", err)
	}
	return q, nil
}

// sampleCPU adds the CPU the database's backends used since the last
// sample (a backend that ended between two samples loses its last share).
func (p *pg) sampleCPU(ctx context.Context) error {
	pids, err := p.backendPIDs(ctx)
	if err != nil {
		return err
	}
	seen := map[int]float64{}
	for _, pid := range pids {
		c := usage.Process(pid)
		if c < 0 {
			continue
		}
		seen[pid] = c
		if p.counting {
			p.cpu += c - p.backends[pid] // a new backend counts from its start
		}
	}
	p.backends = seen
	return nil
}

// storedStates counts the hard states the detector stored, by location
// ("" is the check as a whole) and state.
func (p *pg) storedStates(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := p.db.QueryContext(ctx, `SELECT location, state, count(*) FROM check_states GROUP BY location, state`)
	if err != nil {
		return nil, fmt.Errorf("stored states: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[string]map[string]int{}
	for rows.Next() {
		var loc, state string
		var n int
		if err := rows.Scan(&loc, &state, &n); err != nil {
			return nil, fmt.Errorf("stored states: %w", err)
		}
		if out[loc] == nil {
			out[loc] = map[string]int{}
		}
		out[loc][state] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stored states: %w", err)
	}
	return out, nil
}

// lastSeq is the last sequence number the servers took from the probe
// whose buffer is epoch: each probe process (member) of a location numbers
// its results on its own.
func (p *pg) lastSeq(ctx context.Context, location, epoch string) (int64, error) {
	var last int64
	err := p.db.QueryRowContext(ctx, `SELECT last_seq FROM probe_members WHERE location = $1 AND member_id = $2`,
		location, epoch).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // never heard from
	}
	if err != nil {
		return 0, fmt.Errorf("last sequence of %s member %s: %w", location, epoch, err)
	}
	return last, nil
}

// backendPIDs lists the backends connected to the database, the
// harness's own left out.
func (p *pg) backendPIDs(ctx context.Context) ([]int, error) {
	rows, err := p.db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> $2`, p.name, p.self)
	if err != nil {
		return nil, fmt.Errorf("postgres backends: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, fmt.Errorf("postgres backends: %w", err)
		}
		pids = append(pids, pid)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres backends: %w", err)
	}
	return pids, nil
}
