package probe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// MemberHeader is the request header by which a probe process names itself
// as a member of its location, on every assignments poll and results push:
// "<buffer id>; name=<name>; heartbeat=<duration>".
const MemberHeader = "Vigie-Member"

// Membership timing.
const (
	// MemberMisses is how many heartbeats a member may miss before it is
	// dead: it is alive while heard from within MemberMisses heartbeats.
	MemberMisses = 3
	// MemberHandover is how long after the alive members changed their new
	// shares take effect: every member learns of the change before (the
	// long polls wake within about half a second), so that a check moving
	// from one member to another runs at its usual slot, once.
	MemberHandover = time.Second
	// DefaultMemberHeartbeat is how often a probe process calls at least.
	DefaultMemberHeartbeat = time.Second
	// MinMemberHeartbeat and MaxMemberHeartbeat bound a heartbeat.
	MinMemberHeartbeat = 250 * time.Millisecond
	MaxMemberHeartbeat = time.Minute
	// memberCacheTTL is how long a server keeps a location's members
	// read from the database: another server's news shows that late.
	memberCacheTTL = 250 * time.Millisecond
)

// ErrInvalidMember is wrapped by errors about a malformed member header.
var ErrInvalidMember = errors.New("invalid probe member")

var (
	memberIDPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	memberNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// Hello is what a member says of itself in MemberHeader.
type Hello struct {
	// ID is the member's result buffer id (its epoch).
	ID string
	// Name is what people see (default: host name and process id).
	Name string
	// Heartbeat is the longest the member goes without calling.
	Heartbeat time.Duration
}

// String is the header value.
func (h Hello) String() string {
	return h.ID + "; name=" + h.Name + "; heartbeat=" + h.Heartbeat.String()
}

// CheckMemberName returns nil when name can name a member, or an error
// wrapping ErrInvalidMember that says what is wrong.
func CheckMemberName(name string) error {
	if !memberNamePattern.MatchString(name) {
		return fmt.Errorf("%w: name %q: want up to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit",
			ErrInvalidMember, name)
	}
	return nil
}

// ParseHello reads a MemberHeader value; a missing name is the id, a missing
// heartbeat DefaultMemberHeartbeat.
func ParseHello(v string) (Hello, error) {
	parts := strings.Split(v, ";")
	h := Hello{ID: strings.TrimSpace(parts[0]), Heartbeat: DefaultMemberHeartbeat}
	if !memberIDPattern.MatchString(h.ID) {
		return Hello{}, fmt.Errorf("%w: %s: want the probe buffer's id first, got %q", ErrInvalidMember, MemberHeader, h.ID)
	}
	for _, p := range parts[1:] {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		switch {
		case ok && k == "name":
			if err := CheckMemberName(val); err != nil {
				return Hello{}, fmt.Errorf("%s: %w", MemberHeader, err)
			}
			h.Name = val
		case ok && k == "heartbeat":
			d, err := time.ParseDuration(val)
			if err != nil || d < MinMemberHeartbeat || d > MaxMemberHeartbeat {
				return Hello{}, fmt.Errorf("%w: %s: heartbeat: want a duration from %s to %s, got %q",
					ErrInvalidMember, MemberHeader, MinMemberHeartbeat, MaxMemberHeartbeat, val)
			}
			h.Heartbeat = d
		default:
			return Hello{}, fmt.Errorf("%w: %s: unknown part %q (want name=... or heartbeat=...)", ErrInvalidMember, MemberHeader, p)
		}
	}
	if h.Name == "" {
		h.Name = h.ID
	}
	return h, nil
}

// Member is one probe process of a location, as last heard of.
type Member struct {
	ID, Name  string
	Heartbeat time.Duration
	// FirstSeen, LastSeen and AliveSince are nil for a member known only
	// by the results it sent (a probe that never named itself).
	FirstSeen, LastSeen, AliveSince *time.Time
	// LastSeq is the last result sequence number taken from it.
	LastSeq uint64
}

// Window is how long the member stays alive after its last call.
func (m Member) Window() time.Duration { return MemberMisses * m.Heartbeat }

// Alive reports whether the member was heard from within its window.
func (m Member) Alive(now time.Time) bool {
	return m.LastSeen != nil && !now.After(m.LastSeen.Add(m.Window()))
}

// Members is the view of a location's members at one moment.
type Members struct {
	// All are the members that ever called, by id.
	All []Member
	// Alive are the ids of the members alive, sorted: they share the
	// location's checks.
	Alive []string
	// Since is when Alive last changed: a member became alive, or one
	// went past its window.
	Since time.Time
	// Tag names Alive and Since, for an ETag.
	Tag string
}

// HandoverAt is when shares computed from m take effect.
func (m Members) HandoverAt() time.Time { return m.Since.Add(MemberHandover) }

// MemberStore keeps the members of each location in the database, so that
// every server on it sees the same ones; each server reads them at most
// every quarter of a second.
type MemberStore struct {
	db  *store.DB
	now func() time.Time

	mu      sync.Mutex
	cache   map[string]memberCache
	written map[[2]string]time.Time // when this process last wrote a member's sighting
}

type memberCache struct {
	read    time.Time
	members []Member
}

// NewMemberStore returns the store of members kept in db.
func NewMemberStore(db *store.DB) *MemberStore {
	return &MemberStore{db: db, now: time.Now, cache: map[string]memberCache{}, written: map[[2]string]time.Time{}}
}

// SetClock makes the store read the time from now (tests).
func (s *MemberStore) SetClock(now func() time.Time) { s.now = now }

// Touch records that a member of location called now. A member silent past
// its window becomes alive again from now.
func (s *MemberStore) Touch(ctx context.Context, location string, h Hello) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	id := [2]string{location, h.ID}
	s.mu.Lock()
	last, ok := s.written[id]
	s.mu.Unlock()
	// A member calling many times a heartbeat writes once a quarter of one:
	// its sighting is then at most that late, well within its window.
	if ok && now.Sub(last) < h.Heartbeat/4 && now.Sub(last) >= 0 {
		return nil
	}
	cutoff := now.Add(-MemberMisses * h.Heartbeat)
	_, err := s.db.ExecContext(ctx, `INSERT INTO probe_members (location, member_id, name, heartbeat_ms, first_seen, last_seen, alive_since)
		VALUES ($1, $2, $3, $4, $5, $5, $5)
		ON CONFLICT (location, member_id) DO UPDATE SET name = excluded.name, heartbeat_ms = excluded.heartbeat_ms,
			first_seen = COALESCE(probe_members.first_seen, excluded.first_seen),
			alive_since = CASE WHEN probe_members.last_seen IS NULL OR probe_members.last_seen < $6
				THEN excluded.alive_since ELSE probe_members.alive_since END,
			last_seen = excluded.last_seen`,
		location, h.ID, h.Name, h.Heartbeat.Milliseconds(), now, cutoff)
	if err != nil {
		return fmt.Errorf("member %s of %s: %w", h.ID, location, s.db.MapError(err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written[id] = now
	// The cached view takes the sighting at once, as the database did: the
	// member's next poll must find itself among the alive.
	if c, ok := s.cache[location]; ok {
		i := slices.IndexFunc(c.members, func(m Member) bool { return m.ID == h.ID })
		if i < 0 {
			c.members = append(slices.Clone(c.members), Member{ID: h.ID})
			i = len(c.members) - 1
		} else {
			c.members = slices.Clone(c.members)
		}
		m := &c.members[i]
		if m.LastSeen == nil || m.LastSeen.Before(cutoff) {
			m.AliveSince = &now
		}
		if m.FirstSeen == nil {
			m.FirstSeen = &now
		}
		m.Name, m.Heartbeat, m.LastSeen = h.Name, h.Heartbeat, &now
		s.cache[location] = c
	}
	return nil
}

// List returns the members of location that ever called, by id, read from
// the database.
func (s *MemberStore) List(ctx context.Context, location string) ([]Member, error) {
	out := []Member{}
	err := store.Each(ctx, s.db, "members of "+location,
		`SELECT member_id, name, heartbeat_ms, first_seen, last_seen, alive_since, last_seq FROM probe_members
		WHERE location = $1 AND last_seen IS NOT NULL ORDER BY member_id`,
		[]any{location}, func(rows *sql.Rows) error {
			var m Member
			var hb, seq int64
			var first, last, since sql.NullTime
			if err := rows.Scan(&m.ID, &m.Name, &hb, &first, &last, &since, &seq); err != nil {
				return err
			}
			m.Heartbeat = time.Duration(hb) * time.Millisecond
			m.FirstSeen, m.LastSeen, m.AliveSince = locationTime(first), locationTime(last), locationTime(since)
			m.LastSeq = uint64(seq)
			out = append(out, m)
			return nil
		})
	return out, err
}

// View returns the members of location now, read from the database at most
// a quarter of a second ago (or as this server last wrote them).
func (s *MemberStore) View(ctx context.Context, location string) (Members, error) {
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[location]
	s.mu.Unlock()
	if !ok || now.Sub(c.read) >= memberCacheTTL || now.Before(c.read) {
		list, err := s.List(ctx, location)
		if err != nil {
			return Members{}, err
		}
		c = memberCache{read: now, members: list}
		s.mu.Lock()
		s.cache[location] = c
		s.mu.Unlock()
	}
	return viewMembers(c.members, now), nil
}

// viewMembers tells which of list are alive at now and since when.
func viewMembers(list []Member, now time.Time) Members {
	v := Members{All: list, Alive: []string{}}
	for _, m := range list {
		if m.LastSeen == nil {
			continue
		}
		if m.Alive(now) {
			v.Alive = append(v.Alive, m.ID)
			if m.AliveSince != nil && m.AliveSince.After(v.Since) {
				v.Since = *m.AliveSince
			}
		} else if died := m.LastSeen.Add(m.Window()); died.After(v.Since) {
			v.Since = died
		}
	}
	slices.Sort(v.Alive)
	v.Since = v.Since.UTC()
	h := fnv.New64a()
	for _, id := range v.Alive {
		_, _ = h.Write([]byte(id))
		_, _ = h.Write([]byte{0})
	}
	_, _ = h.Write([]byte(strconv.FormatInt(v.Since.UnixNano(), 10)))
	v.Tag = strconv.FormatUint(h.Sum64(), 36)
	return v
}

// memberLastSeq returns the last sequence number taken from a member of
// location, 0 for a new one (whose buffer numbers from 1).
func memberLastSeq(ctx context.Context, tx *sql.Tx, location, member string) (uint64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT last_seq FROM probe_members WHERE location = $1 AND member_id = $2`,
		location, member).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last sequence of %s member %s: %w", location, member, err)
	}
	return uint64(last), nil
}

// setMemberLastSeq records the last sequence number taken from a member.
// A member known only by its results is no member until it calls.
func setMemberLastSeq(ctx context.Context, tx *sql.Tx, location, member string, seq uint64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO probe_members (location, member_id, last_seq) VALUES ($1, $2, $3)
		ON CONFLICT (location, member_id) DO UPDATE SET last_seq = excluded.last_seq`, location, member, int64(seq))
	if err != nil {
		return fmt.Errorf("last sequence of %s member %s: %w", location, member, err)
	}
	return nil
}
